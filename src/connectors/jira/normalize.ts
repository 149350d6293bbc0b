import type { EventInput } from '../../sync/event.js';
import type { FieldChange, WorkItemRow } from '../../sync/work-items.js';
import { type JiraIssue, jiraSprintRefSchema } from './schemas.js';

/** The fields whose history matters to reports: status (cycle time), assignee, sprint (scope change), points. */
const TRACKED = new Set(['status', 'assignee', 'Sprint', 'Story Points', 'priority']);

export function workItemRow(
  host: string,
  issue: JiraIssue,
  fieldIds: { points?: string; sprint?: string },
): WorkItemRow {
  const f = issue.fields as JiraIssue['fields'] & Record<string, unknown>;
  const points = fieldIds.points ? f[fieldIds.points] : undefined;
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
  };
}

export function fieldChanges(issue: JiraIssue): FieldChange[] {
  return (issue.changelog?.histories ?? []).flatMap((h) =>
    h.items
      .filter((item) => TRACKED.has(item.field))
      .map((item) => ({
        changeId: h.id,
        field: item.field,
        from: item.fromString ?? null,
        to: item.toString ?? null,
        author: h.author?.accountId ?? null,
        at: h.created,
      })),
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
