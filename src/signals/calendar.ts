import { DateTime } from 'luxon';

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
  const holidays = new Set(calendar.holidays);
  const days = new Set(calendar.days);
  const startMin = minutesOf(calendar.start);
  const endMin = minutesOf(calendar.end);
  const end = DateTime.fromJSDate(to, { zone: calendar.timezone });
  let day = DateTime.fromJSDate(from, { zone: calendar.timezone }).startOf('day');
  let minutes = 0;
  while (day <= end && minutes / 60 < atLeast) {
    if (days.has(day.weekday) && !holidays.has(day.toISODate() ?? '')) {
      const open = day.plus({ minutes: startMin });
      const close = day.plus({ minutes: endMin });
      const a = Math.max(open.toMillis(), from.getTime());
      const b = Math.min(close.toMillis(), to.getTime());
      if (b > a) minutes += (b - a) / 60_000;
    }
    day = day.plus({ days: 1 });
  }
  return minutes / 60;
}

/** Hours between two instants: wall-clock, or working hours when a calendar is given. */
export function ageInHours(from: Date, to: Date, calendar?: WorkCalendar, atLeast?: number): number {
  return calendar
    ? workingHoursBetween(from, to, calendar, atLeast)
    : Math.max(0, (to.getTime() - from.getTime()) / 3_600_000);
}
