// A local Slack for em-agent: the Web API over HTTP and Socket Mode over a real WebSocket,
// with Slack's payload shapes, error names, limits, rate tiers, ack deadline and redelivery.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { ASSISTANT_METHOD_SCOPES, AssistantPane } from './assistant.js';
import { blocksTooLong, checkMessageBlocks, checkView, LIMITS } from './limits.js';
import { type Channel, type Message, type User, type View, Workspace } from './workspace.js';

type Args = Record<string, unknown>;
type Json = Record<string, unknown>;

export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Json = {},
  ) {
    super(error);
  }
}

// Requests per minute per tier and how many may come at once (Slack allows short bursts).
const TIERS = {
  1: { perMinute: 1, burst: 20 },
  2: { perMinute: 20, burst: 20 },
  3: { perMinute: 50, burst: 50 },
  4: { perMinute: 100, burst: 100 },
  special: { perMinute: 600, burst: 600 },
} as const;
type Tier = keyof typeof TIERS;

const METHOD_TIERS: Record<string, Tier> = {
  'apps.connections.open': 1,
  'conversations.create': 2,
  'conversations.invite': 3,
  'conversations.archive': 2,
  'conversations.setTopic': 3,
  'conversations.setPurpose': 3,
  'conversations.join': 3,
  'conversations.info': 3,
  'conversations.history': 3,
  'conversations.members': 4,
  'conversations.list': 2,
  'conversations.open': 3,
  'pins.add': 2,
  'reactions.add': 3,
  'usergroups.list': 2,
  'usergroups.users.list': 2,
  'users.lookupByEmail': 3,
  'users.info': 4,
  'views.open': 4,
  'views.push': 4,
  'views.update': 4,
  'views.publish': 4,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
  'chat.update': 3,
  'chat.delete': 3,
  'chat.postEphemeral': 4,
  'chat.postMessage': 'special',
  'auth.test': 'special',
  'chat.getPermalink': 'special',
};

// The bot scope each Web API method needs (manifest.yml grants them all; tests may revoke one).
const METHOD_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'conversations.create': 'channels:manage',
  'conversations.invite': 'channels:manage',
  'conversations.setTopic': 'channels:manage',
  'conversations.setPurpose': 'channels:manage',
  'conversations.archive': 'channels:manage',
  'conversations.join': 'channels:join',
  'conversations.history': 'channels:history',
  'pins.add': 'pins:write',
  'reactions.add': 'reactions:write',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
};

export interface RecordedCall {
  method: string;
  args: Args;
  ok: boolean;
  error?: string;
  status: number;
  at: number;
}

export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive' | 'events_api';
  payload: Json;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface Delivery {
  envelope: Envelope;
  /** The payload the app acked with (a slash-command reply, view response_action...). */
  ack?: Json;
  acked: boolean;
  attempts: number;
  /** Milliseconds from the last send to its ack. */
  ackLatencyMs?: number;
  /** Which connection acked it (connections are numbered from 1 as they open). */
  socketIndex?: number;
}

interface Pending {
  envelope: Envelope;
  attempts: number;
  sentAt: number;
  socket?: WebSocket;
  timer?: NodeJS.Timeout;
  resolve: (d: Delivery) => void;
}

interface ResponseUrl {
  user: string;
  channel: string;
  uses: number;
  createdAt: number;
  /** Set for interactions on a message: replace_original edits it. */
  message?: { channel: string; ts: string };
}

export interface EmulatorOptions {
  botToken?: string;
  appToken?: string;
  port?: number;
  /** Slack's 3 s; tests of the deadline may shorten it. */
  ackDeadlineMs?: number;
  /** Deliveries after the first for an unacked envelope. */
  maxRetries?: number;
  rateLimits?: boolean;
  /** Per-method overrides of {perMinute, burst}, e.g. to provoke a 429 quickly. */
  tierOverrides?: Record<string, { perMinute: number; burst: number }>;
  /** How often the server pings each socket (the client drops connections with no ping for 30 s). */
  pingIntervalMs?: number;
}

export class SlackEmulator {
  readonly workspace = new Workspace();
  /** The assistant pane (AI apps): threads, their status, title and suggested prompts. */
  readonly assistant = new AssistantPane(this, (error) => new SlackApiError(error));
  readonly calls: RecordedCall[] = [];
  readonly deliveries: Delivery[] = [];
  private readonly socketIndexes = new WeakMap<WebSocket, number>();
  private socketsOpened = 0;
  readonly responseUrlPosts: { url: string; body: Json }[] = [];
  readonly botToken: string;
  readonly appToken: string;

  private server?: Server;
  private wss?: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private queue: Pending[] = [];
  private inFlight = new Map<string, Pending>();
  private buckets = new Map<string, { tokens: number; updated: number }>();
  private triggers = new Map<string, { user: string; issuedAt: number }>();
  private responseUrls = new Map<string, ResponseUrl>();
  private connectionTickets = new Set<string>();
  private pinger?: NodeJS.Timeout;
  private roundRobin = 0;
  /** Scopes an admin removed from the installation; calls that need one fail with missing_scope. */
  private readonly revokedScopes = new Set<string>();
  private connectionListeners: (() => void)[] = [];
  /** Set when an admin deactivated the app or revoked its token: every bot-token call fails with this error. */
  private botTokenError?: 'invalid_auth' | 'account_inactive' | 'token_revoked';
  /** Events held back by holdEvents(), sent by releaseEvents() in another order. */
  private heldEvents?: Pending[];
  private readonly options: Required<Omit<EmulatorOptions, 'tierOverrides' | 'botToken' | 'appToken'>> &
    Pick<EmulatorOptions, 'tierOverrides'>;
  port = 0;
  /** When the app last called an API or acked an envelope (for "wait until things settle"). */
  lastActivityAt = Date.now();

