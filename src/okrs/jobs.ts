import type { WebClient } from '@slack/web-api';
import { checkinRequestMessage } from '../../blocks/okrs/okrs.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { currentQuarter, weekOf } from './model.js';
import { getKeyResult, markRequestSent, pendingRequests } from './store.js';

export interface CheckinDeps {
  db: Db;
  slack: () => WebClient | undefined;
  /** The notification pipeline's gate for DMs that are not items: pauses, quiet hours and caps apply. */
  dmGate: (recipient: string, kind: string) => Promise<boolean>;
  /** Whether it is the time of day to ask the owner (their digest time on a working day); default: any time. */
  due?: (recipient: string, now: Date) => Promise<boolean>;
  clock?: () => Date;
  /** Where an owner Slack would not DM is told about (they are asked again on a later tick). */
  logger?: Logger;
}

/**
 * This week's check-in requests: one DM per owner listing their key results of the current quarter (of teams not
 * archived; each to its owner now) that have no check-in this week, from the owner's digest time on a working day,
 * when the notification pipeline lets it through (paused, in quiet hours or over the cap: it is tried again on a
 * later tick). Returns the owners told.
 */
export async function sendCheckinRequests(deps: CheckinDeps): Promise<string[]> {
  const now = deps.clock?.() ?? new Date();
  const slack = deps.slack();
  if (!slack) return [];
  const week = weekOf(now);
  const pending = await pendingRequests(deps.db, currentQuarter(now).key, week);
  const byOwner = new Map<string, number[]>();
  for (const p of pending) byOwner.set(p.owner, [...(byOwner.get(p.owner) ?? []), p.keyResultId]);
  const told: string[] = [];
  for (const [owner, ids] of byOwner) {
    if (deps.due && !(await deps.due(owner, now))) continue;
    if (!(await deps.dmGate(owner, 'okr_checkin'))) continue;
    const krs = [];
    for (const id of ids) {
      const kr = await getKeyResult(deps.db, id);
      if (kr) krs.push({ id, title: kr.title, objective: kr.objective });
    }
    const message = checkinRequestMessage(krs);
    // One owner Slack will not DM (an unknown or deleted account) must not cost the owners after them theirs.
    try {
      const dm = await slack.conversations.open({ users: owner });
      await slack.chat.postMessage({
        channel: dm.channel?.id as string,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      });
    } catch (err) {
      deps.logger?.warn({ err, owner }, 'could not send the OKR check-in request; it is tried again on a later tick');
      continue;
    }
    await markRequestSent(deps.db, ids, week);
    told.push(owner);
  }
  return told;
}

/** Weekly check-ins: each tick sends what this week still owes (once per key result and week). */
export function okrCheckinJob(deps: CheckinDeps, every: string): JobDefinition {
  return {
    name: 'okrs:checkins',
    every,
    async run({ logger }) {
      const told = await sendCheckinRequests({ logger, ...deps });
      if (told.length) logger.info({ owners: told.length }, 'OKR check-in requests sent');
    },
  };
}
