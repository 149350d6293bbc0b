import bolt from '@slack/bolt';
import { UnderWay } from '../lib/under-way.js';
import type { Logger } from '../observability/logger.js';
import { boltLogger } from './bolt-logger.js';
import { COMMAND_CONCURRENCY, commandSlots } from './command-slots.js';
import type { SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';

const { App, SocketModeReceiver } = bolt;

export interface SlackBotOptions {
  botToken: string;
  appToken: string;
  /** Web API base URL ending in /api/; unset means Slack itself. */
  apiUrl?: string;
  /** Socket Mode ping timeout; reconnect waits are multiples of it. */
  clientPingTimeoutMs?: number;
}

export interface SlackBot {
  readonly connected: boolean;
  readonly app: InstanceType<typeof App>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The Bolt app in Socket Mode with every listener registered. The same code talks to Slack or to a local stand-in. */
export function createSlackBot(options: SlackBotOptions, deps: SlackDeps): SlackBot {
  const logger = boltLogger(deps.logger);
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 10, factor: 1.6, minTimeout: 500, maxTimeout: 30_000 },
  };
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger,
    // The receiver hands these to its Socket Mode client, so apps.connections.open goes to the same API URL.
    installerOptions: { clientOptions: { ...clientOptions } },
    clientPingTimeout: options.clientPingTimeoutMs ?? 5000,
  });
  // Deferred, so a rejected token fails start() (auth.test in init) instead of an unhandled rejection.
  // convoStore: false — nothing reads Bolt's per-conversation state; its default store rejects with a new Error for
  // every event that has no state, on the path to the ack.
  const app = new App({
    token: options.botToken,
    receiver,
    logger,
    clientOptions,
    deferInitialization: true,
    convoStore: false,
  });
  const underWay = new UnderWay();
  const slots = deps.commandSlots ?? commandSlots(COMMAND_CONCURRENCY);
  registerListeners(app, { ...deps, commandSlots: slots }, underWay);
  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  let connected = false;
  let stopping: Promise<void> | undefined;
  const client = receiver.client;
  client.on('connected', () => {
    connected = true;
    deps.logger.info('slack socket connected');
  });
  client.on('disconnected', () => {
    connected = false;
  });
  client.on('reconnecting', () => {
    connected = false;
    deps.logger.warn('slack socket reconnecting');
  });

  return {
    get connected() {
      return connected;
    },
    app,
    start: async () => {
      await app.init();
      await app.start();
      connected = true;
    },
    // Once, however many times it is asked for (a signal during a stop, a test's own cleanup).
    stop: () =>
      (stopping ??= (async () => {
        connected = false;
        // Commands still waiting for their turn (and any arriving while the socket closes) begin no more: they are
        // answered now, asked to run again, rather than begun and cut off by the store closing.
        slots.close();
        // Bolt returns before the close handshake ends; wait for it so the socket is really gone.
        const closed = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
        await app.stop();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
        clearTimeout(timer);
        // Listeners still at work (a report being built, an incident channel being set up) finish before the store
        // they write to closes; nothing new arrives now that the socket is closed.
        const left = await underWay.settle(5000);
        if (left > 0) deps.logger.warn({ listeners: left }, 'stopped with Slack listeners still at work');
      })()),
  };
}

export type { Logger };
