import { z } from 'zod';

const person = z
  .object({ accountId: z.string(), displayName: z.string().optional(), emailAddress: z.string().optional() })
  .nullable()
  .optional();
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be a date' });

export const jiraSprintRefSchema = z.object({ id: z.number(), name: z.string(), state: z.string().optional() });

export const jiraIssueSchema = z.object({
  id: z.string(),
  key: z.string().regex(/^[A-Z][A-Z0-9]+-\d+$/),
  fields: z
    .object({
      summary: z.string(),
      status: z.object({ name: z.string(), statusCategory: z.object({ key: z.string() }).optional() }),
      issuetype: z.object({ name: z.string() }).optional(),
      priority: z.object({ name: z.string() }).nullable().optional(),
      assignee: person,
      labels: z.array(z.string()).default([]),
      created: timestamp,
      updated: timestamp,
      resolutiondate: timestamp.nullable().optional(),
      project: z.object({ key: z.string() }),
    })
    .passthrough(),
  changelog: z
    .object({
      histories: z.array(
        z.object({
          id: z.string(),
          created: timestamp,
          author: person,
          items: z.array(
            z.object({
              field: z.string(),
              fromString: z.string().nullable().optional(),
              toString: z.string().nullable().optional(),
            }),
          ),
        }),
      ),
    })
    .optional(),
});
export type JiraIssue = z.infer<typeof jiraIssueSchema>;

export const jiraSprintSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.enum(['future', 'active', 'closed']),
  startDate: timestamp.optional(),
  endDate: timestamp.optional(),
  completeDate: timestamp.optional(),
  goal: z.string().optional(),
  originBoardId: z.number().optional(),
});
export type JiraSprint = z.infer<typeof jiraSprintSchema>;
