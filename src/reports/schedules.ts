import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { calendarSchema } from '../lib/work-calendar.js';
import { parseYaml } from '../yaml-file.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time such as 09:30' });

export const schedulesSchema = z
  .object({
    /** Standups posted to a team's channel at local times (more than one a day is fine). */
    standups: z
      .array(
        z
          .object({
            /** A team's key (teams.yml or Slack): its members, channel, time zone and work days; else a label. */
            team: z.string().min(1),
            /** Where it is posted; defaults to the team's channel. */
            channel: z.string().min(1).optional(),
            times: z.array(hhmm).min(1),
            /** Time zone, working days and holidays; days outside them are skipped. Default: the team's, else UTC. */
            calendar: calendarSchema.optional(),
            hours: z.number().int().min(1).max(336).default(24),
            /** GitHub logins to list (the older form); empty = the team's members, or everyone without a team. */
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
      .object({
        /** Where it is posted; defaults to the team's channel. */
        channel: z.string().min(1).optional(),
        at: z.array(z.enum(['midpoint', 'end'])).default(['midpoint', 'end']),
        /** A team's key: its board's sprint, posted to its channel. Without it, the org's current sprint. */
        team: z.string().min(1).optional(),
      })
      .strict()
      .refine((s) => s.channel || s.team, { error: 'needs a channel, or a team whose channel it goes to' })
      .optional(),
  })
  .strict();
export type Schedules = z.infer<typeof schedulesSchema>;

/** The calendar of a standup that names none: its team's time zone and work days, else UTC on weekdays. */
export const DEFAULT_STANDUP_CALENDAR = { timezone: 'UTC', days: [1, 2, 3, 4, 5], holidays: [] as string[] };

/** Reads the schedules file; a missing file means nothing is scheduled. Invalid files throw file:line errors. */
export function loadSchedules(file: string): Schedules {
  if (!existsSync(file)) return schedulesSchema.parse({});
  return parseYaml(schedulesSchema, readFileSync(file, 'utf8'), file);
}
