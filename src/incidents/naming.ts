import { DateTime } from 'luxon';

// Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters.
const MAX_NAME = 80;
const SUFFIX_ROOM = 4; // "-99"

/** "inc-20261125-checkout-is-failing": the date in the team's time zone, then a slug of the title. */
export function incidentChannelName(title: string, at: Date, timezone = 'UTC'): string {
  const day = DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyyMMdd');
  const prefix = `inc-${day}-`;
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME - prefix.length - SUFFIX_ROOM)
    .replace(/-+$/, '');
  return `${prefix}${slug || 'incident'}`;
}

/** The names to try in order when a name is taken: the base, then -2, -3, … */
export function channelNameCandidates(base: string, count = 20): string[] {
  return [base, ...Array.from({ length: count - 1 }, (_, i) => `${base}-${i + 2}`)];
}
