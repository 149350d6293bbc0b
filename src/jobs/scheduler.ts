import { setMaxListeners } from 'node:events';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { SpanKind } from '@opentelemetry/api';
import { Agenda, type Job } from 'agenda';
import type { Pool } from 'pg';
import { isStopping, StoppingError } from '../lib/stopping.js';
import { UnderWay } from '../lib/under-way.js';
import type { Logger } from '../observability/logger.js';
import { jobDuration, jobRuns } from '../observability/metrics.js';
import { contextFromCarrier, currentTraceCarrier, withSpan } from '../observability/tracing.js';
import type { Db } from '../store/db.js';
import { withSessionLock } from './store.js';

export interface JobContext {
  db: Db;
  logger: Logger;
  /** Extends this run's lock; a run that outlives its lock without touching it is cancelled by Agenda. */
  touch(): Promise<void>;
  /**
   * Aborted (with a `StoppingError`) when the process begins to stop. A recurring job whose next run goes on from
   * where this one left off (a sync, from its cursor) may end early by throwing that reason at a safe point
   * (`signal.throwIfAborted()`); the run counts as stopped, not failed. Other jobs ignore it and get the stop's
   * grace period, and a run cut off by the store closing is run again once its lock lapses.
   */
  signal: AbortSignal;
}

/** A background job a capability contributes; `every` makes it recurring (one schedule shared by all replicas). */
export interface JobDefinition<Data = Record<string, unknown>> {
  name: string;
  run(ctx: JobContext, data: Data): Promise<void>;
  every?: string;
  /** How long a run may hold its lock before another process may take the job over. */
  lockLifetimeMs?: number;
  /** Runs of this job at once in one process (1 = single-flight per process). */
  concurrency?: number;
}

export interface Scheduler {
  readonly running: boolean;
  /** Queues one run as soon as a worker is free. */
  now(name: string, data?: Record<string, unknown>): Promise<void>;
  /** Queues one run at `when` (a Date or an Agenda phrase such as "in 5 minutes"). */
  schedule(when: Date | string, name: string, data?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  jobs: JobDefinition<never>[];
  processEveryMs: number;
  lockLifetimeMs: number;
  workerName: string;
  /** How long stop() waits for the runs under way to finish (default 5 s). */
  stopGraceMs?: number;
  /** The process's own stopping signal, aborted before stop() is called (stop() tells the runs in any case). */
  stopping?: AbortSignal;
}

/**
 * Where a queued run's data carries the trace that queued it (W3C `traceparent`), so the run continues that trace.
 * The job's own `run` never sees it.
 */
export const TRACE_DATA_KEY = '_trace';

function withTrace(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const carrier = currentTraceCarrier();
  return carrier ? { ...data, [TRACE_DATA_KEY]: carrier } : (data ?? {});
}

/** Starts Agenda on the product's own database and registers every job definition. */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { db, logger } = options;
  await createAgendaTables(db);
  const backend = new PostgresBackend({
    pool: db.pool() as unknown as Pool,
    ensureSchema: false,
    // The embedded engine has one connection, so LISTEN would never hear another process; poll instead.
    disableNotifications: !db.supportsNotify,
  });
  // A lost LISTEN connection (a failover, a server restart) is reported as an 'error' event and reconnected by the
  // channel itself; unheard, that event would end the process. It tries every 100 ms or so while the server is
  // away: said once a minute, not at every try.
  let toldAt = 0;
  (
    backend.notificationChannel as { on?: (event: 'error', listener: (err: unknown) => void) => void } | undefined
  )?.on?.('error', (err) => {
    if (Date.now() - toldAt < 60_000) return;
    toldAt = Date.now();
    logger.warn({ err }, 'job scheduler lost its LISTEN connection; reconnecting');
  });
  // Agenda releases a lock it will not use without waiting for the answer (JobProcessor calls unlockJob unawaited):
  // with the database away, that rejection would be unhandled and end the process. An unreleased lock lapses by itself.
  const repository = backend.repository as unknown as { unlockJob: (job: unknown) => Promise<void> };
  const unlockJob = repository.unlockJob.bind(repository);
  repository.unlockJob = (job) =>
    unlockJob(job).catch((err: unknown) => logger.warn({ err }, 'could not release a job lock; it lapses by itself'));
  const agenda = new Agenda({
    name: options.workerName,
    backend,
    processEvery: options.processEveryMs,
    defaultLockLifetime: options.lockLifetimeMs,
  });
  agenda.on('error', (err: unknown) => logger.error({ err }, 'job scheduler error'));
  const underWay = new UnderWay();
  // A run is over for a stop only once Agenda has saved its end (its lock released, its next run): the store must not
  // close under that write, or the run would stay locked until its lock lapses.
  const saved = new Map<Job, () => void>();
  agenda.on('complete', (run: Job) => {
    saved.get(run)?.();
    saved.delete(run);
  });
  const own = new AbortController();
  const stopping = options.stopping ? AbortSignal.any([own.signal, options.stopping]) : own.signal;
  // Every run under way listens on it (a sync waiting out a rate limit, twice): many at once are not a leak.
  setMaxListeners(0, stopping);

