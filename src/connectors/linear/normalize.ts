import { z } from 'zod';
import { recordIdentity } from '../../identity/store.js';
import type { Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { insertChanges, upsertWorkItem, type WorkItemRow } from '../../sync/work-items.js';

// A Linear issue as em-agent's GraphQL query reads it, and how it is stored: shared by the poller and the webhook.

const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)));
export const historySchema = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      createdAt: date,
      actor: z.object({ id: z.string() }).nullish(),
      fromState: z.object({ name: z.string() }).nullish(),
      toState: z.object({ name: z.string() }).nullish(),
      fromCycleId: z.string().nullish(),
      toCycleId: z.string().nullish(),
      fromEstimate: z.number().nullish(),
      toEstimate: z.number().nullish(),
    }),
  ),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }).nullish(),
});
export type HistoryEntry = z.infer<typeof historySchema>['nodes'][number];

const text = (n: number | null | undefined) => (n === null || n === undefined ? null : String(n));

/** State, cycle (by id, as sprint membership) and estimate changes, as work item changes. */
function historyChanges(entries: HistoryEntry[]) {
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

/** The fields of an issue the work item is made of (the poller's query also reads its history). */
export const linearIssueFieldsSchema = z.object({
  id: z.string(),
  identifier: z.string().regex(/^[A-Z][A-Z0-9]*-\d+$/),
  title: z.string(),
  priority: z.number().nullable().optional(),
  estimate: z.number().nullable().optional(),
  url: z.string(),
  createdAt: date,
  updatedAt: date,
  completedAt: date.nullable().optional(),
  state: z.object({ name: z.string(), type: z.string() }),
  assignee: z
    .object({ id: z.string(), email: z.string().nullable().optional(), name: z.string().nullable().optional() })
    .nullable()
    .optional(),
  team: z.object({ key: z.string() }),
  cycle: z.object({ id: z.string() }).nullable().optional(),
  project: z.object({ id: z.string() }).nullable().optional(),
  labels: z.object({ nodes: z.array(z.object({ name: z.string() })) }),
});
export type LinearIssueFields = z.infer<typeof linearIssueFieldsSchema>;

export const linearIssueSchema = linearIssueFieldsSchema.extend({ history: historySchema });

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

/**
 * One observed version of an issue, however it arrived: its event (once per `updatedAt`), its work item (never
 * overwritten by an older version), its history entries (once by id) and its assignee.
 */
export async function storeLinearIssue(
  db: Queryable,
  issue: LinearIssueFields,
  history: HistoryEntry[],
  raw: unknown,
  /** False when the payload may leave out an e-mail the API would give (webhooks): such accounts wait for polling. */
  accountsWithoutEmail = true,
): Promise<void> {
  await insertEvents(db, [
    {
      source: 'linear',
      kind: 'issue',
      externalId: `${issue.identifier}@${issue.updatedAt}`,
      occurredAt: issue.updatedAt,
      actor: issue.assignee?.id ?? null,
      subject: issue.identifier,
      normalized: { status: issue.state.name, title: issue.title },
      raw,
    },
  ]);
  await upsertWorkItem(db, 'linear', linearWorkItem(issue));
  await insertChanges(db, 'linear', issue.identifier, historyChanges(history));
  if (issue.assignee && (accountsWithoutEmail || issue.assignee.email))
    await recordIdentity(db, {
      linear: issue.assignee.id,
      email: issue.assignee.email,
      displayName: issue.assignee.name,
    });
}
