import { z } from 'zod';

// What em-agent reads of Shortcut's REST v3 objects (extra fields pass through untouched).
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be a date' });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date such as 2026-11-21' });

export const groupSchema = z.object({ id: z.string(), mention_name: z.string(), name: z.string() });

export const memberSchema = z.object({
  id: z.string(),
  profile: z.object({
    mention_name: z.string(),
    name: z.string().nullish(),
    email_address: z.string().nullish(),
  }),
});

export const workflowSchema = z.object({
  id: z.number(),
  states: z.array(z.object({ id: z.number(), name: z.string(), type: z.string() })),
});

export const storySchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  story_type: z.string(),
  app_url: z.string(),
  workflow_state_id: z.number(),
  estimate: z.number().nullish(),
  iteration_id: z.number().nullish(),
  epic_id: z.number().nullish(),
  group_id: z.string().nullish(),
  owner_ids: z.array(z.string()),
  labels: z.array(z.object({ name: z.string() })),
  created_at: date,
  updated_at: date,
  completed_at: date.nullish(),
  archived: z.boolean().optional(),
});
export type ShortcutStory = z.infer<typeof storySchema>;

export const searchPageSchema = z.object({
  data: z.array(z.unknown()),
  next: z.string().nullish(),
  total: z.number().optional(),
});

const oldNew = z.object({ old: z.unknown().optional(), new: z.unknown().optional() });

export const historySchema = z.object({
  id: z.string(),
  changed_at: date,
  member_id: z.string().nullish(),
  primary_id: z.union([z.number(), z.string()]).nullish(),
  actions: z.array(
    z.looseObject({
      id: z.union([z.number(), z.string()]),
      entity_type: z.string(),
      action: z.string(),
      changes: z
        .looseObject({
          workflow_state_id: oldNew.optional(),
          iteration_id: oldNew.optional(),
          estimate: oldNew.optional(),
        })
        .optional(),
    }),
  ),
  references: z
    .array(
      z.looseObject({ id: z.union([z.number(), z.string()]), entity_type: z.string(), name: z.string().optional() }),
    )
    .default([]),
});
export type ShortcutHistory = z.infer<typeof historySchema>;

export const iterationSchema = z.object({
  id: z.number(),
  name: z.string(),
  status: z.string(),
  start_date: day,
  end_date: day,
  group_ids: z.array(z.string()).default([]),
});

export const epicSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.string(),
  app_url: z.string(),
  deadline: date.nullish(),
  updated_at: date,
  group_ids: z.array(z.string()).default([]),
  owner_ids: z.array(z.string()).default([]),
  stats: z.looseObject({ num_points: z.number().optional(), num_points_done: z.number().optional() }).optional(),
});
export type ShortcutIteration = z.infer<typeof iterationSchema>;
export type ShortcutEpic = z.infer<typeof epicSchema>;
