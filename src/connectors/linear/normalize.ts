import type { EventInput } from '../../sync/event.js';
import type { FieldChange, WorkItemRow } from '../../sync/work-items-store.js';
import type { HistoryEntry, LinearCycle, LinearIssueFields } from './schemas.js';

// A Linear issue, cycle and project as rows: shared by the poller and the webhook.

const text = (n: number | null | undefined) => (n === null || n === undefined ? null : String(n));

/** State, cycle (by id, as sprint membership) and estimate changes, as work item changes. */
export function historyChanges(entries: HistoryEntry[]): FieldChange[] {
  return entries.flatMap((h) => {
    const base = { changeId: h.id, author: h.actor?.id ?? null, at: h.createdAt };
    return [
      ...(h.toState ? [{ ...base, field: 'status', from: h.fromState?.name ?? null, to: h.toState.name }] : []),
      ...(h.fromCycleId || h.toCycleId
        ? [{ ...base, field: 'sprint_ids', from: h.fromCycleId ?? null, to: h.toCycleId ?? null }]
        : []),
      ...(text(h.fromEstimate) !== null || text(h.toEstimate) !== null
        ? [{ ...base, field: 'points', from: text(h.fromEstimate), to: text(h.toEstimate) }]
        : []),
    ];
  });
}

const PRIORITY = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];
// Linear's state types mapped onto the status categories reports use (Jira's names).
const CATEGORY: Record<string, string> = {
  backlog: 'new',
  unstarted: 'new',
  triage: 'new',
  started: 'indeterminate',
  completed: 'done',
  canceled: 'done',
};

export function linearWorkItem(issue: LinearIssueFields): WorkItemRow {
  return {
    key: issue.identifier,
    project: issue.team.key,
    title: issue.title,
    type: null,
    status: issue.state.name,
    statusCategory: CATEGORY[issue.state.type] ?? null,
    priority: PRIORITY[issue.priority ?? 0] ?? null,
    assignee: issue.assignee?.id ?? null,
    labels: issue.labels.nodes.map((l) => l.name),
    points: issue.estimate ?? null,
    sprintIds: issue.cycle ? [issue.cycle.id] : [],
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    resolvedAt: issue.completedAt ?? null,
    url: issue.url,
    projectId: issue.project?.id ?? null,
  };
}

export function issueEvent(issue: LinearIssueFields, raw: unknown): EventInput {
  return {
    source: 'linear',
    kind: 'issue',
    externalId: `${issue.identifier}@${issue.updatedAt}`,
    occurredAt: issue.updatedAt,
    actor: issue.assignee?.id ?? null,
    subject: issue.identifier,
    normalized: { status: issue.state.name, title: issue.title },
    raw,
  };
}

/** A cycle's state as sprints say it. */
export function cycleState(c: LinearCycle, now = Date.now()): string {
  return c.completedAt ? 'closed' : Date.parse(c.startsAt) <= now ? 'active' : 'future';
}
