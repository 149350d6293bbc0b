import { z } from 'zod';

const version = z.object({
  number: z.number().int().positive(),
  when: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
});

/** A page as listed (no body): enough to tell whether it changed. */
export const pageSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  version,
  _links: z.object({ webui: z.string().optional() }).optional(),
});
export type PageSummary = z.infer<typeof pageSummarySchema>;

export const pageSchema = pageSummarySchema.extend({
  body: z.object({ storage: z.object({ value: z.string() }) }),
});
export type Page = z.infer<typeof pageSchema>;
