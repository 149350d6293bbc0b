import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import { slackErrorCode } from '../slack/errors.js';
import { shownName } from '../slack/people.js';

/** A message the co-pilot posts: its text (the notification and fallback), and Block Kit when it has any. */
export type OutgoingMessage = Pick<SlackMessage, 'text'> & Partial<Pick<SlackMessage, 'blocks'>>;

/** Where a posted message went: the channel's id (also when it was named `#incidents`) and its ts. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/** A message read back from Slack, as it is now. */
export interface SlackMessageNow {
  text: string;
  user: string | null;
  files: unknown;
}

/**
 * Everything the incident flows do in Slack, and nothing else: the flows call this, never a Web API client. Errors
 * are Slack's own (describe them with `describeSlackError`); the few answers a flow expects are values instead.
 */
export interface IncidentSlack {
  /** Creates a channel; null when the name is taken. */
  createChannel(name: string, isPrivate: boolean): Promise<string | null>;
  setTopic(channel: string, topic: string): Promise<void>;
  setPurpose(channel: string, purpose: string): Promise<void>;
  /** Invites Slack users (ids); someone already there is no error. */
  invite(channel: string, users: string[]): Promise<void>;
  post(channel: string, message: OutgoingMessage, options?: { thread?: string }): Promise<PostedMessage>;
  update(channel: string, ts: string, message: OutgoingMessage): Promise<void>;
  pin(channel: string, ts: string): Promise<void>;
  react(channel: string, ts: string, emoji: string): Promise<void>;
  /** The message's link; null when Slack gives none. */
  permalink(channel: string, ts: string): Promise<string | null>;
  /** The message as it is now (it may have been edited); null when Slack's history does not have it. */
  message(channel: string, ts: string): Promise<SlackMessageNow | null>;
  /** A direct message to a person. */
  tellDirectly(user: string, message: OutgoingMessage): Promise<void>;
  /** A person's name as Slack shows it (display name, else real name), or null. */
  userName(user: string): Promise<string | null>;
  /** Archives a channel; one already archived is no error. */
  archive(channel: string): Promise<void>;
}

const blockKit = (message: OutgoingMessage) => (message.blocks ? { blocks: message.blocks } : {});

/** Tolerates one Slack error code: the call's outcome when that is the error. */
async function unless(code: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (slackErrorCode(err) !== code) throw err;
  }
}

/** The port over Slack's Web API. */
export function incidentSlackOver(client: WebClient): IncidentSlack {
  const post = async (channel: string, message: OutgoingMessage, options: { thread?: string } = {}) => {
    const posted = await client.chat.postMessage({
      channel,
      text: message.text,
      ...blockKit(message),
      ...(options.thread ? { thread_ts: options.thread } : {}),
    });
    if (!posted.channel || !posted.ts) throw new Error('Slack did not say where the message was posted');
    return { channel: posted.channel, ts: posted.ts };
  };
  return {
    async createChannel(name, isPrivate) {
      try {
        const created = await client.conversations.create({ name, is_private: isPrivate });
        if (!created.channel?.id) throw new Error('Slack created a channel without an id');
        return created.channel.id;
      } catch (err) {
        if (slackErrorCode(err) === 'name_taken') return null;
        throw err;
      }
    },
    async setTopic(channel, topic) {
      await client.conversations.setTopic({ channel, topic });
    },
    async setPurpose(channel, purpose) {
      await client.conversations.setPurpose({ channel, purpose });
    },
    invite: (channel, users) =>
      unless('already_in_channel', () => client.conversations.invite({ channel, users: users.join(',') })),
    post,
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, ...blockKit(message) });
    },
    async pin(channel, ts) {
      await client.pins.add({ channel, timestamp: ts });
    },
    async react(channel, ts, emoji) {
      await client.reactions.add({ channel, timestamp: ts, name: emoji });
    },
    async permalink(channel, ts) {
      return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    },
    async message(channel, ts) {
      const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
      const found = history.messages?.find((m) => m.ts === ts);
      return found ? { text: found.text ?? '', user: found.user ?? null, files: found.files } : null;
    },
    async tellDirectly(user, message) {
      const dm = await client.conversations.open({ users: user });
      if (!dm.channel?.id) throw new Error(`Slack opened no direct message with ${user}`);
      await post(dm.channel.id, message);
    },
    archive: (channel) => unless('already_archived', () => client.conversations.archive({ channel })),
    async userName(user) {
      const info = await client.users.info({ user });
      return shownName(info.user) ?? null;
    },
  };
}
