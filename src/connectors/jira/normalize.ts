import type { EventInput } from '../../sync/event.js';
import type { FieldChange, WorkItemRow } from '../../sync/work-items-store.js';
import { type JiraHistory, type JiraIssue, jiraSprintRefSchema } from './schemas.js';

export function workItemRow(host: string, issue: JiraIssue, fieldIds: JiraFieldIds): WorkItemRow {
  const f = issue.fields as JiraIssue['fields'] & Record<string, unknown>;
  const points = pointsFields(fieldIds)
    .map((id) => f[id])
    .find((value) => typeof value === 'number');
  const sprints = fieldIds.sprint ? f[fieldIds.sprint] : undefined;
  const sprintIds = Array.isArray(sprints)
    ? sprints.flatMap((s) => {
        const parsed = jiraSprintRefSchema.safeParse(s);
        return parsed.success ? [String(parsed.data.id)] : [];
      })
    : [];
  return {
    key: issue.key,
    project: f.project.key,
    title: f.summary,
    type: f.issuetype?.name ?? null,
    status: f.status.name,
    statusCategory: f.status.statusCategory?.key ?? null,
    priority: f.priority?.name ?? null,
    assignee: f.assignee?.accountId ?? null,
    labels: f.labels,
    points: typeof points === 'number' ? points : null,
    sprintIds,
    createdAt: f.created,
    updatedAt: f.updated,
    resolvedAt: f.resolutiondate ?? null,
    url: `${host.replace(/\/$/, '')}/browse/${issue.key}`,
    projectId: epicOf(f.parent),
  };
}

/** The epic an issue belongs to: its parent when that is an epic (a sub-task's parent is a story, not an epic). */
function epicOf(parent: JiraIssue['fields']['parent']): string | null {
  if (!parent) return null;
  const type = parent.fields?.issuetype;
  if (!type) return parent.key;
  return type.hierarchyLevel === 1 || type.name.toLowerCase() === 'epic' ? parent.key : null;
}

export interface JiraFieldIds {
  /** One field, or several (a site with company- and team-managed projects has "Story Points" and "Story point estimate"). */
  points?: string | string[];
  sprint?: string;
}

/** The story point fields' ids. */
export function pointsFields(fieldIds: JiraFieldIds): string[] {
  return fieldIds.points === undefined ? [] : typeof fieldIds.points === 'string' ? [fieldIds.points] : fieldIds.points;
}

type HistoryItem = JiraHistory['items'][number];
const SYSTEM_FIELDS = new Set(['status', 'priority']);

/**
 * The report fields a changelog item changes. Custom fields are known by their id (`fieldId`), never by display
 * name: story points are "Story Points" or "Story point estimate" depending on the project type.
 */
function trackedAs(
  item: HistoryItem,
  fieldIds: JiraFieldIds,
): { field: string; from: string | null; to: string | null }[] {
  const id = item.fieldId ?? undefined;
  if (id && pointsFields(fieldIds).includes(id))
    return [{ field: 'points', from: item.fromString ?? null, to: item.toString ?? null }];
  if ((id && id === fieldIds.sprint) || (!id && item.field === 'Sprint'))
    return [
      // Names for rules that match on them; ids ("41, 42") to tell sprints apart exactly.
      { field: 'Sprint', from: item.fromString ?? null, to: item.toString ?? null },
      { field: 'sprint_ids', from: item.from ?? null, to: item.to ?? null },
    ];
  const system = id ?? item.field;
  // Assignees by account id, as work items store them (the display name is in fromString/toString).
  if (system === 'assignee') return [{ field: system, from: item.from ?? null, to: item.to ?? null }];
  if (SYSTEM_FIELDS.has(system)) return [{ field: system, from: item.fromString ?? null, to: item.toString ?? null }];
  return [];
}

export function fieldChanges(histories: JiraHistory[], fieldIds: JiraFieldIds): FieldChange[] {
  return histories.flatMap((h) =>
    h.items.flatMap((item) =>
      trackedAs(item, fieldIds).map((change) => ({
        changeId: h.id,
        ...change,
        author: h.author?.accountId ?? null,
        at: h.created,
      })),
    ),
  );
}

/**
 * The keys an issue had before it was moved to another project (Jira gives a moved issue a new key; its changelog
 * says so with a "Key" item, from the old key to the new), each with when it stopped being that key.
 */
export function previousKeys(issue: Pick<JiraIssue, 'key'>, histories: JiraHistory[]): { key: string; at: string }[] {
  return histories.flatMap((h) =>
    h.items
      .filter((item) => (item.fieldId === 'issuekey' || item.field === 'Key') && item.fromString)
      .map((item) => ({ key: item.fromString as string, at: h.created }))
      .filter((moved) => moved.key !== issue.key && /^[A-Z][A-Z0-9]+-\d+$/.test(moved.key)),
  );
}

export function issueEvent(issue: JiraIssue, raw: unknown): EventInput {
  return {
    source: 'jira',
    kind: 'issue',
    externalId: `${issue.key}@${issue.fields.updated}`,
    occurredAt: issue.fields.updated,
    actor: issue.fields.assignee?.accountId ?? null,
    subject: issue.key,
    normalized: { status: issue.fields.status.name, title: issue.fields.summary },
    raw,
  };
}
