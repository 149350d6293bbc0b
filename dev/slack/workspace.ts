// The emulator's small model of a Slack workspace: users, channels, membership, messages, views, files.

export interface User {
  id: string;
  name: string;
  real_name: string;
  email: string;
  tz: string;
  is_bot: boolean;
  /** Deactivated by an admin: Slack still answers users.info for them, with `deleted: true`. */
  deleted: boolean;
}

export interface Channel {
  id: string;
  name: string;
  is_channel: boolean;
  is_im: boolean;
  is_private: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  members: Set<string>;
}

export interface Message {
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  edited?: { user: string; ts: string };
  reactions: { name: string; users: string[] }[];
  pinned: boolean;
  files?: { id: string; title?: string; name?: string; mimetype?: string; url_private?: string; permalink?: string }[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Link unfurls Slack added after the message was posted. */
  attachments?: { id: number; from_url: string; original_url: string; title: string; fallback: string }[];
}

export interface Ephemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  via: 'ack' | 'chat.postEphemeral' | 'response_url';
  at: number;
  /** The response_url of the interaction this ephemeral answers; replace_original on it replaces this one. */
  responseUrl?: string;
}

export interface View {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  user: string;
  callback_id?: string;
  external_id?: string;
  private_metadata?: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  blocks: unknown[];
  hash: string;
  root_view_id: string | null;
  previous_view_id: string | null;
  state: { values: Record<string, unknown> };
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  bytes: Buffer;
  completed: boolean;
  channels: string[];
}

export class Workspace {
  readonly teamId = 'T0EMULATE';
  readonly teamDomain = 'emulated';
  readonly appId = 'A0EMAGENT';
  readonly botUserId = 'U0EMBOT';
  readonly botId = 'B0EMBOT';

  readonly users = new Map<string, User>();
  readonly channels = new Map<string, Channel>();
  readonly messages = new Map<string, Message[]>();
  readonly ephemerals: Ephemeral[] = [];
  readonly views = new Map<string, View>();
  /** Per user, the stack of open modals (ids, root first). */
  readonly modalStacks = new Map<string, string[]>();
  readonly homeViews = new Map<string, string>();
  readonly files = new Map<string, UploadedFile>();
  readonly userGroups = new Map<string, { id: string; handle: string; users: string[] }>();

  private counter = 0;
  private lastTs = 0;

  constructor() {
    this.addUser({
      id: this.botUserId,
      name: 'em-agent',
      real_name: 'EM Agent',
      email: 'em-agent@bots.local',
      is_bot: true,
    });
  }

  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(6, '0')}`;
  }

  /** Unique, increasing message timestamps, formatted as Slack's "seconds.micros". */
  nextTs(): string {
    const now = Date.now() * 1000;
    this.lastTs = Math.max(now, this.lastTs + 1);
    return `${Math.floor(this.lastTs / 1e6)}.${String(this.lastTs % 1e6).padStart(6, '0')}`;
  }

  addUser(user: Partial<User> & { name: string }): User {
    const full: User = {
      id: user.id ?? this.nextId('U'),
      name: user.name,
      real_name: user.real_name ?? user.name,
      email: user.email ?? `${user.name}@example.com`,
      tz: user.tz ?? 'Europe/London',
      is_bot: user.is_bot ?? false,
      deleted: user.deleted ?? false,
    };
    this.users.set(full.id, full);
    return full;
  }

  addChannel(
    name: string,
    options: { members?: string[]; isPrivate?: boolean; creator?: string; isIm?: boolean } = {},
  ): Channel {
    const channel: Channel = {
      id: this.nextId(options.isIm ? 'D' : options.isPrivate ? 'G' : 'C'),
      name,
      is_channel: !options.isIm,
      is_im: options.isIm ?? false,
      is_private: options.isPrivate ?? false,
      is_archived: false,
      created: Math.floor(Date.now() / 1000),
      creator: options.creator ?? this.botUserId,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: new Set(options.members ?? []),
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    return channel;
  }

  channelByName(name: string): Channel | undefined {
    const bare = name.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === bare);
  }

  /** The direct-message channel between the bot and a user, opened on first use. */
  imWith(userId: string): Channel {
    const existing = [...this.channels.values()].find((c) => c.is_im && c.members.has(userId));
    return existing ?? this.addChannel(userId, { isIm: true, members: [userId, this.botUserId] });
  }

  addMessage(message: Omit<Message, 'ts' | 'reactions' | 'pinned'> & { ts?: string }): Message {
    const full: Message = { reactions: [], pinned: false, ...message, ts: message.ts ?? this.nextTs() };
    this.messages.get(full.channel)?.push(full);
    return full;
  }

  findMessage(channel: string, ts: string): Message | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  channelInfo(channel: Channel) {
    const { members, ...rest } = channel;
    return { ...rest, is_member: members.has(this.botUserId), num_members: members.size };
  }

  viewJson(view: View) {
    const { user: _user, ...rest } = view;
    return { ...rest, app_id: this.appId, bot_id: this.botId };
  }
}
