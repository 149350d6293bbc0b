import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { calendarSchema } from '../signals/rules.js';
import { parseYaml } from '../yaml-file.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time such as 09:30' });

export const schedulesSchema = z
  .object({
    /** Standups posted to a team's channel at local times (more than one a day is fine). */
    standups: z
      .array(
        z
          .object({
            team: z.string().min(1),
            channel: z.string().min(1),
            times: z.array(hhmm).min(1),
            /** Time zone, working days and holidays; days outside them are skipped. */
            calendar: calendarSchema.default({
              timezone: 'UTC',
              days: [1, 2, 3, 4, 5],
              start: '09:00',
              end: '17:00',
              holidays: [],
            }),
            hours: z.number().int().min(1).max(336).default(24),
            /** GitHub logins of the team; empty = everyone. */
            people: z.array(z.string().min(1)).default([]),
          })
          .strict(),
      )
      .default([]),
    /** Each linked person gets their own week by DM. */
    weekly_digest: z
      .object({ day: z.number().int().min(1).max(7), time: hhmm, timezone: z.string().default('UTC') })
      .strict()
      .optional(),
    /** Sprint health posted at the sprint's mid-point and on its last day. */
    sprint: z
      .object({ channel: z.string().min(1), at: z.array(z.enum(['midpoint', 'end'])).default(['midpoint', 'end']) })
      .strict()
      .optional(),
  })
  .strict();
export type Schedules = z.infer<typeof schedulesSchema>;

/** Reads the schedules file; a missing file means nothing is scheduled. Invalid files throw file:line errors. */
export function loadSchedules(file: string): Schedules {
  if (!existsSync(file)) return schedulesSchema.parse({});
  return parseYaml(schedulesSchema, readFileSync(file, 'utf8'), file);
}
