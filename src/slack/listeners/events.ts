import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { publishHome } from '../home.js';
import { channelMembership } from '../membership.js';

export type EventArgs<T extends string> = SlackEventMiddlewareArgs<T> & AllMiddlewareArgs;

/** A Slack message timestamp ("1700000000.000100") as a Date. */
export const slackTsDate = (ts: string) => new Date(Math.round(Number(ts) * 1000));

export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client }: EventArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps.home, { userId: event.user, db: deps.db }, deps.logger);
  };
}

/** Someone left a channel: what they could see through it is re-checked at once, not when the cache lapses. */
export function memberLeft() {
  return async ({ event }: EventArgs<'member_left_channel'>) => {
    channelMembership.forget(event.channel);
  };
}

/** When the bot is added to a channel it says what it can do there. */
export function memberJoined(deps: SlackDeps) {
  return async ({ event, client, context }: EventArgs<'member_joined_channel'>) => {
    if (event.user !== context.botUserId) return;
    await client.chat.postMessage({
      channel: event.channel,
      text: 'Hi! I’m EM Agent. Try `/em help` here; `/em triage post #this-channel` shares what needs attention.',
    });
    deps.logger.info({ channel: event.channel }, 'joined channel');
  };
}
