import { z } from 'zod';

// A Linear issue, cycle and project as em-agent's GraphQL queries read them (the poller and the webhook).

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

/** The fields of an issue the work item is made of (the poller's query also reads its history). */
export const linearIssueFieldsSchema = z.object({
  id: z.string(),
  identifier: z.string().regex(/^[A-Z][A-Z0-9]*-\d+$/),
  /** The identifiers it had in teams it was moved from. */
  previousIdentifiers: z.array(z.string()).nullish(),
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
export type LinearIssue = z.infer<typeof linearIssueSchema>;

export const cycleSchema = z.object({
  id: z.string(),
  number: z.number(),
  name: z.string().nullish(),
  startsAt: date,
  endsAt: date,
  completedAt: date.nullish(),
});

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  progress: z.number(),
  targetDate: z.string().nullable().optional(),
  url: z.string(),
  updatedAt: date,
  lead: z.object({ id: z.string() }).nullable().optional(),
});
export type LinearCycle = z.infer<typeof cycleSchema>;
export type LinearProject = z.infer<typeof projectSchema>;
