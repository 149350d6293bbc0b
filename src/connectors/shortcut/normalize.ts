import type { EventInput } from '../../sync/event.js';
import type { FieldChange, WorkItemRow } from '../../sync/work-items-store.js';
import type { ShortcutEpic, ShortcutHistory, ShortcutIteration, ShortcutStory } from './schemas.js';

/** What reading stories needs: the configured teams, workflow states and members by id. */
export interface ShortcutWorkspace {
  /** Team (group) id → mention name, for the teams sources.yml names. */
  teams: Map<string, string>;
  states: Map<number, { name: string; type: string }>;
  members: Map<string, { name: string | null; email: string | null }>;
}

const DAY = 86_400_000;

// Shortcut's workflow state types mapped onto the status categories reports use (Jira's names).
const CATEGORY: Record<string, string> = { backlog: 'new', unstarted: 'new', started: 'indeterminate', done: 'done' };
export const storyKey = (id: number | string) => `SC-${id}`;

export function storyRow(story: ShortcutStory, ws: ShortcutWorkspace): WorkItemRow {
  const state = ws.states.get(story.workflow_state_id);
  return {
    key: storyKey(story.id),
    project: (story.group_id && ws.teams.get(story.group_id)) || 'shortcut',
    title: story.name,
    type: story.story_type,
    status: state?.name ?? String(story.workflow_state_id),
    statusCategory: state ? (CATEGORY[state.type] ?? null) : null,
    priority: null,
    assignee: story.owner_ids[0] ?? null,
    labels: story.labels.map((l) => l.name),
    points: story.estimate ?? null,
    sprintIds: story.iteration_id ? [String(story.iteration_id)] : [],
    createdAt: story.created_at,
    updatedAt: story.updated_at,
    resolvedAt: state?.type === 'done' ? (story.completed_at ?? story.updated_at) : null,
    url: story.app_url,
    projectId: story.epic_id ? String(story.epic_id) : null,
  };
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Workflow state, iteration (by id, as sprint membership) and estimate changes of one story, as work item changes. */
export function historyChanges(storyId: number, entries: ShortcutHistory[], ws: ShortcutWorkspace): FieldChange[] {
  return entries.flatMap((h) => {
    const stateName = (id: unknown) => {
      if (id === undefined || id === null) return null;
      const ref = h.references.find((r) => r.entity_type === 'workflow-state' && String(r.id) === String(id));
      return ref?.name ?? ws.states.get(Number(id))?.name ?? String(id);
    };
    const base = { changeId: h.id, author: h.member_id ?? null, at: h.changed_at };
    return h.actions
      .filter((a) => a.entity_type === 'story' && String(a.id) === String(storyId) && a.changes)
      .flatMap((a) => {
        const c = a.changes ?? {};
        return [
          ...(c.workflow_state_id?.new !== undefined
            ? [
                {
                  ...base,
                  field: 'status',
                  from: stateName(c.workflow_state_id.old),
                  to: stateName(c.workflow_state_id.new) as string,
                },
              ]
            : []),
          ...(c.iteration_id
            ? [{ ...base, field: 'sprint_ids', from: text(c.iteration_id.old), to: text(c.iteration_id.new) }]
            : []),
          ...(c.estimate ? [{ ...base, field: 'points', from: text(c.estimate.old), to: text(c.estimate.new) }] : []),
        ];
      });
  });
}

export function storyEvent(story: ShortcutStory, row: WorkItemRow, raw: unknown): EventInput {
  return {
    source: 'shortcut',
    kind: 'story',
    externalId: `${row.key}@${story.updated_at}`,
    occurredAt: story.updated_at,
    actor: row.assignee,
    subject: row.key,
    normalized: { status: row.status, title: row.title },
    raw,
  };
}

/** An iteration as a sprint: dates without a time run from the start of the first day to the end of the last (UTC). */
export function iterationSprint(it: ShortcutIteration) {
  const start = `${it.start_date}T00:00:00.000Z`;
  const end = new Date(Date.parse(`${it.end_date}T00:00:00.000Z`) + DAY).toISOString();
  const state = it.status === 'done' ? 'closed' : it.status === 'started' ? 'active' : 'future';
  return { id: String(it.id), name: it.name, state, start, end, completedAt: state === 'closed' ? end : null };
}

/** An epic's progress: the share of its points done. */
export function epicProgress(e: ShortcutEpic): number {
  const points = e.stats?.num_points ?? 0;
  return points > 0 ? (e.stats?.num_points_done ?? 0) / points : 0;
}