  constructor(options: EmulatorOptions = {}) {
    this.botToken = options.botToken ?? `xoxb-emulator-${randomUUID()}`;
    this.appToken = options.appToken ?? `xapp-1-emulator-${randomUUID()}`;
    this.options = {
      port: options.port ?? 0,
      ackDeadlineMs: options.ackDeadlineMs ?? 3000,
      maxRetries: options.maxRetries ?? 3,
      rateLimits: options.rateLimits ?? true,
      tierOverrides: options.tierOverrides,
      pingIntervalMs: options.pingIntervalMs ?? 10_000,
    };
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: Error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: err.message }));
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (!url.pathname.startsWith('/link') || !this.connectionTickets.delete(ticket)) {
        socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss?.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve) => this.server?.listen(this.options.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.pinger = setInterval(() => {
      for (const ws of this.sockets) ws.ping();
    }, this.options.pingIntervalMs);
    this.pinger.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.pinger);
    for (const pending of [...this.queue, ...this.inFlight.values()]) clearTimeout(pending.timer);
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- Socket Mode

  private onSocket(ws: WebSocket) {
    this.sockets.add(ws);
    this.socketsOpened += 1;
    this.socketIndexes.set(ws, this.socketsOpened);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'emulator', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.workspace.appId },
      }),
    );
    ws.on('message', (data) => this.onAck(ws, data.toString()));
    ws.on('close', () => {
      this.sockets.delete(ws);
      // Envelopes sent on this socket and never acked go out again on the next connection.
      for (const pending of [...this.inFlight.values()]) {
        if (pending.socket === ws) {
          clearTimeout(pending.timer);
          this.inFlight.delete(pending.envelope.envelope_id);
          this.retry(pending, 'connection_lost');
        }
      }
    });
    for (const listener of this.connectionListeners.splice(0)) listener();
    this.flushQueue();
  }

  private onAck(ws: WebSocket, text: string) {
    let message: { envelope_id?: string; payload?: Json };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const pending = message.envelope_id ? this.inFlight.get(message.envelope_id) : undefined;
    if (!pending || pending.socket !== ws) return;
    clearTimeout(pending.timer);
    this.inFlight.delete(pending.envelope.envelope_id);
    this.lastActivityAt = Date.now();
    const delivery: Delivery = {
      envelope: pending.envelope,
      ack: message.payload ?? {},
      acked: true,
      attempts: pending.attempts,
      ackLatencyMs: Date.now() - pending.sentAt,
      socketIndex: this.socketIndexes.get(ws),
    };
    this.deliveries.push(delivery);
    this.applyAck(pending.envelope, delivery.ack ?? {});
    pending.resolve(delivery);
  }

  /** Sends an envelope to the app and resolves once it is acked (or given up after the retries). */
  deliver(type: Envelope['type'], payload: Json, acceptsResponsePayload = type !== 'events_api'): Promise<Delivery> {
    return new Promise((resolve) => {
      const envelope: Envelope = {
        envelope_id: randomUUID(),
        type,
        payload,
        accepts_response_payload: acceptsResponsePayload,
      };
      const pending = { envelope, attempts: 0, sentAt: 0, resolve };
      if (type === 'events_api' && this.heldEvents) this.heldEvents.push(pending);
      else {
        this.queue.push(pending);
        this.flushQueue();
      }
    });
  }

  /**
   * Holds back Events API deliveries (Slack delivers events at least once and in no guaranteed order) until
   * releaseEvents(). Whatever produces them must not be awaited in between: its promise settles on release.
   */
  holdEvents(): void {
    this.heldEvents ??= [];
  }

  /**
   * Sends the held events newest first (or in the given order of their indexes), each twice when `duplicate`
   * (the second copy with the same event_id, as Slack sends when an ack was lost); resolves once all are acked.
   */
  async releaseEvents(options: { order?: number[]; duplicate?: boolean } = {}): Promise<Delivery[]> {
    const held = this.heldEvents ?? [];
    this.heldEvents = undefined;
    const order = options.order ?? held.map((_, i) => held.length - 1 - i);
    const sends: Promise<Delivery>[] = [];
    for (const index of order) {
      const pending = held[index];
      if (!pending) throw new Error(`no held event ${index} (${held.length} held)`);
      sends.push(
        new Promise((resolve) =>
          this.queue.push({
            ...pending,
            resolve: (d) => {
              pending.resolve(d);
              resolve(d);
            },
          }),
        ),
      );
      if (options.duplicate)
        sends.push(
          new Promise((resolve) =>
            this.queue.push({
              envelope: { ...pending.envelope, envelope_id: randomUUID(), retry_attempt: 1, retry_reason: 'timeout' },
              attempts: 1,
              sentAt: 0,
              resolve,
            }),
          ),
        );
    }
    this.flushQueue();
    return Promise.all(sends);
  }

  private flushQueue() {
    while (this.queue.length && this.sockets.size) {
      const pending = this.queue.shift() as Pending;
      const sockets = [...this.sockets];
      const ws = sockets[this.roundRobin++ % sockets.length] as WebSocket;
      pending.attempts += 1;
      pending.socket = ws;
      pending.sentAt = Date.now();
      this.inFlight.set(pending.envelope.envelope_id, pending);
      ws.send(JSON.stringify(pending.envelope));
      pending.timer = setTimeout(() => {
        this.inFlight.delete(pending.envelope.envelope_id);
        this.retry(pending, 'timeout');
      }, this.options.ackDeadlineMs);
    }
  }

  private retry(pending: Pending, reason: string) {
    if (pending.attempts > this.options.maxRetries) {
      const delivery: Delivery = { envelope: pending.envelope, acked: false, attempts: pending.attempts };
      this.deliveries.push(delivery);
      pending.resolve(delivery);
      return;
    }
    pending.envelope = { ...pending.envelope, retry_attempt: pending.attempts, retry_reason: reason };
    this.queue.push(pending);
    this.flushQueue();
  }

  /** Closes every socket abruptly, as a network failure would. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Asks every client to reconnect, as Slack does before recycling a server. */
  requestRefresh(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    for (const ws of this.sockets) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'emulator' } }));
    }
  }

  /** Resolves when at least `n` clients are connected (hello sent). */
  waitForConnections(n = 1, timeoutMs = 15_000): Promise<void> {
    if (this.sockets.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${n} socket connection(s) within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (this.sockets.size >= n) {
          clearTimeout(timer);
          resolve();
        } else this.connectionListeners.push(check);
      };
      this.connectionListeners.push(check);
    });
  }

  // ---------------------------------------------------------------- what a user does

  private issueTrigger(user: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomUUID().slice(0, 8)}`;
    this.triggers.set(id, { user, issuedAt: Date.now() });
    return id;
  }

  private issueResponseUrl(user: string, channel: string, message?: ResponseUrl['message']): string {
    const id = randomUUID();
    this.responseUrls.set(id, { user, channel, uses: 0, createdAt: Date.now(), message });
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  private userRef(userId: string) {
    const user = this.requireUser(userId);
    return { id: user.id, username: user.name, name: user.name, team_id: this.workspace.teamId };
  }

  private team() {
    return { id: this.workspace.teamId, domain: this.workspace.teamDomain };
  }

  /** A user types a slash command; resolves with the delivery (its ack holds any immediate reply). */
  command(options: { user: string; channel: string; text: string; command?: string }): Promise<Delivery> {
    const channel = this.requireChannel(options.channel);
    const user = this.requireUser(options.user);
    return this.deliver('slash_commands', {
      token: 'verification-token-unused',
      team_id: this.workspace.teamId,
      team_domain: this.workspace.teamDomain,
      channel_id: channel.id,
      channel_name: channel.is_im ? 'directmessage' : channel.name,
      user_id: user.id,
      user_name: user.name,
      command: options.command ?? '/em',
      text: options.text,
      api_app_id: this.workspace.appId,
      is_enterprise_install: 'false',
      response_url: this.issueResponseUrl(user.id, channel.id),
      trigger_id: this.issueTrigger(user.id),
    });
  }

  /** A user opens the app's Home tab. */
  openHome(user: string): Promise<Delivery> {
    const im = this.workspace.imWith(user);
    return this.event({
      type: 'app_home_opened',
      user,
      channel: im.id,
      tab: 'home',
      event_ts: this.workspace.nextTs(),
    });
  }

  /** Delivers an Events API event wrapped as Slack wraps it. */
  event(event: Json): Promise<Delivery> {
    return this.deliver('events_api', {
      token: 'verification-token-unused',
      team_id: this.workspace.teamId,
      api_app_id: this.workspace.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.workspace.teamId,
          user_id: this.workspace.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomUUID()}`,
    });
  }

  /**
   * A user clicks a button they can see: in a channel message (by channel + ts), an ephemeral message
   * (by channel, matched by action id), their Home tab, or their open modal. Throws when no such button is shown.
   */
  click(options: {
    user: string;
    actionId: string;
    value?: string;
    where: { channel: string; ts: string } | { ephemeralIn: string } | 'home' | 'modal';
  }): Promise<Delivery> {
    const user = this.requireUser(options.user);
    const base = {
      type: 'block_actions',
      team: this.team(),
      user: this.userRef(user.id),
      api_app_id: this.workspace.appId,
      token: 'verification-token-unused',
      trigger_id: this.issueTrigger(user.id),
      enterprise: null,
      is_enterprise_install: false,
    };
    const action = (blocks: unknown[]) => {
      const found = findButton(blocks, options.actionId, options.value);
      if (!found) throw new Error(`no button "${options.actionId}" is shown to ${user.name} there`);
      return { ...found, action_ts: this.workspace.nextTs() };
    };
    if (options.where === 'home' || options.where === 'modal') {
      const viewId =
        options.where === 'home'
          ? this.workspace.homeViews.get(user.id)
          : this.workspace.modalStacks.get(user.id)?.at(-1);
      const view = viewId ? this.workspace.views.get(viewId) : undefined;
      if (!view) throw new Error(`${user.name} has no ${options.where} view open`);
      return this.deliver('interactive', {
        ...base,
        container: { type: 'view', view_id: view.id },
        view: this.workspace.viewJson(view),
        actions: [action(view.blocks)],
      });
    }
    if ('ephemeralIn' in options.where) {
      const channelId = options.where.ephemeralIn;
      const ephemeral = [...this.workspace.ephemerals]
        .reverse()
        .find(
          (e) =>
            e.user === user.id &&
            e.channel === channelId &&
            e.blocks &&
            findButton(e.blocks, options.actionId, options.value),
        );
      if (!ephemeral) throw new Error(`no ephemeral message with "${options.actionId}" shown to ${user.name}`);
      const channel = this.requireChannel(channelId);
      return this.deliver('interactive', {
        ...base,
        container: { type: 'message', message_ts: this.workspace.nextTs(), channel_id: channel.id, is_ephemeral: true },
        channel: { id: channel.id, name: channel.name },
        response_url: this.issueResponseUrl(user.id, channel.id),
        actions: [action(ephemeral.blocks ?? [])],
      });
    }
    const { channel: channelId, ts } = options.where;
    const message = this.workspace.findMessage(channelId, ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    const channel = this.requireChannel(channelId);
    return this.deliver('interactive', {
      ...base,
      container: { type: 'message', message_ts: ts, channel_id: channel.id, is_ephemeral: false },
      channel: { id: channel.id, name: channel.name },
      message: {
        type: 'message',
        ts,
        text: message.text,
        blocks: message.blocks,
        user: message.user,
        bot_id: message.bot_id,
      },
      response_url: this.issueResponseUrl(user.id, channel.id, { channel: channel.id, ts }),
      actions: [action(message.blocks ?? [])],
    });
  }

  /**
   * A user ticks or unticks one box of a `checkboxes` element in a channel message. As in Slack, the action carries
   * every option of that element selected after the change (starting from what the message shows).
   */
  check(options: {
    user: string;
    actionId: string;
    value: string;
    checked: boolean;
    where: { channel: string; ts: string };
  }): Promise<Delivery> {
    const user = this.requireUser(options.user);
    const { channel: channelId, ts } = options.where;
    const message = this.workspace.findMessage(channelId, ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    const channel = this.requireChannel(channelId);
    for (const block of (message.blocks ?? []) as Json[]) {
      const elements = [...((block.elements as Json[]) ?? []), ...(block.accessory ? [block.accessory as Json] : [])];
      const el = elements.find(
        (e) =>
          e.type === 'checkboxes' &&
          e.action_id === options.actionId &&
          ((e.options as Json[]) ?? []).some((o) => o.value === options.value),
      );
      if (!el) continue;
      const selected = ((el.initial_options as Json[]) ?? []).filter((o) => o.value !== options.value);
      const option = ((el.options as Json[]) ?? []).find((o) => o.value === options.value) as Json;
      if (options.checked) selected.push(option);
      return this.deliver('interactive', {
        type: 'block_actions',
        team: this.team(),
        user: this.userRef(user.id),
        api_app_id: this.workspace.appId,
        token: 'verification-token-unused',
        trigger_id: this.issueTrigger(user.id),
        container: { type: 'message', message_ts: ts, channel_id: channel.id, is_ephemeral: false },
        channel: { id: channel.id, name: channel.name },
        message: { type: 'message', ts, text: message.text, blocks: message.blocks, user: message.user },
        response_url: this.issueResponseUrl(user.id, channel.id, { channel: channel.id, ts }),
        actions: [
          {
            type: 'checkboxes',
            action_id: options.actionId,
            block_id: block.block_id,
            selected_options: selected.map((o) => ({ text: o.text, value: o.value })),
            action_ts: this.workspace.nextTs(),
          },
        ],
      });
    }
    throw new Error(`no checkbox "${options.value}" of "${options.actionId}" is shown to ${user.name} there`);
  }

  /**
   * A user picks an option of a select menu on their Home tab. A static_select offers the options it shows; an
   * external_select, those the app gave (`suggest`): pass the one picked. Throws when no such menu or option is shown.
   */
  select(options: {
    user: string;
    actionId: string;
    value: string;
    option?: { text: unknown; value: string };
  }): Promise<Delivery> {
    const user = this.requireUser(options.user);
    const view = this.homeViewOf(user.id);
    const { block, element } = this.findSelect(view, options.actionId, user.name);
    const option =
      element.type === 'external_select'
        ? options.option
        : ((element.options as Json[]) ?? []).find((o) => o.value === options.value);
    if (!option || option.value !== options.value)
      throw new Error(`no option "${options.value}" in "${options.actionId}" is shown to ${user.name}`);
    return this.deliver('interactive', {
      type: 'block_actions',
      team: this.team(),
      user: this.userRef(user.id),
      api_app_id: this.workspace.appId,
      token: 'verification-token-unused',
      trigger_id: this.issueTrigger(user.id),
      container: { type: 'view', view_id: view.id },
      view: this.workspace.viewJson(view),
      actions: [
        {
          type: element.type,
          action_id: options.actionId,
          block_id: block.block_id,
          selected_option: { text: option.text, value: option.value },
          action_ts: this.workspace.nextTs(),
        },
      ],
    });
  }

  /**
   * A user types into an external_select on their Home tab (`value`, '' when they only open it): Slack asks the app
   * for the options (block_suggestion) and shows at most 100 of them. Returns what the app answered.
   */
  async suggest(options: { user: string; actionId: string; value: string }): Promise<Json[]> {
    const user = this.requireUser(options.user);
    const view = this.homeViewOf(user.id);
    const { block, element } = this.findSelect(view, options.actionId, user.name);
    if (element.type !== 'external_select') throw new Error(`"${options.actionId}" is not an external_select`);
    const delivery = await this.deliver('interactive', {
      type: 'block_suggestion',
      user: this.userRef(user.id),
      team: this.team(),
      api_app_id: this.workspace.appId,
      token: 'verification-token-unused',
      container: { type: 'view', view_id: view.id },
      view: this.workspace.viewJson(view),
      action_id: options.actionId,
      block_id: block.block_id,
      value: options.value,
    });
    const answered = (delivery.ack?.options as Json[] | undefined) ?? [];
    if (answered.length > LIMITS.selectOptions)
      throw new Error(`block_suggestion answered ${answered.length} options; Slack shows at most 100`);
    return answered;
  }

  private homeViewOf(userId: string): View {
    const viewId = this.workspace.homeViews.get(userId);
    const view = viewId ? this.workspace.views.get(viewId) : undefined;
    if (!view) throw new Error(`${userId} has no Home view published`);
    return view;
  }

  private findSelect(view: View, actionId: string, who: string): { block: Json; element: Json } {
    for (const block of view.blocks as Json[]) {
      const elements = [...((block.elements as Json[]) ?? []), ...(block.accessory ? [block.accessory as Json] : [])];
      const element = elements.find(
        (e) => e.action_id === actionId && (e.type === 'static_select' || e.type === 'external_select'),
      );
      if (element) return { block, element };
    }
    throw new Error(`no select menu "${actionId}" is shown to ${who} there`);
  }

  /** A user fills the inputs of their top modal and presses Submit. `values` maps action_id to typed values. */
  submitView(options: { user: string; values: Record<string, string | string[] | undefined> }): Promise<Delivery> {
    const user = this.requireUser(options.user);
    const viewId = this.workspace.modalStacks.get(user.id)?.at(-1);
    const view = viewId ? this.workspace.views.get(viewId) : undefined;
    if (!view) throw new Error(`${user.name} has no modal open`);
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of view.blocks as Json[]) {
      if (block.type !== 'input') continue;
      const element = block.element as Json;
      const actionId = String(element.action_id);
      const typed = options.values[actionId];
      values[String(block.block_id)] = { [actionId]: stateValue(element, typed) };
    }
    const submitted = { ...view, state: { values } };
    return this.deliver('interactive', {
      type: 'view_submission',
      team: this.team(),
      user: this.userRef(user.id),
      api_app_id: this.workspace.appId,
      token: 'verification-token-unused',
      trigger_id: this.issueTrigger(user.id),
      view: this.workspace.viewJson(submitted),
      response_urls: [],
      is_enterprise_install: false,
    });
  }

  /** A user picks a global shortcut from the shortcuts menu. */
  globalShortcut(options: { user: string; callbackId: string }): Promise<Delivery> {
    return this.deliver('interactive', {
      type: 'shortcut',
      token: 'verification-token-unused',
      action_ts: this.workspace.nextTs(),
      team: this.team(),
      user: this.userRef(options.user),
      callback_id: options.callbackId,
      trigger_id: this.issueTrigger(options.user),
      is_enterprise_install: false,
    });
  }

  /** A user picks a message shortcut on a message. */
  messageShortcut(options: { user: string; callbackId: string; channel: string; ts: string }): Promise<Delivery> {
    const channel = this.requireChannel(options.channel);
    const message = this.workspace.findMessage(channel.id, options.ts);
    if (!message) throw new Error(`no message ${options.ts} in ${channel.id}`);
    return this.deliver('interactive', {
      type: 'message_action',
      token: 'verification-token-unused',
      action_ts: this.workspace.nextTs(),
      team: this.team(),
      user: this.userRef(options.user),
      channel: { id: channel.id, name: channel.name },
      callback_id: options.callbackId,
      trigger_id: this.issueTrigger(options.user),
      message_ts: message.ts,
      message: { type: 'message', ts: message.ts, text: message.text, user: message.user, blocks: message.blocks },
      response_url: this.issueResponseUrl(options.user, channel.id),
    });
  }

  /** A person posts in a channel; the app hears it when it is a member. */
  async userPosts(options: {
    user: string;
    channel: string;
    text: string;
    thread_ts?: string;
    files?: { name: string; mimetype: string }[];
    /** false: Slack has not unfurled the message's links (yet). */
    unfurl?: boolean;
  }): Promise<Message> {
    const channel = this.requireChannel(options.channel);
    const files = options.files?.map((f) => {
      const id = `F${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`;
      return {
        id,
        name: f.name,
        title: f.name,
        mimetype: f.mimetype,
        url_private: `https://files.slack.com/files-pri/${this.workspace.teamId}-${id}/${f.name}`,
        permalink: `https://${this.workspace.teamDomain}.slack.com/files/${options.user}/${id}/${f.name}`,
      };
    });
    const message = this.workspace.addMessage({
      channel: channel.id,
      user: options.user,
      text: options.text,
      thread_ts: options.thread_ts,
      ...(files ? { files } : {}),
    });
    if (channel.members.has(this.workspace.botUserId)) {
      await this.event({
        type: 'message',
        channel: channel.id,
        user: options.user,
        text: options.text,
        ts: message.ts,
        ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
        ...(files ? { files, subtype: 'file_share' } : {}),
        event_ts: message.ts,
        channel_type: channel.is_im ? 'im' : 'channel',
      });
      // A mention of the app in a channel is also an app_mention event (Slack sends both).
      if (!channel.is_im && options.text.includes(`<@${this.workspace.botUserId}>`))
        await this.event({
          type: 'app_mention',
          user: options.user,
          text: options.text,
          ts: message.ts,
          channel: channel.id,
          ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
          event_ts: message.ts,
        });
      if (options.unfurl !== false) await this.unfurlLinks(channel.id, message.ts);
    }
    return message;
  }

  /**
   * Slack unfurls the links of a message a moment after it is posted, and tells apps with a message_changed
   * that carries the attachments and no `edited` (no person edited anything). Does nothing for a message without links.
   */
  async unfurlLinks(channelId: string, ts: string): Promise<void> {
    const message = this.workspace.findMessage(channelId, ts);
    if (!message) throw new Error(`no message ${ts}`);
    const urls = [...message.text.matchAll(/<(https?:\/\/[^|>]+)(?:\|[^>]*)?>|(https?:\/\/[^\s<>]+)/g)].map(
      (m) => (m[1] ?? m[2]) as string,
    );
    if (!urls.length) return;
    const previous = { type: 'message', user: message.user, text: message.text, ts: message.ts };
    message.attachments = urls.map((url, i) => ({
      id: i + 1,
      from_url: url,
      original_url: url,
      title: url,
      fallback: url,
    }));
    const eventTs = this.workspace.nextTs();
    await this.event({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: channelId,
      ts: eventTs,
      event_ts: eventTs,
      message: {
        type: 'message',
        user: message.user,
        text: message.text,
        ts: message.ts,
        attachments: message.attachments,
        ...(message.edited ? { edited: message.edited } : {}),
      },
      previous_message: previous,
      channel_type: 'channel',
    });
  }

  /** A person edits their message; the app hears a message_changed event as Slack sends it. */
  async userEdits(options: { user: string; channel: string; ts: string; text: string }): Promise<void> {
    const message = this.workspace.findMessage(options.channel, options.ts);
    if (!message) throw new Error(`no message ${options.ts}`);
    const previous = { ...message };
    message.text = options.text;
    message.edited = { user: options.user, ts: this.workspace.nextTs() };
    const channel = this.requireChannel(options.channel);
    if (!channel.members.has(this.workspace.botUserId)) return;
    const eventTs = this.workspace.nextTs();
    await this.event({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: channel.id,
      ts: eventTs,
      event_ts: eventTs,
      message: { type: 'message', user: message.user, text: message.text, ts: message.ts, edited: message.edited },
      previous_message: { type: 'message', user: previous.user, text: previous.text, ts: previous.ts },
      channel_type: 'channel',
    });
  }

  /** A person deletes their message; the app hears a message_deleted event. */
  async userDeletes(options: { channel: string; ts: string }): Promise<void> {
    const list = this.workspace.messages.get(options.channel) ?? [];
    const index = list.findIndex((m) => m.ts === options.ts);
    if (index < 0) throw new Error(`no message ${options.ts}`);
    const [previous] = list.splice(index, 1);
    const channel = this.requireChannel(options.channel);
    if (!channel.members.has(this.workspace.botUserId)) return;
    const eventTs = this.workspace.nextTs();
    await this.event({
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: channel.id,
      ts: eventTs,
      event_ts: eventTs,
      deleted_ts: options.ts,
      previous_message: { type: 'message', user: previous?.user, text: previous?.text, ts: options.ts },
      channel_type: 'channel',
    });
  }

  /** A person removes their reaction. */
  async userUnreacts(options: { user: string; channel: string; ts: string; reaction: string }): Promise<void> {
    const message = this.workspace.findMessage(options.channel, options.ts);
    if (!message) throw new Error(`no message ${options.ts}`);
    const reaction = message.reactions.find((r) => r.name === options.reaction);
    if (reaction) reaction.users = reaction.users.filter((u) => u !== options.user);
    message.reactions = message.reactions.filter((r) => r.users.length > 0);
    const channel = this.requireChannel(options.channel);
    if (channel.members.has(this.workspace.botUserId)) {
      await this.event({
        type: 'reaction_removed',
        user: options.user,
        reaction: options.reaction,
        item: { type: 'message', channel: options.channel, ts: options.ts },
        item_user: message.user ?? this.workspace.botUserId,
        event_ts: this.workspace.nextTs(),
      });
    }
  }

  /**
   * The bot token stops working while the app runs: `invalid_auth` (rotated or wrong), `account_inactive` (the app's
   * bot user or the workspace was deactivated) or `token_revoked` (uninstalled). undefined makes it work again.
   */
  breakBotToken(error: 'invalid_auth' | 'account_inactive' | 'token_revoked' | undefined): void {
    this.botTokenError = error;
  }

  /** A person leaves (or is removed from) a channel; apps in it hear member_left_channel. */
  async userLeaves(options: { user: string; channel: string }): Promise<void> {
    const channel = this.requireChannel(options.channel);
    channel.members.delete(options.user);
    if (!channel.members.has(this.workspace.botUserId)) return;
    await this.event({
      type: 'member_left_channel',
      user: options.user,
      channel: channel.id,
      channel_type: channel.is_private ? 'G' : 'C',
      team: this.workspace.teamId,
      event_ts: this.workspace.nextTs(),
    });
  }

  /** A person removes the app from a channel (/remove @EM Agent). */
  removeBotFrom(channelId: string): void {
    this.requireChannel(channelId).members.delete(this.workspace.botUserId);
  }

  /** An admin reinstalls the app without a scope; methods that need it answer missing_scope. */
  revokeScope(scope: string): void {
    this.revokedScopes.add(scope);
  }

  grantScope(scope: string): void {
    this.revokedScopes.delete(scope);
  }

  /** A person reacts to a message. */
  async userReacts(options: { user: string; channel: string; ts: string; reaction: string }): Promise<void> {
    const message = this.workspace.findMessage(options.channel, options.ts);
    if (!message) throw new Error(`no message ${options.ts}`);
    addReaction(message, options.reaction, options.user);
    const channel = this.requireChannel(options.channel);
    if (channel.members.has(this.workspace.botUserId)) {
      await this.event({
        type: 'reaction_added',
        user: options.user,
        reaction: options.reaction,
        item: { type: 'message', channel: options.channel, ts: options.ts },
        item_user: message.user ?? this.workspace.botUserId,
        event_ts: this.workspace.nextTs(),
      });
    }
  }

  // ---------------------------------------------------------------- what tests read

  messagesIn(channel: string): Message[] {
    return this.workspace.messages.get(this.requireChannel(channel).id) ?? [];
  }

  ephemeralsFor(user: string) {
    return this.workspace.ephemerals.filter((e) => e.user === user);
  }

  homeOf(user: string): View | undefined {
    const id = this.workspace.homeViews.get(user);
    return id ? this.workspace.views.get(id) : undefined;
  }

  topModalOf(user: string): View | undefined {
    const id = this.workspace.modalStacks.get(user)?.at(-1);
    return id ? this.workspace.views.get(id) : undefined;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once the app has made no call and acked nothing for `quietMs`. */
  async settle(quietMs = 250, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() - this.lastActivityAt < quietMs && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Polls until `probe` returns something truthy. */
  /** Polls `probe` (sync or async: a Promise is awaited, never taken as the truthy answer) until it is truthy. */
  async waitFor<T>(
    probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`emulator: ${what} not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---------------------------------------------------------------- ack effects

  private applyAck(envelope: Envelope, ack: Json) {
    const payload = envelope.payload;
    if (envelope.type === 'slash_commands' && (ack.text || ack.blocks)) {
      const channel = String(payload.channel_id);
      if (ack.response_type === 'in_channel') {
        this.workspace.addMessage({
          channel,
          user: String(payload.user_id),
          text: String(ack.text ?? ''),
          blocks: ack.blocks as unknown[],
        });
      } else {
        this.workspace.ephemerals.push({
          channel,
          user: String(payload.user_id),
          text: String(ack.text ?? ''),
          blocks: ack.blocks as unknown[] | undefined,
          via: 'ack',
          at: Date.now(),
          responseUrl: String(payload.response_url).split('/response/')[1],
        });
      }
    }
    if (envelope.type === 'interactive' && payload.type === 'view_submission') {
      const user = String((payload.user as Json).id);
      const stack = this.workspace.modalStacks.get(user) ?? [];
      switch (ack.response_action) {
        case 'errors':
          break; // the modal stays open showing the errors
        case 'update': {
          const top = stack.at(-1);
          if (top) this.replaceView(top, ack.view as Json);
          break;
        }
        case 'push':
          this.openModal(user, ack.view as Json);
          break;
        case 'clear':
          this.workspace.modalStacks.set(user, []);
          break;
        default:
          stack.pop();
      }
    }
  }

  // ---------------------------------------------------------------- HTTP

  private async route(req: IncomingMessage, res: ServerResponse) {
    this.lastActivityAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (url.pathname.startsWith('/api/')) return this.webApi(url.pathname.slice(5), req, body, res);
    if (url.pathname.startsWith('/response/')) return this.responseUrl(url.pathname.slice(10), body, res);
    if (url.pathname.startsWith('/upload/')) return this.upload(url.pathname.slice(8), fileBytes(req, body), res);
    send(res, 404, { ok: false, error: 'unknown_path' });
  }

  private async webApi(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse) {
    let args: Args;
    try {
      args = parseArgs(req, raw);
    } catch {
      this.calls.push({ method, args: {}, ok: false, error: 'invalid_arguments', status: 200, at: Date.now() });
      return send(res, 200, { ok: false, error: 'invalid_arguments' });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(args.token ?? '');
    const record = (status: number, body: Json) => {
      this.calls.push({
        method,
        args,
        ok: body.ok === true,
        error: body.error as string | undefined,
        status,
        at: Date.now(),
      });
      send(res, status, body);
    };
    const handler = this.methods[method];
    if (!handler) return record(404, { ok: false, error: 'unknown_method' });
    if (!token) return record(200, { ok: false, error: 'not_authed' });
    const wantsAppToken = method === 'apps.connections.open';
    if (token !== this.botToken && token !== this.appToken) return record(200, { ok: false, error: 'invalid_auth' });
    if (wantsAppToken !== (token === this.appToken)) return record(200, { ok: false, error: 'not_allowed_token_type' });
    if (token === this.botToken && this.botTokenError) return record(200, { ok: false, error: this.botTokenError });
    const needed = METHOD_SCOPES[method] ?? ASSISTANT_METHOD_SCOPES[method];
    if (needed && this.revokedScopes.has(needed) && token === this.botToken)
      return record(200, { ok: false, error: 'missing_scope', needed, provided: 'commands,chat:write' });
    const wait = this.rateLimit(method, args);
    if (wait > 0) {
      this.calls.push({ method, args, ok: false, error: 'ratelimited', status: 429, at: Date.now() });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(wait) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    try {
      const result = handler(args);
      record(200, { ok: true, ...result });
    } catch (err) {
      if (err instanceof SlackApiError) return record(200, { ok: false, error: err.error, ...err.extra });
      throw err;
    }
  }

  /** Seconds to wait, or 0 when the call may go ahead. */
  private rateLimit(method: string, args: Args): number {
    if (!this.options.rateLimits) return 0;
    const tier = this.options.tierOverrides?.[method] ?? TIERS[METHOD_TIERS[method] ?? 3];
    // chat.postMessage is limited per channel rather than per method.
    const key = method === 'chat.postMessage' ? `${method}:${String(args.channel)}` : method;
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: tier.burst, updated: now };
    bucket.tokens = Math.min(tier.burst, bucket.tokens + ((now - bucket.updated) / 60_000) * tier.perMinute);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / tier.perMinute));
  }

  private responseUrl(id: string, raw: Buffer, res: ServerResponse) {
    const entry = this.responseUrls.get(id);
    if (!entry || entry.uses >= 5 || Date.now() - entry.createdAt > 30 * 60_000) {
      return send(res, 404, { ok: false, error: 'expired_url' });
    }
    entry.uses += 1;
    let body: Json;
    try {
      body = JSON.parse(raw.toString() || '{}');
    } catch {
      return send(res, 400, { ok: false, error: 'invalid_json' });
    }
    const blocks = body.blocks as unknown[] | undefined;
    if (blocks) {
      const errors = checkMessageBlocks(blocks);
      if (errors.length) return send(res, 400, { ok: false, error: 'invalid_blocks', errors });
      if (blocksTooLong(blocks)) return send(res, 400, { ok: false, error: 'msg_blocks_too_long' });
    }
    this.responseUrlPosts.push({ url: id, body });
    if (body.delete_original && entry.message) {
      const list = this.workspace.messages.get(entry.message.channel) ?? [];
      const index = list.findIndex((m) => m.ts === entry.message?.ts);
      if (index >= 0) list.splice(index, 1);
    } else if (body.replace_original && entry.message) {
      const message = this.workspace.findMessage(entry.message.channel, entry.message.ts);
      if (message) Object.assign(message, { text: String(body.text ?? ''), blocks });
    } else if (body.response_type === 'in_channel') {
      this.workspace.addMessage({
        channel: entry.channel,
        bot_id: this.workspace.botId,
        user: this.workspace.botUserId,
        text: String(body.text ?? ''),
        blocks,
      });
    } else {
      const previous = body.replace_original
        ? [...this.workspace.ephemerals].reverse().find((e) => e.responseUrl === id)
        : undefined;
      if (previous)
        Object.assign(previous, { text: String(body.text ?? ''), blocks, via: 'response_url', at: Date.now() });
      else
        this.workspace.ephemerals.push({
          channel: entry.channel,
          user: entry.user,
          text: String(body.text ?? ''),
          blocks,
          via: 'response_url',
          at: Date.now(),
          responseUrl: id,
        });
    }
    send(res, 200, { ok: true });
  }

  private upload(id: string, raw: Buffer, res: ServerResponse) {
    const file = this.workspace.files.get(id);
    if (!file) return send(res, 404, { ok: false, error: 'file_not_found' });
    file.bytes = raw;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${raw.length}`);
  }

  // ---------------------------------------------------------------- Web API methods

  private requireUser(id: unknown): User {
    const user = this.workspace.users.get(String(id));
    if (!user) throw new SlackApiError('user_not_found');
    return user;
  }

  private requireChannel(id: unknown): Channel {
    const key = String(id ?? '');
    const channel =
      this.workspace.channels.get(key) ??
      this.workspace.channelByName(key) ??
      (this.workspace.users.has(key) ? this.workspace.imWith(key) : undefined);
    if (!channel) throw new SlackApiError('channel_not_found');
    return channel;
  }

  private requireBotCanPost(channel: Channel) {
    if (channel.is_archived) throw new SlackApiError('is_archived');
    // chat:write.public lets a bot post in public channels it has not joined; private ones need membership.
    if (!channel.members.has(this.workspace.botUserId) && (channel.is_private || channel.is_im)) {
      throw new SlackApiError('not_in_channel');
    }
  }

  /** chat.postMessage and chat.update: Slack refuses blocks too long in all (LIMITS.blocksText). */
  private checkPostedMessage(args: Args) {
    this.checkMessage(args);
    if (args.blocks && blocksTooLong(args.blocks)) throw new SlackApiError('msg_blocks_too_long');
  }

  private checkMessage(args: Args) {
    const text = typeof args.text === 'string' ? args.text : '';
    const blocks = args.blocks as unknown[] | undefined;
    if (!text && !blocks && !args.attachments) throw new SlackApiError('no_text');
    if (text.length > LIMITS.messageText) throw new SlackApiError('msg_too_long');
    if (blocks) {
      const errors = checkMessageBlocks(blocks);
      if (errors.length) throw new SlackApiError('invalid_blocks', { errors });
    }
  }

  private viewFromArgs(args: Args, user: string, type: 'modal' | 'home', existing?: View): View {
    const input = args.view as Json | undefined;
    if (!input || typeof input !== 'object')
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: view'] },
      });
    const errors = checkView(input);
    if (input.type !== type && !(existing && input.type === existing.type))
      errors.push('must be a valid enum value [json-pointer:/view/type]');
    if (errors.length)
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
      });
    if (JSON.stringify(input).length > 250_000) throw new SlackApiError('view_too_large');
    const id = existing?.id ?? this.workspace.nextId('V');
    return {
      id,
      team_id: this.workspace.teamId,
      type,
      user,
      callback_id: input.callback_id as string | undefined,
      external_id: input.external_id as string | undefined,
      private_metadata: (input.private_metadata as string | undefined) ?? '',
      title: input.title,
      submit: input.submit,
      close: input.close,
      blocks: (input.blocks as unknown[]) ?? [],
      hash: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      root_view_id: existing?.root_view_id ?? null,
      previous_view_id: existing?.previous_view_id ?? null,
      state: { values: {} },
    };
  }

  private useTrigger(triggerId: unknown): string {
    const trigger = this.triggers.get(String(triggerId ?? ''));
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    this.triggers.delete(String(triggerId));
    if (Date.now() - trigger.issuedAt > 3000) throw new SlackApiError('expired_trigger_id');
    return trigger.user;
  }

  private openModal(user: string, viewArgs: Json): View {
    const stack = this.workspace.modalStacks.get(user) ?? [];
    if (stack.length >= 3) throw new SlackApiError('push_limit_reached');
    const view = this.viewFromArgs({ view: viewArgs }, user, 'modal');
    view.root_view_id = stack[0] ?? view.id;
    view.previous_view_id = stack.at(-1) ?? null;
    this.workspace.views.set(view.id, view);
    this.workspace.modalStacks.set(user, [...stack, view.id]);
    return view;
  }

  private replaceView(viewId: string, viewArgs: Json, hash?: unknown): View {
    const existing = this.workspace.views.get(viewId);
    if (!existing) throw new SlackApiError('not_found');
    if (hash !== undefined && hash !== existing.hash) throw new SlackApiError('hash_conflict');
    const view = this.viewFromArgs({ view: viewArgs }, existing.user, existing.type, existing);
    this.workspace.views.set(view.id, view);
    return view;
  }

  private readonly methods: Record<string, (args: Args) => Json> = {
    ...this.assistant.methods(),
    'auth.test': () => ({
      url: `https://${this.workspace.teamDomain}.slack.com/`,
      team: 'Emulated Org',
      user: 'em-agent',
      team_id: this.workspace.teamId,
      user_id: this.workspace.botUserId,
      bot_id: this.workspace.botId,
      is_enterprise_install: false,
    }),
    'apps.connections.open': () => {
      const ticket = randomUUID();
      this.connectionTickets.add(ticket);
      return { url: `ws://127.0.0.1:${this.port}/link/?ticket=${ticket}&app_id=${this.workspace.appId}` };
    },
    'chat.postMessage': (args) => {
      const channel = this.requireChannel(args.channel);
      this.requireBotCanPost(channel);
      this.checkPostedMessage(args);
      if (args.thread_ts && !this.workspace.findMessage(channel.id, String(args.thread_ts)))
        throw new SlackApiError('thread_not_found');
      const message = this.workspace.addMessage({
        channel: channel.id,
        user: this.workspace.botUserId,
        bot_id: this.workspace.botId,
        text: String(args.text ?? ''),
        blocks: args.blocks as unknown[] | undefined,
        thread_ts: args.thread_ts ? String(args.thread_ts) : undefined,
        ...(args.metadata ? { metadata: args.metadata as Message['metadata'] } : {}),
      });
      return { channel: channel.id, ts: message.ts, message: { type: 'message', ...message } };
    },
    'chat.update': (args) => {
      const channel = this.requireChannel(args.channel);
      const message = this.workspace.findMessage(channel.id, String(args.ts));
      if (!message) throw new SlackApiError('message_not_found');
      if (message.user !== this.workspace.botUserId) throw new SlackApiError('cant_update_message');
      this.checkPostedMessage({ text: args.text ?? message.text, ...args });
      message.text = String(args.text ?? message.text);
      if (args.blocks) message.blocks = args.blocks as unknown[];
      message.edited = { user: this.workspace.botUserId, ts: this.workspace.nextTs() };
      return { channel: channel.id, ts: message.ts, text: message.text, message: { ...message } };
    },
    'chat.delete': (args) => {
      const channel = this.requireChannel(args.channel);
      const list = this.workspace.messages.get(channel.id) ?? [];
      const index = list.findIndex((m) => m.ts === String(args.ts));
      if (index < 0) throw new SlackApiError('message_not_found');
      if (list[index]?.user !== this.workspace.botUserId) throw new SlackApiError('cant_delete_message');
      list.splice(index, 1);
      return { channel: channel.id, ts: String(args.ts) };
    },
    'chat.postEphemeral': (args) => {
      const channel = this.requireChannel(args.channel);
      const user = this.requireUser(args.user);
      this.checkMessage(args);
      if (!channel.is_im && !channel.members.has(user.id)) throw new SlackApiError('user_not_in_channel');
      this.workspace.ephemerals.push({
        channel: channel.id,
        user: user.id,
        text: String(args.text ?? ''),
        blocks: args.blocks as unknown[] | undefined,
        via: 'chat.postEphemeral',
        at: Date.now(),
      });
      return { message_ts: this.workspace.nextTs() };
    },
    'views.open': (args) => {
      const user = this.useTrigger(args.trigger_id);
      const view = this.openModal(user, args.view as Json);
      return { view: this.workspace.viewJson(view) };
    },
    'views.push': (args) => {
      const user = this.useTrigger(args.trigger_id);
      if (!(this.workspace.modalStacks.get(user) ?? []).length) throw new SlackApiError('not_found');
      const view = this.openModal(user, args.view as Json);
      return { view: this.workspace.viewJson(view) };
    },
    'views.update': (args) => {
      const id = args.view_id
        ? String(args.view_id)
        : [...this.workspace.views.values()].find((v) => v.external_id === args.external_id)?.id;
      if (!id) throw new SlackApiError('not_found');
      return { view: this.workspace.viewJson(this.replaceView(id, args.view as Json, args.hash)) };
    },
    'views.publish': (args) => {
      const user = this.requireUser(args.user_id);
      const existingId = this.workspace.homeViews.get(user.id);
      const existing = existingId ? this.workspace.views.get(existingId) : undefined;
      if (existing && args.hash !== undefined && args.hash !== existing.hash) throw new SlackApiError('hash_conflict');
      const view = this.viewFromArgs(args, user.id, 'home', existing);
      this.workspace.views.set(view.id, view);
      this.workspace.homeViews.set(user.id, view.id);
      return { view: this.workspace.viewJson(view) };
    },
    'conversations.create': (args) => {
      const name = String(args.name ?? '');
      if (!name) throw new SlackApiError('invalid_name_required');
      if (name.length > 80) throw new SlackApiError('invalid_name_maxlength');
      if (!/^[a-z0-9_-]+$/.test(name))
        throw new SlackApiError(/[A-Z]/.test(name) ? 'invalid_name' : 'invalid_name_specials');
      if (this.workspace.channelByName(name)) throw new SlackApiError('name_taken');
      const channel = this.workspace.addChannel(name, {
        isPrivate: args.is_private === true || args.is_private === 'true',
        members: [this.workspace.botUserId],
      });
      return { channel: this.workspace.channelInfo(channel) };
    },
    'conversations.invite': (args) => {
      const channel = this.requireChannel(args.channel);
      if (channel.is_archived) throw new SlackApiError('is_archived');
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      const ids = String(args.users ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0) throw new SlackApiError('no_user');
      for (const id of ids) this.requireUser(id);
      if (ids.every((id) => channel.members.has(id))) throw new SlackApiError('already_in_channel');
      for (const id of ids) channel.members.add(id);
      return { channel: this.workspace.channelInfo(channel) };
    },
    'conversations.join': (args) => {
      const channel = this.requireChannel(args.channel);
      if (channel.is_archived) throw new SlackApiError('is_archived');
      if (channel.is_private) throw new SlackApiError('method_not_supported_for_channel_type');
      channel.members.add(this.workspace.botUserId);
      return { channel: this.workspace.channelInfo(channel) };
    },
    'conversations.info': (args) => ({ channel: this.workspace.channelInfo(this.requireChannel(args.channel)) }),
    'conversations.open': (args) => {
      const users = String(args.users ?? '')
        .split(',')
        .filter(Boolean);
      const [first] = users;
      if (!first) throw new SlackApiError('users_list_not_supplied');
      this.requireUser(first);
      return { channel: { id: this.workspace.imWith(first).id } };
    },
    'conversations.history': (args) => {
      const channel = this.requireChannel(args.channel);
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      const inclusive = args.inclusive === true || args.inclusive === 'true';
      const latest = args.latest === undefined ? Infinity : Number(args.latest);
      const oldest = args.oldest === undefined ? -Infinity : Number(args.oldest);
      const inRange = (m: Message) => {
        const ts = Number(m.ts);
        return inclusive ? ts <= latest && ts >= oldest : ts < latest && ts > oldest;
      };
      const matching = [...(this.workspace.messages.get(channel.id) ?? [])]
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
        .filter(inRange)
        .reverse();
      const page = paginate(matching, args, { limit: 100, max: 999 });
      // As Slack does, metadata is only returned when asked for.
      const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
      return {
        messages: page.items.map(({ metadata, ...m }) => ({
          type: 'message',
          ...m,
          ...(withMetadata && metadata ? { metadata } : {}),
        })),
        has_more: page.nextCursor !== '',
        response_metadata: { next_cursor: page.nextCursor },
      };
    },
    'conversations.members': (args) => {
      const channel = this.requireChannel(args.channel);
      // A private channel the bot is not in does not exist as far as the bot can tell.
      if (channel.is_private && !channel.members.has(this.workspace.botUserId))
        throw new SlackApiError('channel_not_found');
      const page = paginate([...channel.members], args, { limit: 100, max: 1000 });
      return { members: page.items, response_metadata: { next_cursor: page.nextCursor } };
    },
    // Public channels, and the private ones the bot is in (what a bot token can see).
    'conversations.list': (args) => ({
      channels: [...this.workspace.channels.values()]
        .filter((c) => !c.is_im && (!c.is_private || c.members.has(this.workspace.botUserId)))
        .filter((c) => !(args.exclude_archived && c.is_archived))
        .map((c) => this.workspace.channelInfo(c)),
      response_metadata: { next_cursor: '' },
    }),
    'conversations.setTopic': (args) => {
      const channel = this.requireChannel(args.channel);
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      const topic = String(args.topic ?? '');
      if (topic.length > 250) throw new SlackApiError('too_long');
      channel.topic = { value: topic, creator: this.workspace.botUserId, last_set: Math.floor(Date.now() / 1000) };
      return { channel: this.workspace.channelInfo(channel) };
    },
    'conversations.setPurpose': (args) => {
      const channel = this.requireChannel(args.channel);
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      const purpose = String(args.purpose ?? '');
      if (purpose.length > 250) throw new SlackApiError('too_long');
      channel.purpose = { value: purpose, creator: this.workspace.botUserId, last_set: Math.floor(Date.now() / 1000) };
      return { channel: this.workspace.channelInfo(channel), purpose };
    },
    'conversations.archive': (args) => {
      const channel = this.requireChannel(args.channel);
      if (channel.is_archived) throw new SlackApiError('already_archived');
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      channel.is_archived = true;
      return {};
    },
    'chat.getPermalink': (args) => {
      const channel = this.requireChannel(args.channel);
      const ts = String(args.message_ts ?? '');
      if (!this.workspace.findMessage(channel.id, ts)) throw new SlackApiError('message_not_found');
      return {
        channel: channel.id,
        permalink: `https://${this.workspace.teamDomain}.slack.com/archives/${channel.id}/p${ts.replace('.', '')}`,
      };
    },
    'pins.add': (args) => {
      const channel = this.requireChannel(args.channel);
      if (!channel.members.has(this.workspace.botUserId)) throw new SlackApiError('not_in_channel');
      const message = this.workspace.findMessage(channel.id, String(args.timestamp));
      if (!message) throw new SlackApiError('message_not_found');
      if (message.pinned) throw new SlackApiError('already_pinned');
      message.pinned = true;
      return {};
    },
    'reactions.add': (args) => {
      const channel = this.requireChannel(args.channel);
      const message = this.workspace.findMessage(channel.id, String(args.timestamp));
      if (!message) throw new SlackApiError('message_not_found');
      const name = String(args.name ?? '');
      if (message.reactions.some((r) => r.name === name && r.users.includes(this.workspace.botUserId)))
        throw new SlackApiError('already_reacted');
      addReaction(message, name, this.workspace.botUserId);
      return {};
    },
    'users.info': (args) => ({ user: this.requireUser(args.user) }),
    'users.lookupByEmail': (args) => {
      const email = String(args.email ?? '').toLowerCase();
      const user = [...this.workspace.users.values()].find((u) => u.email.toLowerCase() === email);
      if (!user) throw new SlackApiError('users_not_found');
      return { user };
    },
    'usergroups.list': (args) => ({
      usergroups: [...this.workspace.userGroups.values()].map((g) => ({
        id: g.id,
        team_id: this.workspace.teamId,
        handle: g.handle,
        name: g.handle,
        ...(args.include_users === true || args.include_users === 'true' ? { users: g.users } : {}),
        user_count: g.users.length,
      })),
    }),
    'usergroups.users.list': (args) => {
      const group = this.workspace.userGroups.get(String(args.usergroup));
      if (!group) throw new SlackApiError('no_such_subteam');
      return { users: group.users };
    },
    'files.getUploadURLExternal': (args) => {
      const filename = String(args.filename ?? '');
      const length = Number(args.length ?? 0);
      if (!filename) throw new SlackApiError('invalid_arguments');
      if (!length) throw new SlackApiError('invalid_arguments');
      const id = this.workspace.nextId('F');
      this.workspace.files.set(id, { id, filename, bytes: Buffer.alloc(0), completed: false, channels: [] });
      return { upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const files = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as {
        id: string;
        title?: string;
      }[];
      const shared = files.map((f) => {
        const file = this.workspace.files.get(f.id);
        if (!file || file.bytes.length === 0) throw new SlackApiError('file_not_found');
        file.completed = true;
        file.title = f.title;
        return file;
      });
      const channelId = args.channel_id ? this.requireChannel(args.channel_id).id : undefined;
      if (channelId) {
        for (const file of shared) file.channels.push(channelId);
        this.workspace.addMessage({
          channel: channelId,
          user: this.workspace.botUserId,
          bot_id: this.workspace.botId,
          text: String(args.initial_comment ?? ''),
          files: shared.map((f) => ({ id: f.id, title: f.title })),
          thread_ts: args.thread_ts ? String(args.thread_ts) : undefined,
        });
      }
      return {
        files: shared.map((f) => ({ id: f.id, title: f.title ?? f.filename, name: f.filename, size: f.bytes.length })),
      };
    },
  };
}