  for (const job of options.jobs as JobDefinition[]) {
    const runJob = async (run: Job, data: Record<string, unknown>) => {
      const stopTimer = jobDuration.startTimer({ job: job.name });
      const log = logger.child({ job: job.name, jobId: String(run.attrs._id ?? '') });
      // The lock is renewed while the run is alive, so it lapses only when this process is gone: a run slowed by
      // a busy machine (loading a connector took > 2 s under load) is not cancelled by Agenda's watchdog.
      const lifetime = job.lockLifetimeMs ?? options.lockLifetimeMs;
      // touch() writes the whole job row: the last renewal is awaited before Agenda records the run's end, so a
      // renewal can never land after it and leave a finished job locked.
      let renewing: Promise<void> = Promise.resolve();
      // A refused renewal means Agenda has cancelled the run or another worker holds the job now: renewing again
      // cannot win it back, so the first refusal ends the renewals (and is logged once).
      const renewal = setInterval(() => {
        renewing = run.touch().catch((err: unknown) => {
          clearInterval(renewal);
          log.warn({ err }, 'could not renew the job lock; the run may be cancelled and retried later');
        });
      }, lifetime / 3);
      underWay.track(new Promise<void>((resolve) => saved.set(run, resolve)));
      try {
        await job.run({ db, logger: log, touch: () => run.touch(), signal: stopping }, data);
        jobRuns.inc({ job: job.name, outcome: 'success' });
      } catch (err) {
        if (isStopping(err) && stopping.aborted) {
          // Left at a safe point because the process is stopping: not a failure. Agenda records the run as ended,
          // which only a job whose next run goes on from there may let happen (see `JobContext.signal`).
          jobRuns.inc({ job: job.name, outcome: 'stopped' });
          log.info('job run stopped for shutdown; its next run goes on from where it stopped');
          // Due again at once (saved with the run's end), not after its interval: another replica, or this one once
          // restarted, picks it up straight away.
          run.attrs.nextRunAt = new Date();
          return;
        }
        jobRuns.inc({ job: job.name, outcome: 'failure' });
        log.error({ err }, 'job failed');
        throw err;
      } finally {
        clearInterval(renewal);
        await renewing;
        stopTimer();
      }
    };
    agenda.define(
      job.name,
      async (run: Job) => {
        const { [TRACE_DATA_KEY]: carrier, ...data } = (run.attrs.data ?? {}) as Record<string, unknown>;
        // A run queued inside a trace (a Slack handler, another job) continues it; a recurring run starts its own.
        const attributes = { 'job.name': job.name, 'job.id': String(run.attrs._id ?? '') };
        await withSpan(
          `job ${job.name}`,
          { kind: SpanKind.CONSUMER, attributes },
          () => runJob(run, data),
          contextFromCarrier(carrier),
        );
      },
      { lockLifetime: job.lockLifetimeMs ?? options.lockLifetimeMs, concurrency: job.concurrency ?? 1 },
    );
  }

  await agenda.start();
  // Once the process is stopping nothing new starts here (a run stopped for it is due again at once, and would only be
  // picked up again). Agenda's stop unlocks the jobs this process holds and has not started, for another process.
  let halted: Promise<void> | undefined;
  const halt = () => (halted ??= agenda.stop(false));
  stopping.addEventListener(
    'abort',
    () => void halt().catch((err: unknown) => logger.error({ err }, 'job scheduler did not stop')),
    { once: true },
  );
  for (const job of options.jobs) if (job.every) await agenda.every(job.every, job.name);

  let running = true;
  return {
    get running() {
      return running;
    },
    now: async (name, data) => {
      await agenda.now(name, withTrace(data));
    },
    schedule: async (when, name, data) => {
      await agenda.schedule(when, name, withTrace(data));
    },
    stop: async () => {
      if (!running) return;
      running = false;
      own.abort(new StoppingError());
      await halt();
      // Runs under way keep their locks. They get a moment to finish, so that what they do (a post in Slack, a row)
      // is not cut off by the store closing behind them; one that does not finish is retried once its lock lapses.
      const left = await underWay.settle(options.stopGraceMs ?? 5000);
      if (left > 0)
        logger.warn({ runs: left }, 'stopped with job runs under way; they run again once their locks lapse');
    },
  };
}

const AGENDA_SETUP_LOCK_KEY = 0x656d6167; // "emag"

/**
 * Agenda creates its tables and indexes with CREATE ... IF NOT EXISTS when its backend connects, which is not safe
 * when two replicas start at the same moment (one fails on pg_class's unique index, and Agenda leaves that
 * rejection unhandled). They are created here once, under a session-level advisory lock held on a connection of its
 * own; the embedded engine has one process and one connection, so it needs no lock.
 */
async function createAgendaTables(db: Db): Promise<void> {
  const setup = async () => {
    const backend = new PostgresBackend({ pool: db.pool() as unknown as Pool, disableNotifications: true });
    await backend.connect();
  };
  if (db.engine !== 'postgres') return setup();
  await withSessionLock(db, AGENDA_SETUP_LOCK_KEY, setup);
}
