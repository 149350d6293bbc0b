import { Blocks, Message } from 'slack-block-builder';
import type { Standup } from '../../src/reports/standup.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { requestedReviewerNames } from '../requested-reviewers.js';
import { escapeMrkdwn, link as linkTo, slackDate, truncate } from '../text.js';

const link = (label: string, url: string | null) => (url ? linkTo(url, escapeMrkdwn(label)) : escapeMrkdwn(label));
const list = (items: string[], max: number) =>
  items.length > max ? `${items.slice(0, max).join(', ')} +${items.length - max}` : items.join(', ');

/** Slack refuses a section's text over 3,000 characters. */
const SECTION_MAX = 2900;

/** One person's lines, at most `max` items a line; without `links`, names alone; with `named`, their name first. */
function personText(p: Standup['people'][number], max: number, links: boolean, named = true): string {
  const ref = (label: string, url: string | null) => link(label, links ? url : null);
  const name = p.slack ? `<@${p.slack}>` : `*${escapeMrkdwn(p.who)}*`;
  // One line per kind of work, its items as links (at most `max`); a kind with no items has no line.
  const line = (lead: string, items: string[]) => (items.length ? `${lead} ${list(items, max)}` : '');
  const lines = [
    line(
      ':white_check_mark: merged',
      p.merged.map((x) => ref(x.ref, x.url)),
    ),
    line(
      ':arrow_up: opened',
      p.opened.map((x) => ref(x.ref, x.url)),
    ),
    line(
      ':eyes: reviewed',
      p.reviewed.map((x) => ref(x.ref, x.url)),
    ),
    line(
      ':arrow_right: moved',
      p.moved.map((x) => `${ref(x.key, x.url)} → ${escapeMrkdwn(x.to)}`),
    ),
    line(
      ':construction: blocked:',
      p.blocked.map((x) => ref(x.key, x.url)),
    ),
    line(
      ':hourglass: waiting on',
      p.waitingOn.map((x) => `${requestedReviewerNames(x).map(escapeMrkdwn).join(', ')} for ${ref(x.ref, x.url)}`),
    ),
  ].filter(Boolean);
  const body = lines.join('\n') || '_nothing recorded_';
  return named ? `${name}\n${body}` : body;
}

/**
 * A person's section within `max` characters: fewer items a line (the rest counted as "+n") before a cut, which could
 * end inside a link and show its markup; links dropped before the text is cut at all.
 */
function personSection(p: Standup['people'][number], max: number, named = true): string {
  for (const links of [true, false])
    for (let items = 5; items >= 1; items -= 1) {
      const text = personText(p, items, links, named);
      if (text.length <= max) return text;
    }
  return truncate(personText(p, 1, false, named), max);
}

/**
 * The people's sections together stay under this many characters: Slack refuses a message whose blocks hold more
 * than about 12,000 characters of text in all (`msg_blocks_too_long`, reported at 12-13k and once at 11,341 by the
 * reporter's count, slackapi/bolt-js#2867; the limit is undocumented),
 * and the rest of a standup (header, totals, team line, a model's summary of up to 2,000) needs room too.
 */
export const STANDUP_PEOPLE_BUDGET = 8000;

/** Each person's section, all of them shortened alike (busiest people first) until together they fit the budget. */
function peopleSections(people: Standup['people']): string[] {
  for (const max of [SECTION_MAX, 2000, 1500, 1000, 700, 500]) {
    const texts = people.map((p) => personSection(p, max));
    if (texts.reduce((n, t) => n + t.length, 0) <= STANDUP_PEOPLE_BUDGET) return texts;
  }
  return people.map((p) => personSection(p, Math.floor(STANDUP_PEOPLE_BUDGET / Math.max(1, people.length))));
}

/** "3 merged · 1 opened · …" over `people`. */
function totals(people: Standup['people']): string {
  const total = (f: (p: Standup['people'][number]) => number) => people.reduce((n, p) => n + f(p), 0);
  return `${total((p) => p.merged.length)} merged · ${total((p) => p.opened.length)} opened · ${total((p) => p.reviewed.length)} reviews · ${total((p) => p.moved.length)} tickets moved · ${total((p) => p.blocked.length)} blocked`;
}

const utcMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const endedAt = (d: Date) => slackDate(d, '{date_short_pretty} at {time}', utcMinute(d));

/**
 * `/em standup`, and a scheduled standup: per person, what moved; then the team's totals. With `late` (a scheduled
 * standup caught up after its slot), the window is named by its end, which is the slot's time and not the post's.
 */
export function standupMessage(s: Standup, options: { late?: boolean } = {}): SlackMessage {
  const sections = peopleSections(s.people.slice(0, 20)).map((text) => Blocks.Section({ text }));
  const window = options.late ? `the ${s.hours} hours to ${endedAt(s.to)} (posted late)` : `the last ${s.hours} hours`;
  const built = Message({
    text: `Standup: ${options.late ? `the ${s.hours} hours to ${utcMinute(s.to)}` : window}`,
  })
    .blocks(
      Blocks.Section({ text: `*Standup* — ${window}` }),
      ...(sections.length ? sections : [Blocks.Section({ text: '_No activity synced in this window._' })]),
      ...(s.people.length > 20 ? [Blocks.Context().elements(`…and ${s.people.length - 20} more people`)] : []),
      Blocks.Context().elements(`*Team*: ${totals(s.people)}`),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

/**
 * The weekly digest, a DM to one person: their own week, dated (not "the last 168 hours"), in their own words (no
 * mention of themselves, no team's totals).
 */
export function weeklyDigestMessage(d: { from: Date; to: Date; person: Standup['people'][number] }): SlackMessage {
  const day = (date: Date) => slackDate(date, '{date_short_pretty}', date.toISOString().slice(0, 10));
  const built = Message({ text: 'Your week' })
    .blocks(
      Blocks.Section({ text: `*Your week* — ${day(d.from)} to ${day(d.to)}` }),
      Blocks.Section({ text: personSection(d.person, SECTION_MAX, false) }),
      Blocks.Context().elements(`*Your week in all*: ${totals([d.person])}`),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

/** `/em standup history @person`: their entries in posted standups, newest first. */
export function standupHistoryMessage(
  user: string,
  rows: { posted_at: Date; team: string; summary: string }[],
): SlackMessage {
  const when = (d: Date) => slackDate(d, '{date_short_pretty}', d.toISOString().slice(0, 10));
  // Whole lines only: a cut could end inside a date's markup and show it raw.
  const lines: string[] = [];
  let length = 0;
  for (const r of rows) {
    const line = `${when(r.posted_at)} _${escapeMrkdwn(r.team)}_: ${escapeMrkdwn(truncate(r.summary, 300))}`;
    if (length + line.length + 1 > SECTION_MAX - 40) break;
    lines.push(line);
    length += line.length + 1;
  }
  const more = rows.length - lines.length;
  const body = rows.length
    ? `${lines.join('\n')}${more ? `\n_…and ${more} more_` : ''}`
    : '_No posted standups mention them yet. Schedule standups in reports.yml._';
  const built = Message({ text: 'Standup history' })
    .blocks(Blocks.Section({ text: `*Standup history* of <@${user}>` }), Blocks.Section({ text: body }))
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
