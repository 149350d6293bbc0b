import { DateTime } from 'luxon';
import { z } from 'zod';

/** When a team works: age-based rules can count only these hours. */
export interface WorkCalendar {
  timezone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local working window, "HH:MM". */
  start: string;
  end: string;
  /** Local dates (YYYY-MM-DD) nobody works. */
  holidays: string[];
}

export const DEFAULT_CALENDAR: WorkCalendar = {
  timezone: 'UTC',
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '17:00',
  holidays: [],
};

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time such as 09:00' });
/** A calendar as written in a rules, reports or policy file; omitted fields take DEFAULT_CALENDAR's. */
export const calendarSchema = z
  .object({
    timezone: z.string().refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', {
      error: 'must be an IANA time zone such as Europe/Berlin',
    }),
    days: z.array(z.number().int().min(1).max(7)).min(1).default(DEFAULT_CALENDAR.days),
    start: localTime.default(DEFAULT_CALENDAR.start),
    end: localTime.default(DEFAULT_CALENDAR.end),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date such as 2026-12-25' }))
      .default([]),
  })
  .strict()
  .refine((c) => c.start < c.end, { error: 'start must be before end' });

export type WorkCalendarInput = z.infer<typeof calendarSchema>;

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * Working hours between two instants in the calendar's time zone (weekends, holidays and nights excluded).
 * Stops counting once `atLeast` is reached, so checking a threshold on old items stays cheap.
 */
export function workingHoursBetween(from: Date, to: Date, calendar: WorkCalendar, atLeast = Infinity): number {
  if (to <= from) return 0;
  const days = daysOf(calendar);
  const last = to.getTime();
  let day = days.containing(from.getTime());
  let minutes = 0;
  while (day.start <= last && minutes / 60 < atLeast) {
    if (day.window) {
      const a = Math.max(day.window[0], from.getTime());
      const b = Math.min(day.window[1], last);
      if (b > a) minutes += (b - a) / 60_000;
    }
    day = days.after(day);
  }
  return minutes / 60;
}

interface LocalDay {
  /** The local midnight that starts it, in epoch milliseconds. */
  start: number;
  /** Working window [open, close] in epoch milliseconds, or null on a day off. */
  window: [number, number] | null;
  next?: LocalDay;
}

// Time-zone arithmetic (luxon over Intl) costs tens of microseconds a call, and rules age thousands of items
// over the same few hundred days: days are computed once per calendar and shared.
const QUARTER_HOUR = 15 * 60_000; // every UTC offset in use is a multiple of 15 minutes
const calendars = new WeakMap<WorkCalendar, ReturnType<typeof dayTable>>();

function daysOf(calendar: WorkCalendar) {
  const known = calendars.get(calendar);
  if (known) return known;
  const table = dayTable(calendar);
  calendars.set(calendar, table);
  return table;
}

function dayTable(calendar: WorkCalendar) {
  const holidays = new Set(calendar.holidays);
  const workdays = new Set(calendar.days);
  const startMin = minutesOf(calendar.start);
  const endMin = minutesOf(calendar.end);
  const byStart = new Map<number, LocalDay>();
  const dayStartOf = new Map<number, number>();

  const dayFrom = (local: DateTime): LocalDay => {
    const start = local.toMillis();
    let day = byStart.get(start);
    if (!day) {
      const works = workdays.has(local.weekday) && !holidays.has(local.toISODate() ?? '');
      day = {
        start,
        window: works
          ? [local.plus({ minutes: startMin }).toMillis(), local.plus({ minutes: endMin }).toMillis()]
          : null,
      };
      byStart.set(start, day);
    }
    return day;
  };
  return {
    containing(instant: number): LocalDay {
      const bucket = Math.floor(instant / QUARTER_HOUR);
      let start = dayStartOf.get(bucket);
      if (start === undefined) {
        if (dayStartOf.size > 200_000) dayStartOf.clear();
        start = DateTime.fromMillis(instant, { zone: calendar.timezone }).startOf('day').toMillis();
        dayStartOf.set(bucket, start);
      }
      return byStart.get(start) ?? dayFrom(DateTime.fromMillis(start, { zone: calendar.timezone }));
    },
    after(day: LocalDay): LocalDay {
      day.next ??= dayFrom(DateTime.fromMillis(day.start, { zone: calendar.timezone }).plus({ days: 1 }));
      return day.next;
    },
  };
}

/** Hours between two instants: wall-clock, or working hours when a calendar is given. */
export function ageInHours(from: Date, to: Date, calendar?: WorkCalendar, atLeast?: number): number {
  return calendar
    ? workingHoursBetween(from, to, calendar, atLeast)
    : Math.max(0, (to.getTime() - from.getTime()) / 3_600_000);
}

/**
 * The whole age in (working) hours when it is at least `threshold`, else null. The threshold is checked first with a
 * count that stops there (cheap on old items); only items past it are counted in full, for the figure people read.
 */
export function ageAtLeast(from: Date, to: Date, calendar: WorkCalendar | undefined, threshold: number): number | null {
  if (ageInHours(from, to, calendar, threshold) < threshold) return null;
  return ageInHours(from, to, calendar);
}