function addReaction(message: Message, name: string, user: string) {
  const existing = message.reactions.find((r) => r.name === name);
  if (existing) existing.users.push(user);
  else message.reactions.push({ name, users: [user] });
}

function findButton(blocks: unknown[], actionId: string, value?: string) {
  for (const block of blocks as Json[]) {
    const elements = [
      ...((block.elements as Json[] | undefined) ?? []),
      ...(block.accessory ? [block.accessory as Json] : []),
    ];
    for (const el of elements) {
      if (el.action_id === actionId && (value === undefined || el.value === value)) {
        return {
          action_id: actionId,
          block_id: block.block_id,
          text: el.text,
          value: el.value,
          type: el.type ?? 'button',
          style: el.style,
        };
      }
    }
  }
  return undefined;
}

function stateValue(element: Json, typed: string | string[] | undefined): Json {
  switch (element.type) {
    case 'static_select': {
      // Untouched inputs submit what they were opened with, as in Slack.
      const option =
        typed === undefined
          ? (element.initial_option as Json | undefined)
          : ((element.options as Json[]) ?? []).find((o) => o.value === typed);
      return { type: 'static_select', selected_option: option ? { text: option.text, value: option.value } : null };
    }
    case 'users_select':
      return { type: 'users_select', selected_user: typed ?? null };
    case 'multi_users_select':
      return { type: 'multi_users_select', selected_users: Array.isArray(typed) ? typed : typed ? [typed] : [] };
    case 'conversations_select':
      return { type: 'conversations_select', selected_conversation: typed ?? null };
    case 'channels_select':
      return { type: 'channels_select', selected_channel: typed ?? null };
    default:
      return { type: element.type ?? 'plain_text_input', value: typed ?? (element.initial_value as string) ?? null };
  }
}

