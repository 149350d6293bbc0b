// Time windows as engineers write them ("last two weeks", "since Monday", "this sprint", "30d") → a trailing
// window ending now, in hours and days (rounded up), which is what the tools take.
import { DateTime } from 'luxon';

export interface TimeWindow {
  /** The words that named it, as found in the request. */
  phrase: string;
  hours: number;
  days: number;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  couple: 2,
  'couple of': 2,
  three: 3,
  few: 3,
  'a few': 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  sixty: 60,
  ninety: 90,
  several: 5,
};
const UNIT_HOURS: Record<string, number> = { h: 1, hour: 1, hr: 1, d: 24, day: 24, w: 168, week: 168, wk: 168 };
const unitHours = (unit: string, sprintDays = 14) =>
  /^(?:sprint|cycle|iteration)/.test(unit)
    ? sprintDays * 24
    : unit.startsWith('mo') || unit === 'm'
      ? 30 * 24
      : unit.startsWith('q')
        ? 90 * 24
        : unit.startsWith('y')
          ? 365 * 24
          : unit.startsWith('fortnight')
            ? 14 * 24
            : (UNIT_HOURS[unit.replace(/s$/, '')] ?? 24);

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const NUM = `(\\d{1,3}|${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const UNIT =
  '(hours?|hrs?|days?|weeks?|wks?|months?|mos?|quarters?|years?|yrs?|fortnights?|sprints?|cycles?|iterations?)';

const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';

/** A calendar date without a year after "since" or "from", in any of the usual orders. */
function monthDay(t: string): { phrase: string; month: string; day: number } | undefined {
  let m = new RegExp(`\\b(?:since|from)\\s+${MONTH}[a-z]*\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`).exec(t);
  if (m) return { phrase: m[0], month: m[1] as string, day: Number(m[2]) };
  m = new RegExp(`\\b(?:since|from)\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}[a-z]*\\b`).exec(t);
  if (m) return { phrase: m[0], month: m[2] as string, day: Number(m[1]) };
  m = new RegExp(`\\bsince\\s+the\\s+(?:start|beginning)\\s+of\\s+${MONTH}[a-z]*\\b`).exec(t);
  if (m) return { phrase: m[0], month: m[1] as string, day: 1 };
  return undefined;
}

function span(phrase: string, from: DateTime, now: DateTime): TimeWindow {
  const hours = Math.max(1, Math.ceil(now.diff(from, 'hours').hours - 1e-9));
  return { phrase, hours, days: Math.max(1, Math.ceil(hours / 24)) };
}
const trailing = (phrase: string, hours: number): TimeWindow => ({
  phrase,
  hours: Math.max(1, Math.round(hours)),
  days: Math.max(1, Math.ceil(hours / 24)),
});

/**
 * The first time window named in `text` (lower-cased), or undefined. Calendar words ("this week", "since
 * Monday", "this month") start at midnight in `timezone`; weeks start on Monday. A sprint counts `sprintDays`.
 */
export function parseTimeWindow(
  text: string,
  now: Date,
  options: { timezone?: string; sprintDays?: number } = {},
): TimeWindow | undefined {
  // "qtr" is a quarter wherever a quarter may be named ("this qtr", "last 2 qtrs").
  const t = text.toLowerCase().replace(/\bqtr(s?)\b/g, 'quarter$1');
  const zone = options.timezone ?? 'UTC';
  const at = DateTime.fromJSDate(now, { zone });
  const today = at.startOf('day');
  const sprintDays = options.sprintDays ?? 14;
  let m: RegExpExecArray | null;

  m = new RegExp(`\\b(?:last|past|previous|over the last|in the last|within the last)\\s+${NUM}\\s*${UNIT}\\b`).exec(t);
  if (m) return trailing(m[0], (NUMBER_WORDS[m[1] as string] ?? Number(m[1])) * unitHours(m[2] as string, sprintDays));
  m = /\b(?:last|past|previous)\s+(hour|day|week|fortnight|month|quarter|year)\b/.exec(t);
  if (m) return trailing(m[0], unitHours(m[1] as string));
  // "Go back 6 weeks", "looking back three months".
  m = new RegExp(`\\b(?:go|going|goes|look|looking|reach|reaching)\\s+back\\s+(?:over\\s+)?${NUM}\\s*${UNIT}\\b`).exec(
    t,
  );
  if (m) return trailing(m[0], (NUMBER_WORDS[m[1] as string] ?? Number(m[1])) * unitHours(m[2] as string, sprintDays));
  m = new RegExp(`\\b${NUM}\\s*${UNIT}\\s+(?:ago|back)\\b`).exec(t);
  if (m) return trailing(m[0], (NUMBER_WORDS[m[1] as string] ?? Number(m[1])) * unitHours(m[2] as string, sprintDays));
  m = /(?:^|\s)(\d{1,3})\s?([dwmh])(?=$|[\s?.,!])/.exec(t);
  if (m) return trailing(m[0].trim(), Number(m[1]) * unitHours(m[2] as string));
  m = /\b(?:for|over|in|during)\s+(?:the\s+)?(\d{1,3})\s+(hours?|days?|weeks?|months?)\b/.exec(t);
  if (m) return trailing(m[0], Number(m[1]) * unitHours(m[2] as string));
  // "Dora for a fortnight", "over a week".
  m = /\b(?:for|over|across)\s+(?:a|one)\s+(day|week|fortnight|month|quarter|year)\b/.exec(t);
  if (m) return trailing(m[0], unitHours(m[1] as string));

  m = /\bsince\s+(?:last\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b/.exec(t);
  if (m) {
    const weekday = WEEKDAYS.findIndex((d) => d.startsWith(m?.[1] as string)) + 1;
    let from = today.set({ weekday: weekday as 1 });
    if (from >= today) from = from.minus({ weeks: 1 });
    return span(m[0], from, at);
  }
  m = /\bsince\s+(\d{4}-\d{2}-\d{2})\b/.exec(t);
  if (m) {
    const from = DateTime.fromISO(m[1] as string, { zone });
    if (from.isValid && from < at) return span(m[0], from, at);
  }
  // "since nov 16", "from Nov 16th", "since 16 nov", "since the 16th of november", "since the start of november".
  const dated = monthDay(t);
  if (dated) {
    let from = today.set({ month: MONTHS.indexOf(dated.month) + 1, day: dated.day });
    if (from > at) from = from.minus({ years: 1 });
    if (from.isValid) return span(dated.phrase, from, at);
  }
  // "Since the 20th": the latest 20th of a month that has begun.
  m = /\b(?:since|from)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[a-z]{3})/.exec(t);
  if (m) {
    const day = Number(m[1]);
    let from = today.set({ day });
    if (from.day !== day || from > at) from = today.startOf('month').minus({ months: 1 }).set({ day });
    if (from.isValid && from.day === day && from < at) return span(m[0], from, at);
  }
  m =
    /\b(this|current)\s+(week|month|quarter|year|sprint|cycle|iteration)\b|\bso far this (week|month|quarter|year)\b/.exec(
      t,
    );
  if (m) {
    const unit = (m[2] ?? m[3]) as string;
    if (unit === 'sprint' || unit === 'cycle' || unit === 'iteration')
      return trailing(m[0], (options.sprintDays ?? 14) * 24);
    return span(m[0], today.startOf(unit as 'week'), at);
  }
  m = /\b(?:ytd|year to date)\b/.exec(t);
  if (m) return span(m[0], today.startOf('year'), at);
  // "MTD", "quarter to date", "since the start of the month": from the start of the calendar unit.
  m =
    /\b(?:(w|m|q)td|(week|month|quarter) to date|since the (?:start|beginning) of (?:the |this )?(week|month|quarter|year))\b/.exec(
      t,
    );
  if (m) {
    const unit = m[2] ?? m[3] ?? ({ w: 'week', m: 'month', q: 'quarter' } as const)[m[1] as 'w'];
    return span(m[0], today.startOf(unit as 'week'), at);
  }
  // "since last week", "since last month": from the start of the previous one.
  m = /\bsince\s+last\s+(week|month|quarter|year)\b/.exec(t);
  if (m) {
    const unit = m[1] as 'week';
    return span(m[0], today.startOf(unit).minus({ [`${unit}s`]: 1 }), at);
  }
  // "Q3", "Q3 2026": from the start of that quarter (the latest one so named that has begun) until now.
  m = /\bq([1-4])(?:\s*(?:'|20)?(\d{2}))?\b/.exec(t);
  if (m) {
    const year = m[2] ? 2000 + Number(m[2]) : at.year;
    let from = DateTime.fromObject({ year, month: 3 * (Number(m[1]) - 1) + 1, day: 1 }, { zone });
    if (!m[2] && from > at) from = from.minus({ years: 1 });
    if (from < at) return span(m[0], from, at);
  }
  // "since November", "in October", "during september": from the start of that month (the latest one begun).
  m =
    /\b(?:since|in|during|from)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\b(?!\s*\d)/.exec(
      t,
    );
  if (m && (m[1] !== 'may' || /\bsince\b/.test(m[0]))) {
    let from = today.set({ month: MONTHS.indexOf(m[1] as string) + 1, day: 1 });
    if (from > at) from = from.minus({ years: 1 });
    return span(m[0], from, at);
  }
  // "over the weekend": since the last Saturday.
  m = /\b(?:over |during |on )?the weekend\b/.exec(t);
  if (m) {
    let from = today.set({ weekday: 6 });
    if (from >= today) from = from.minus({ weeks: 1 });
    return span(m[0], from, at);
  }
  m = /\b(?:last|previous)\s+(sprint|cycle|iteration)\b/.exec(t);
  if (m) return trailing(m[0], 2 * (options.sprintDays ?? 14) * 24);
  m = /\byesterday\b/.exec(t);
  if (m) return trailing(m[0], 48);
  // "Today", "this morning": since midnight, like the other calendar words; "overnight" reaches into yesterday.
  m = /\b(?:today|this morning)\b/.exec(t);
  if (m) return span(m[0], today, at);
  m = /\b(?:overnight|last night)\b/.exec(t);
  if (m) return trailing(m[0], 24);
  m = /\blast\s+(mon|tue|wed|thu|fri)[a-z]*\b/.exec(t);
  if (m) {
    const weekday = WEEKDAYS.findIndex((d) => d.startsWith(m?.[1] as string)) + 1;
    let from = today.set({ weekday: weekday as 1 });
    if (from >= today) from = from.minus({ weeks: 1 });
    return span(m[0], from, at);
  }
  return undefined;
}
