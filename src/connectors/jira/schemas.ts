import { z } from 'zod';

// Shapes as Atlassian documents them (REST v3 IssueBean, UserDetails, Changelog; Agile Sprint). Whatever the docs
// allow to be null or absent is accepted here, so no record is skipped for a value Jira legitimately sends.

/** `emailAddress` is null or absent when the user's privacy settings hide it; `displayName` may be absent too. */
const person = z
  .object({ accountId: z.string(), displayName: z.string().nullish(), emailAddress: z.string().nullish() })
  .nullish();
/** Jira writes numeric offsets (`2026-12-03T10:15:00.000+0200`); stored as ISO-8601 UTC. */
const timestamp = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be a date' })
  .transform((s) => new Date(s).toISOString());

export const jiraSprintRefSchema = z.object({ id: z.number(), name: z.string(), state: z.string().nullish() });

/** One entry of an issue's history; `fieldId` identifies custom fields (absent on some old entries). */
export const jiraHistorySchema = z.object({
  id: z.string(),
  created: timestamp,
  author: person,
  items: z.array(
    z.object({
      field: z.string(),
      fieldId: z.string().nullish(),
      from: z.string().nullish(),
      fromString: z.string().nullish(),
      to: z.string().nullish(),
      toString: z.string().nullish(),
    }),
  ),
});
export type JiraHistory = z.infer<typeof jiraHistorySchema>;

export const jiraIssueSchema = z.object({
  id: z.string(),
  key: z.string().regex(/^[A-Z][A-Z0-9]+-\d+$/),
  fields: z
    .object({
      summary: z.string(),
      status: z.object({ name: z.string(), statusCategory: z.object({ key: z.string() }).nullish() }),
      issuetype: z.object({ name: z.string() }).nullish(),
      priority: z.object({ name: z.string() }).nullish(),
      assignee: person,
      labels: z
        .array(z.string())
        .nullish()
        .transform((l) => l ?? []),
      created: timestamp,
      updated: timestamp,
      resolutiondate: timestamp.nullish(),
      project: z.object({ key: z.string() }),
      /** The epic (or, for a sub-task, the story) the issue belongs to. */
      parent: z
        .object({
          key: z.string(),
          fields: z
            .object({ issuetype: z.object({ name: z.string(), hierarchyLevel: z.number().nullish() }).nullish() })
            .passthrough()
            .nullish(),
        })
        .nullish(),
    })
    .passthrough(),
  /** Search returns at most the 40 newest entries, newest first; `total` says how many there are. */
  changelog: z
    .object({
      total: z.number().nullish(),
      histories: z.array(jiraHistorySchema),
    })
    .nullish(),
});
export type JiraIssue = z.infer<typeof jiraIssueSchema>;

/** `GET /rest/api/3/issue/{key}/changelog`: the whole history, oldest first, paginated. */
export const jiraChangelogPageSchema = z.object({
  startAt: z.number().nullish(),
  total: z.number().nullish(),
  isLast: z.boolean().nullish(),
  values: z.array(jiraHistorySchema),
});

export const jiraSprintSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.enum(['future', 'active', 'closed']),
  startDate: timestamp.nullish(),
  endDate: timestamp.nullish(),
  completeDate: timestamp.nullish(),
  goal: z.string().nullish(),
  originBoardId: z.number().nullish(),
});
export type JiraSprint = z.infer<typeof jiraSprintSchema>;
