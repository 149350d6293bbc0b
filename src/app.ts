import { hostname } from 'node:os';
import { type Config, SECRET_SETTINGS, slackMode } from './config.js';
import { heartbeatJob } from './jobs/heartbeat.js';
import { type JobDefinition, type Scheduler, startScheduler } from './jobs/scheduler.js';
import { type HttpServer, type ReadinessChecks, startHttpServer } from './observability/http.js';
import type { Logger } from './observability/logger.js';
import { registerSecrets } from './observability/redact.js';
import type { Db } from './store/db.js';
import { openStore } from './store/open.js';

export interface App {
  db: Db;
  scheduler: Scheduler;
  http: HttpServer;
  stop(): Promise<void>;
}

/** Composition root: config → store → jobs → HTTP. Stops in reverse order. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  registerSecrets(SECRET_SETTINGS.map((name) => config[name]));
  const workerName = `${hostname()}:${process.pid}`;
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    while (stack.length)
      await stack
        .pop()?.()
        .catch((err) => logger.error({ err }, 'shutdown step failed'));
  };

  try {
    const db = await openStore(config);
    stack.push(() => db.close());
    logger.info({ engine: db.engine, schema: db.schema }, 'store ready');

    const jobs: JobDefinition<never>[] = [heartbeatJob(workerName)];
    const scheduler = await startScheduler({
      db,
      logger,
      jobs,
      processEveryMs: config.JOBS_POLL_MS,
      lockLifetimeMs: config.JOBS_LOCK_LIFETIME_MS,
      workerName,
    });
    stack.push(() => scheduler.stop());

    const readiness: ReadinessChecks = {
      database: async () => (await db.query('SELECT 1 AS ok')).rowCount === 1,
      jobs: () => scheduler.running,
    };
    const http = await startHttpServer({ host: config.HTTP_HOST, port: config.HTTP_PORT, logger, readiness });
    stack.push(() => http.close());
    logger.info({ port: http.port }, 'http server listening (/health, /ready, /metrics)');

    if (slackMode(config) === 'demo') {
      logger.warn(
        'SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set: Slack is not connected. Set both to connect to a workspace.',
      );
    }
    return { db, scheduler, http, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
