import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { agentHeardMessage } from '../../agent/listeners.js';
import { followUpInThread } from '../../ask/listeners.js';
import { timelineFiles } from '../../incidents/model.js';
import { insertEvents } from '../../sync/store.js';
import type { SlackDeps } from '../deps.js';
import { publishHome } from '../home.js';
import { channelMembership } from '../membership.js';

type EventArgs<T extends string> = SlackEventMiddlewareArgs<T> & AllMiddlewareArgs;

const PIN = 'pushpin';
const tsDate = (ts: string) => new Date(Math.round(Number(ts) * 1000));

export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client }: EventArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps.home, { userId: event.user, db: deps.db }, deps.logger);
  };
}

/** Channel messages are kept as events (incident timelines and history read them). */
export function messagePosted(deps: SlackDeps) {
  return async (args: EventArgs<'message'>) => {
    const { event, client } = args;
    const e = event as unknown as Record<string, unknown> & { channel: string; ts: string; subtype?: string };
    const changed = e.subtype === 'message_changed' ? (e.message as Record<string, unknown>) : undefined;
    const kind =
      e.subtype === 'message_changed'
        ? 'message_changed'
        : e.subtype === 'message_deleted'
          ? 'message_deleted'
          : 'message';
    await insertEvents(deps.db, [
      {
        source: 'slack',
        kind,
        externalId: `${e.channel}:${String(changed?.ts ?? e.deleted_ts ?? e.ts)}:${e.ts}`,
        occurredAt: tsDate(e.ts),
        actor: String(changed?.user ?? e.user ?? ''),
        subject: e.channel,
        normalized: { text: changed?.text ?? e.text ?? null, thread_ts: e.thread_ts ?? null, files: e.files ?? null },
        raw: e,
      },
    ]);
    if (kind === 'message' && (await agentHeardMessage(deps, args))) return;
    if (kind === 'message' && e.thread_ts) await followUpInThread(deps, e as never, client);
    if (!deps.incidents) return;
    // Only a person's edit carries `edited` (and its time); Slack's link unfurls arrive as message_changed without it.
    const edited = changed?.edited as { ts?: string } | undefined;
    if (kind === 'message_changed' && changed)
      await deps.incidents.messageEdited(
        e.channel,
        String(changed.ts),
        String(changed.text ?? ''),
        Array.isArray(changed.files) ? timelineFiles(changed.files) : null,
        edited?.ts ? tsDate(edited.ts) : null,
      );
    if (kind === 'message_deleted') await deps.incidents.messageDeleted(e.channel, String(e.deleted_ts));
  };
}

export function reactionAdded(deps: SlackDeps) {
  return async ({ event }: EventArgs<'reaction_added'>) => {
    const item = event.item as { channel?: string; ts?: string };
    await insertEvents(deps.db, [
      {
        source: 'slack',
        kind: 'reaction_added',
        externalId: `${item.channel}:${item.ts}:${event.user}:${event.reaction}`,
        occurredAt: tsDate(event.event_ts),
        actor: event.user,
        subject: item.channel ?? null,
        normalized: { reaction: event.reaction, channel: item.channel, ts: item.ts },
        raw: event,
      },
    ]);
    if (event.reaction === PIN && item.channel && item.ts)
      await deps.incidents?.pinMessage(item.channel, item.ts, event.user);
  };
}

/** Taking the :pushpin: off a message takes it off the incident timeline. */
export function reactionRemoved(deps: SlackDeps) {
  return async ({ event }: EventArgs<'reaction_removed'>) => {
    const item = event.item as { channel?: string; ts?: string };
    if (event.reaction === PIN && item.channel && item.ts) await deps.incidents?.unpinMessage(item.channel, item.ts);
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
