import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { eventBusFailures, eventBusLag, eventBusPending, eventBusPublished } from './metrics.js';
import {
  deleteOutboxRows,
  eventBusInstallId,
  nextOutboxBatch,
  type OutboxBacklog,
  outboxBacklog,
  setEventBusEnabled,
} from './store.js';

export interface EventBusSettings {
  /** NATS_URL: one server or several separated by commas. */
  url: string;
  /** The JetStream stream (created with `<prefix>.>` as its subjects when missing). */
  stream: string;
  /** First subject token(s): `<prefix>.events.<source>.<kind>`, `<prefix>.signals.<state>`, `<prefix>.approvals.<state>`. */
  subjectPrefix: string;
  /** Rows read and published at once. */
  batchSize?: number;
  /** How long a connection attempt and each acknowledgement may take. */
  timeoutMs?: number;
  /** The stream's deduplication window when em-agent creates it (JetStream's default: 2 minutes). */
  duplicateWindowMs?: number;
}

export interface DrainResult {
  /** Rows JetStream acknowledged (and that were then deleted from the outbox). */
  published: number;
  /** Of those, ones JetStream had already stored under the same message id (a re-publish, deduplicated). */
  duplicates: number;
  /** Why the drain stopped early: NATS unreachable, an acknowledgement that did not come, ... */
  error?: string;
}

/**
 * Publishes the outbox to NATS JetStream, at least once: a row is deleted only after JetStream acknowledged it, and
 * its message id (`Nats-Msg-Id`: this database's install id and the row's id) lets JetStream drop a re-publish within
 * the stream's duplicate window (a drain that published and then lost its database connection, two replicas
 * draining at once after a lock lapsed).
 */
export class EventBus {
  private connection?: Promise<NatsConnection>;
  private js?: JetStreamClient;
  private streamChecked = false;
  private installId?: string;
  lastError?: string;
  lastPublishedAt?: Date;

  constructor(private readonly deps: { db: Db; logger: Logger; settings: EventBusSettings }) {}

  get settings(): EventBusSettings {
    return this.deps.settings;
  }

  /** Publishes waiting rows batch by batch until none waits, NATS fails, or `maxBatches` were published. */
  async drain(options: { maxBatches?: number; touch?: () => Promise<void> } = {}): Promise<DrainResult> {
    const { db, settings } = this.deps;
    const batchSize = settings.batchSize ?? 500;
    const result: DrainResult = { published: 0, duplicates: 0 };
    try {
      for (let batches = 0; batches < (options.maxBatches ?? Number.POSITIVE_INFINITY); batches++) {
        const rows = await nextOutboxBatch(db, batchSize);
        if (rows.length === 0) break;
        const js = await this.jetstream();
        this.installId ??= await eventBusInstallId(db);
        const timeout = settings.timeoutMs ?? 5000;
        // Published together (one connection keeps their order on the wire); only acknowledged rows are deleted.
        const acks = await Promise.allSettled(
          rows.map((row) =>
            js.publish(`${settings.subjectPrefix}.${row.subject}`, JSON.stringify(row.payload), {
              msgID: `${this.installId}-${row.id}`,
              timeout,
            }),
          ),
        );
        const done = rows.filter((_, i) => acks[i]?.status === 'fulfilled').map((row) => row.id);
        const duplicates = acks.filter((a) => a.status === 'fulfilled' && a.value.duplicate).length;
        await deleteOutboxRows(db, done);
        result.published += done.length;
        result.duplicates += duplicates;
        eventBusPublished.inc({ duplicate: 'false' }, done.length - duplicates);
        eventBusPublished.inc({ duplicate: 'true' }, duplicates);
        if (done.length) this.lastPublishedAt = new Date();
        const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
        if (failed) throw failed.reason;
        await options.touch?.();
      }
      this.lastError = undefined;
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
      this.lastError = result.error;
      // The stream may be what failed (deleted, or lost with a NATS restart without storage): the next drain checks
      // it again and creates it when missing, instead of failing on it until em-agent restarts.
      this.streamChecked = false;
      eventBusFailures.inc();
      this.deps.logger.warn({ err: result.error }, 'event bus: publishing stopped; the outbox keeps the rest');
    }
    const backlog = await this.backlog();
    eventBusPending.set(backlog.pending);
    eventBusLag.set(backlog.lagSeconds);
    return result;
  }

  backlog(): Promise<OutboxBacklog> {
    return outboxBacklog(this.deps.db);
  }

  /** What /ready shows: rows waiting, how long the oldest waited, and the last error (none after a good drain). */
  async health(): Promise<Record<string, unknown>> {
    const backlog = await this.backlog();
    return {
      stream: this.settings.stream,
      pending: backlog.pending,
      lagSeconds: Math.round(backlog.lagSeconds),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  private async jetstream(): Promise<JetStreamClient> {
    const nc = await this.connect();
    // The NATS client is loaded by the first drain: a bot without NATS_URL never carries it (about 11 MB).
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    if (!this.streamChecked) {
      await this.ensureStream(await jetstreamManager(nc, { timeout: this.settings.timeoutMs ?? 5000 }));
      this.streamChecked = true;
    }
    this.js ??= jetstream(nc, { timeout: this.settings.timeoutMs ?? 5000 });
    return this.js;
  }

  private connect(): Promise<NatsConnection> {
    if (!this.connection) {
      const { settings, logger } = this.deps;
      const attempt = import('@nats-io/transport-node').then(({ connect }) =>
        connect({
          servers: settings.url.split(','),
          name: 'em-agent',
          timeout: settings.timeoutMs ?? 5000,
          // Once connected, the client reconnects by itself; publishes meanwhile fail their acknowledgement timeout.
          maxReconnectAttempts: -1,
        }),
      );
      this.connection = attempt;
      attempt.then(
        (nc) => {
          logger.info({ server: nc.getServer() }, 'event bus: connected to NATS');
          void nc.closed().then(() => {
            if (this.connection === attempt) this.forget();
          });
        },
        () => {
          // A failed first connection is tried again by the next drain.
          if (this.connection === attempt) this.forget();
        },
      );
    }
    return this.connection;
  }

  private forget(): void {
    this.connection = undefined;
    this.js = undefined;
    this.streamChecked = false;
  }

  /** Creates the stream when it is missing; an existing stream (configured by its operator) is left as it is. */
  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const { stream, subjectPrefix, duplicateWindowMs } = this.settings;
    try {
      await jsm.streams.info(stream);
    } catch (err) {
      if (!/not found/i.test(String((err as Error).message))) throw err;
      await jsm.streams.add({
        name: stream,
        subjects: [`${subjectPrefix}.>`],
        duplicate_window: (await import('@nats-io/transport-node')).nanos(duplicateWindowMs ?? 120_000),
      });
      this.deps.logger.info({ stream, subjects: `${subjectPrefix}.>` }, 'event bus: stream created');
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.forget();
    const nc = await connection?.catch(() => undefined);
    await nc?.drain().catch(() => undefined);
  }
}

/**
 * Turns the outbox on when NATS_URL is set and off when it is not (nothing is written then), and returns the bus
 * that drains it, or undefined.
 */
export async function startEventBus(
  db: Db,
  logger: Logger,
  settings: Omit<EventBusSettings, 'url'> & { url?: string },
): Promise<EventBus | undefined> {
  await setEventBusEnabled(db, Boolean(settings.url));
  if (!settings.url) return undefined;
  logger.info({ stream: settings.stream, prefix: settings.subjectPrefix }, 'event bus on: publishing to JetStream');
  return new EventBus({ db, logger, settings: { ...settings, url: settings.url } });
}
