import { z } from 'zod';

/** One observed fact from a source (a PR opened, a deploy finished, a ticket moved...). */
export const eventSchema = z.object({
  source: z.string().min(1).max(64),
  kind: z.string().min(1).max(128),
  externalId: z.string().min(1).max(512),
  occurredAt: z.coerce.date(),
  actor: z.string().max(512).nullish(),
  subject: z.string().max(1024).nullish(),
  normalized: z.record(z.string(), z.unknown()).default({}),
  raw: z.unknown().optional(),
});

export type EventInput = z.input<typeof eventSchema>;
export type Event = z.output<typeof eventSchema>;
