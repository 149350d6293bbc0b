// The process around em-agent, shared by both entry points (src/main.ts for Slack, dev/demo/main.ts for the
// offline demo): configuration, signals, the orphan check under npm start, and start-up failures as one line.
import type { pino } from 'pino';
import { type Config, ConfigError, loadConfig, loadDotenvFile } from './config.js';
import { createLogger } from './observability/logger.js';
import { startTracing } from './observability/tracing.js';
import { startupFailure } from './startup-failure.js';

export interface Running {
  stop(): Promise<void>;
}

/** What an entry point starts; `isStopping` says whether a shutdown has begun (late errors are then quiet). */
export type Start = (config: Config, logger: pino.Logger, isStopping: () => boolean) => Promise<Running>;

export async function runProcess(startWith: Start): Promise<void> {
  loadDotenvFile();

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`em-agent: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const logger = createLogger(config.LOG_LEVEL);
  // OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing is loaded otherwise.
  const tracing = await startTracing().catch((err: unknown) => {
    logger.error({ err }, 'tracing could not start; running without it');
    return undefined;
  });
  if (tracing) logger.info('tracing on: spans are exported over OTLP/HTTP');

  // Signals are handled from the first moment, so a Ctrl-C during start-up still closes the database.
  let stopping = false;
  const started = startWith(config, logger, () => stopping);
  function shutdown(signal: string): void {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Each step has its own grace (Slack listeners, job runs: 5 s each), but a call that never answers (a database
    // behind a network partition) would hold the stop for good: the process ends at the deadline all the same.
    // A job it was running keeps its lock and runs again once the lock lapses.
    setTimeout(() => {
      logger.error(
        { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        `shutdown did not finish within ${Math.round(config.SHUTDOWN_TIMEOUT_MS / 1000)} s (SHUTDOWN_TIMEOUT_MS); exiting`,
      );
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    started
      .then((app) => app.stop())
      .then(() => tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'could not export the last spans')))
      .then(
        () => {
          logger.info('stopped cleanly');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutdown(signal));

  // Under `npm start`, a process manager's SIGTERM reaches npm, which exits without passing it on; the bot would
  // run on as an orphan. A new parent process means exactly that happened, so it is treated as SIGTERM.
  if (process.env.npm_lifecycle_event === 'start') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent && !stopping) shutdown('parent exited');
    }, 500).unref();
  }

  await started.catch((err: unknown) => {
    // startApp has already closed what it opened (the database included).
    const failure = startupFailure(err);
    if (failure) {
      process.stderr.write(`${failure.line}\n`);
      process.exit(failure.exitCode);
    }
    logger.fatal({ err }, 'em-agent failed to start');
    process.exit(1);
  });
}
