import { z } from 'zod';
import { calendarSchema, DEFAULT_CALENDAR, type WorkCalendar } from '../lib/work-calendar.js';
import { intervalString, intervalToMs } from '../yaml-file.js';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from './model.js';

const groupOrUser = z.string().regex(/^([UW][A-Z0-9]+|@[\w.-]+|S[A-Z0-9]+)$/, {
  error: 'must be a Slack user id (U0123ABCD), a user-group handle (@sre-oncall) or a user-group id (S0123ABCD)',
});
const perSeverity = <T extends z.ZodType>(value: T) =>
  z
    .object(
      Object.fromEntries(INCIDENT_SEVERITIES.map((s) => [s.value, value.optional()])) as Record<
        IncidentSeverity,
        z.ZodOptional<T>
      >,
    )
    .strict();

/** The `incidents:` section of a policies file: how the co-pilot runs an incident. */
export const incidentPolicySchema = z
  .object({
    /** Where declarations are announced (and kept up to date). */
    announce_channel: z.string().optional(),
    /** Who is invited to the channel, by severity. */
    oncall: perSeverity(z.array(groupOrUser)).default({}),
    /** How often the commander is expected to post a status update. */
    status_cadence: perSeverity(intervalString).default({}),
    severity_nudge: z
      .object({ every: intervalString.default('5 minutes'), times: z.number().int().min(0).max(20).default(3) })
      .strict()
      .default({ every: '5 minutes', times: 3 }),
    /** "Can this be closed?" once a day, during working hours, for incidents open longer than this. */
    closure_check_after: intervalString.default('1 day'),
    calendar: calendarSchema.optional(),
    archive_after: intervalString.default('1 day'),
    private_channels: z.boolean().default(false),
    /** Who, besides the current commander, may hand the commander role to someone (users or groups). */
    commander_handover: z.array(groupOrUser).default([]),
    /** Where action items from a postmortem are filed (through the approvals flow). */
    action_items: z
      .union([
        z.object({ action: z.literal('jira.create'), project: z.string().regex(/^[A-Z][A-Z0-9]+$/) }).strict(),
        z.object({ action: z.literal('linear.create'), team: z.string().min(1) }).strict(),
      ])
      .optional(),
  })
  .strict();

const DEFAULT_CADENCE: Record<IncidentSeverity, string> = {
  SEV1: '30 minutes',
  SEV2: '1 hour',
  SEV3: '4 hours',
  SEV4: '1 day',
};

export interface IncidentSettings {
  announceChannel?: string;
  oncall: Partial<Record<IncidentSeverity, string[]>>;
  cadenceMs: Record<IncidentSeverity, number>;
  /** The cadence while no severity is set. */
  unsetCadenceMs: number;
  severityNudge: { everyMs: number; times: number };
  closureCheckAfterMs: number;
  calendar: WorkCalendar;
  archiveAfterMs: number;
  privateChannels: boolean;
  commanderHandover: string[];
  actionItems?: { action: 'jira.create'; project: string } | { action: 'linear.create'; team: string };
}

export function incidentSettings(input: z.output<typeof incidentPolicySchema> | undefined): IncidentSettings {
  const parsed = input ?? incidentPolicySchema.parse({});
  const cadence = Object.fromEntries(
    INCIDENT_SEVERITIES.map((s) => [s.value, intervalToMs(parsed.status_cadence[s.value] ?? DEFAULT_CADENCE[s.value])]),
  ) as Record<IncidentSeverity, number>;
  return {
    ...(parsed.announce_channel ? { announceChannel: parsed.announce_channel } : {}),
    oncall: parsed.oncall,
    cadenceMs: cadence,
    unsetCadenceMs: cadence.SEV2,
    severityNudge: { everyMs: intervalToMs(parsed.severity_nudge.every), times: parsed.severity_nudge.times },
    closureCheckAfterMs: intervalToMs(parsed.closure_check_after),
    calendar: parsed.calendar ?? DEFAULT_CALENDAR,
    archiveAfterMs: intervalToMs(parsed.archive_after),
    privateChannels: parsed.private_channels,
    commanderHandover: parsed.commander_handover,
    ...(parsed.action_items ? { actionItems: parsed.action_items } : {}),
  };
}

/** The policy-file section the incident co-pilot reads (`incidents:`), for PolicyBook. */
export const INCIDENT_POLICY_SECTION = { incidents: incidentPolicySchema };

const DEFAULT_SETTINGS = incidentSettings(undefined);
const settingsBySection = new WeakMap<object, IncidentSettings>();

/** The incident settings the policy files set now (the defaults when none does); computed once per reload. */
export function incidentSettingsOf(policies: { section(key: string): unknown }): IncidentSettings {
  const section = policies.section('incidents') as z.output<typeof incidentPolicySchema> | undefined;
  if (!section) return DEFAULT_SETTINGS;
  const known = settingsBySection.get(section);
  if (known) return known;
  const settings = incidentSettings(section);
  settingsBySection.set(section, settings);
  return settings;
}
