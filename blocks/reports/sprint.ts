import { Blocks, Message } from 'slack-block-builder';
import type { SprintHealth } from '../../src/reports/sprint.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { escapeMrkdwn, link, truncate } from '../text.js';

const itemLink = (i: { key: string; url: string | null }) =>
  i.url ? link(i.url, escapeMrkdwn(i.key)) : escapeMrkdwn(i.key);

/** `/em sprint`: committed vs completed, scope change, carry-over risk, blocked and aging items. */
export function sprintMessage(s: SprintHealth | null): SlackMessage {
  if (!s) {
    const built = Message({ text: 'No active sprint' })
      .blocks(
        Blocks.Section({
          text: '_No active sprint or cycle is synced yet: connect Jira boards or Linear teams in sources.yml._',
        }),
      )
      .buildToObject();
    return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
  }
  const pct = s.committed.points ? Math.round((s.completed.points / s.committed.points) * 100) : 0;
  const risk =
    s.carryOverPoints === null
      ? ''
      : s.carryOverPoints === 0
        ? ':large_green_circle: On track at the current pace.'
        : `:warning: At the current pace about *${s.carryOverPoints} points* will carry over.`;
  const lines = [
    `*Committed*: ${s.committed.count} items, ${s.committed.points} points · *completed*: ${s.completed.count} items, ${s.completed.points} points (${pct}% of committed points)`,
    `*Scope change*: +${s.added.count} items (${s.added.points} points) added after the start${s.removed.count ? `, −${s.removed.count} removed (${s.removed.points} points)` : ''}`,
    s.carriedOver.count
      ? `*Carried over*: ${s.carriedOver.count} committed items (${s.carriedOver.points} points) were already in an earlier sprint`
      : '',
    `*Time*: day ${Math.floor(s.daysElapsed) + 1}${s.daysLeft !== null ? `, ${Math.ceil(s.daysLeft)} days left` : ', no end date set (pace not judged)'} · ${s.remainingPoints} points open`,
    risk,
  ].filter(Boolean);
  const problems = [
    s.blocked.length ? `:construction: *Blocked*: ${s.blocked.slice(0, 10).map(itemLink).join(', ')}` : '',
    s.aging.length
      ? `:snail: *Aging in progress*: ${s.aging
          .slice(0, 10)
          .map((i) => `${itemLink(i)} (${Math.floor(i.inStatusDays ?? 0)} d in ${escapeMrkdwn(i.status)})`)
          .join(', ')}`
      : '',
  ].filter(Boolean);
  // A tracker's sprint or cycle name has no length Slack would take for granted.
  const name = escapeMrkdwn(truncate(s.name, 200));
  const built = Message({ text: `Sprint health: ${name}` })
    .blocks(
      Blocks.Section({ text: `*Sprint health* — ${name} (${escapeMrkdwn(truncate(s.source, 40))})` }),
      Blocks.Section({ text: truncate(lines.join('\n'), 2900) }),
      ...(problems.length ? [Blocks.Section({ text: truncate(problems.join('\n'), 2900) })] : []),
      Blocks.Context().elements(
        'Committed = in the sprint when it started, with the estimates then; completed = in it now, in a done-category status; added = joined after the start and still in it; removed = left it after the start. Carry-over risk = open points minus the points/day pace so far times the days left.',
      ),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
