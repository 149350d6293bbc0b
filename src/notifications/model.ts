// Pure notification domain: what a notification is, how it is routed (real time or digest), local time, quiet
// hours, working days. No I/O here; service.ts does the reading and the sending.
import { DateTime } from 'luxon';

/** The groups of the digest, in the order it shows them. */
export const GROUPS = [
  'reviews',
  'my_prs',
  'tickets',
  'approvals',
  'incidents',
  'team',
  'escalations',
  'other',
] as const;
export type Group = (typeof GROUPS)[number];

export const isGroup = (name: string): name is Group => (GROUPS as readonly string[]).includes(name);

export const GROUP_TITLES: Record<Group, string> = {
  reviews: 'Reviews requested of you',
  // Waiting on others, or a red main since your merge.
  my_prs: 'Your pull requests',
  tickets: 'Your blocked or aging tickets',
  approvals: 'Approvals waiting for you',
  incidents: 'Incident action items',
  team: 'Your team',
  escalations: 'Escalated to you',
  other: 'Other',
};

/** Kinds that may interrupt in real time (each can be switched off on the Home tab). Everything else waits. */
// main_failed: the default branch went red after your merge (a team's red main, failing_main, waits for the lead's digest).
export const REALTIME_KINDS = ['review_requested', 'approval', 'incident_page', 'main_failed'] as const;
export type RealtimeKind = (typeof REALTIME_KINDS)[number];

export const REALTIME_LABELS: Record<RealtimeKind, string> = {
  review_requested: 'A review is requested of me',
  approval: 'An approval needs me',
  incident_page: 'An incident pages me',
  main_failed: 'Main fails after my merge',
};

/** One reason an item waits on someone: the rule (or capability) that says so, and its line. */
export interface Reason {
  /** The rule name (for "Mute this rule for me"), or the capability (approval, incident, escalation). */
  rule: string;
  kind: string;
  text: string;
  since: string;
}

/** Something waiting on one person, as a sender hands it to the pipeline. */
export interface NotificationInput {
  recipient: string;
  subject: string;
  group: Group;
  title: string;
  url?: string | null;
  reasonKey: string;
  reason: Reason;
  /** Already true before em-agent first saw the data: never sent in real time. */
  backfill?: boolean;
  /** An incident page: goes through quiet hours, pauses and caps. */
  paging?: boolean;
}

export interface Prefs {
  digestTime: string;
  timezone: string;
  realtimeOff: string[];
  quietStart: string | null;
  quietEnd: string | null;
  pausedUntil: Date | null;
}

export const DEFAULT_DIGEST_TIME = '09:30';

export interface RouteInput {
  kind: string;
  paging?: boolean;
  backfill?: boolean;
  prefs: Prefs;
  now: Date;
  /** Real-time DMs this person already had today (their local day). */
  sentToday: number;
  cap: number;
  muted: boolean;
  snoozed: boolean;
}

export type Route = { to: 'realtime' } | { to: 'digest'; why: string } | { to: 'none'; why: string };

/** Real time only where waiting costs, and only when the person's preferences, the cap and the clock allow it. */
export function route(input: RouteInput): Route {
  if (input.paging) return { to: 'realtime' };
  if (input.muted) return { to: 'none', why: 'muted' };
  if (input.snoozed) return { to: 'digest', why: 'snoozed' };
  if (input.backfill) return { to: 'digest', why: 'backfill' };
  if (!(REALTIME_KINDS as readonly string[]).includes(input.kind)) return { to: 'digest', why: 'not a real-time kind' };
  if (input.prefs.realtimeOff.includes(input.kind)) return { to: 'digest', why: 'switched off' };
  if (isPaused(input.prefs, input.now)) return { to: 'digest', why: 'paused' };
  if (inQuietHours(input.prefs, input.now)) return { to: 'digest', why: 'quiet hours' };
  if (input.sentToday >= input.cap) return { to: 'digest', why: 'cap' };
  return { to: 'realtime' };
}

export const isPaused = (prefs: Prefs, now: Date) => !!prefs.pausedUntil && prefs.pausedUntil > now;

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Whether `now` falls in the person's quiet hours (local time; a range may cross midnight). */
export function inQuietHours(prefs: Prefs, now: Date): boolean {
  if (!prefs.quietStart || !prefs.quietEnd) return false;
  const local = DateTime.fromJSDate(now, { zone: prefs.timezone });
  const t = local.hour * 60 + local.minute;
  const start = minutesOf(prefs.quietStart);
  const end = minutesOf(prefs.quietEnd);
  return start <= end ? t >= start && t < end : t >= start || t < end;
}

/** The person's local calendar day, as YYYY-MM-DD. */
export function localDay(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now, { zone: timezone }).toISODate() ?? now.toISOString().slice(0, 10);
}

const isWorkingDay = (d: DateTime) => d.weekday <= 5;

/** Whether the digest is due now: a working day, at or after the digest time, not paused (sent-today is the store's). */
export function digestDue(prefs: Prefs, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: prefs.timezone });
  if (!isWorkingDay(local) || isPaused(prefs, now)) return false;
  return local.hour * 60 + local.minute >= minutesOf(prefs.digestTime);
}

/** Working days (Monday to Friday, in `timezone`) from `from` to `to`, counting whole days passed. */
export function workingDaysBetween(from: Date, to: Date, timezone: string): number {
  let day = DateTime.fromJSDate(from, { zone: timezone }).startOf('day');
  const end = DateTime.fromJSDate(to, { zone: timezone });
  let count = 0;
  for (let i = 0; i < 400; i++) {
    day = day.plus({ days: 1 });
    if (day > end) break;
    if (isWorkingDay(day)) count += 1;
  }
  return count;
}

/** When "Snooze 1 day" and "Snooze until Monday" end: the person's digest time on that day. */
export function snoozeEnd(until: 'day' | 'monday', prefs: Prefs, now: Date): Date {
  const local = DateTime.fromJSDate(now, { zone: prefs.timezone });
  const [h, m] = prefs.digestTime.split(':').map(Number);
  const days = until === 'day' ? 1 : (8 - local.weekday) % 7 || 7;
  return local
    .plus({ days })
    .set({ hour: h ?? 9, minute: m ?? 30, second: 0, millisecond: 0 })
    .toJSDate();
}

/** The local date `days` days from now at the same time: "pause everything for N days". */
export const pauseEnd = (days: number, now: Date) => new Date(now.getTime() + days * 86_400_000);

/** The working day before `now`'s day in `timezone` (Friday on a Monday), as YYYY-MM-DD. */
export function previousWorkingDay(now: Date, timezone: string): string {
  let day = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  do day = day.minus({ days: 1 });
  while (!isWorkingDay(day));
  return day.toISODate() ?? now.toISOString().slice(0, 10);
}

/** p50, p95 and max of counts, by the nearest-rank method (the value at rank ceil(p·n) of the sorted counts). */
export function percentiles(values: number[]): { p50: number; p95: number; max: number } {
  if (!values.length) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}
