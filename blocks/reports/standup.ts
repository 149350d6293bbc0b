import { Blocks, Message } from 'slack-block-builder';
import type { Standup } from '../../src/reports/standup.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { requestedReviewerNames } from '../requested-reviewers.js';
import { escapeMrkdwn, link as linkTo, slackDate, truncate } from '../text.js';

const link = (label: string, url: string | null) => (url ? linkTo(url, escapeMrkdwn(label)) : escapeMrkdwn(label));
const list = (items: string[], max = 5) =>
  items.length > max ? `${items.slice(0, max).join(', ')} +${items.length - max}` : items.join(', ');

/** `/em standup`: per person, what moved; then the team's totals. */
export function standupMessage(s: Standup): SlackMessage {
  const sections = s.people.slice(0, 20).map((p) => {
    const name = p.slack ? `<@${p.slack}>` : `*${escapeMrkdwn(p.who)}*`;
    const lines = [
      p.merged.length ? `:white_check_mark: merged ${list(p.merged.map((x) => link(x.ref, x.url)))}` : '',
      p.opened.length ? `:arrow_up: opened ${list(p.opened.map((x) => link(x.ref, x.url)))}` : '',
      p.reviewed.length ? `:eyes: reviewed ${list(p.reviewed.map((x) => link(x.ref, x.url)))}` : '',
      p.moved.length
        ? `:arrow_right: moved ${list(p.moved.map((x) => `${link(x.key, x.url)} → ${escapeMrkdwn(x.to)}`))}`
        : '',
      p.blocked.length ? `:construction: blocked: ${list(p.blocked.map((x) => link(x.key, x.url)))}` : '',
      p.waitingOn.length
        ? `:hourglass: waiting on ${list(p.waitingOn.map((x) => `${requestedReviewerNames(x).map(escapeMrkdwn).join(', ')} for ${link(x.ref, x.url)}`))}`
        : '',
    ].filter(Boolean);
    return Blocks.Section({ text: truncate(`${name}\n${lines.join('\n') || '_nothing recorded_'}`, 2900) });
  });
  const total = (f: (p: Standup['people'][number]) => number) => s.people.reduce((n, p) => n + f(p), 0);
  const summary = `*Team*: ${total((p) => p.merged.length)} merged · ${total((p) => p.opened.length)} opened · ${total((p) => p.reviewed.length)} reviews · ${total((p) => p.moved.length)} tickets moved · ${total((p) => p.blocked.length)} blocked`;
  const built = Message({ text: `Standup: the last ${s.hours} hours` })
    .blocks(
      Blocks.Section({ text: `*Standup* — the last ${s.hours} hours` }),
      ...(sections.length ? sections : [Blocks.Section({ text: '_No activity synced in this window._' })]),
      ...(s.people.length > 20 ? [Blocks.Context().elements(`…and ${s.people.length - 20} more people`)] : []),
      Blocks.Context().elements(summary),
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
  const body = rows.length
    ? rows
        .map((r) => `${when(r.posted_at)} _${escapeMrkdwn(r.team)}_: ${escapeMrkdwn(truncate(r.summary, 300))}`)
        .join('\n')
    : '_No posted standups mention them yet. Schedule standups in reports.yml._';
  const built = Message({ text: 'Standup history' })
    .blocks(Blocks.Section({ text: `*Standup history* of <@${user}>` }), Blocks.Section({ text: truncate(body, 2900) }))
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