function parseArgs(req: IncomingMessage, raw: Buffer): Args {
  const type = req.headers['content-type'] ?? '';
  const text = raw.toString();
  let args: Args = {};
  if (type.includes('application/json')) args = text ? (JSON.parse(text) as Args) : {};
  else args = Object.fromEntries(new URLSearchParams(text));
  // Object fields travel as JSON strings inside the form.
  for (const key of ['blocks', 'view', 'attachments', 'files', 'metadata']) {
    if (typeof args[key] === 'string') {
      try {
        args[key] = JSON.parse(args[key] as string);
      } catch {
        throw new SlackApiError('invalid_arguments');
      }
    }
  }
  return args;
}

/** An upload URL takes raw bytes or a multipart form; either way the file is the first part's content. */
function fileBytes(req: IncomingMessage, raw: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
  if (!boundary) return raw;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(delimiter);
  const headersEnd = raw.indexOf('\r\n\r\n', start);
  const end = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  return start < 0 || headersEnd < 0 || end < 0 ? raw : raw.subarray(headersEnd + 4, end);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Json) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * Slack's cursor pagination: `limit` items from `cursor` (an opaque string, here an encoded offset), and the
 * cursor of the next page ('' on the last). An unknown cursor is `invalid_cursor`.
 */
function paginate<T>(all: T[], args: Args, sizes: { limit: number; max: number }): { items: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(Number(args.limit ?? sizes.limit) || sizes.limit, 1), sizes.max);
  let offset = 0;
  if (args.cursor) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(String(args.cursor), 'base64').toString());
    if (!decoded) throw new SlackApiError('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const next = offset + limit;
  return {
    items: all.slice(offset, next),
    nextCursor: next < all.length ? Buffer.from(`offset:${next}`).toString('base64') : '',
  };
}
