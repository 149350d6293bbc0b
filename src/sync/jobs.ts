import { Counter, Gauge } from 'prom-client';
import { createGitHubApp, instrument } from '../connectors/github/client.js';
import { syncGitHubRepo } from '../connectors/github/sync.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { Logger } from '../observability/logger.js';
import { metrics } from '../observability/metrics.js';
import type { GitHubSource } from './sources.js';
import { backoffUntil, listSyncStatus, recordSyncFailure, recordSyncSuccess } from './status.js';

const syncRuns = new Counter({
  name: 'sync_runs_total',
  help: 'Sync runs by source and outcome',
  labelNames: ['source', 'outcome'] as const,
  registers: [metrics],
});
const syncLag = new Gauge({
  name: 'sync_lag_seconds',
  help: 'Seconds since the last successful sync of each source scope',
  labelNames: ['source', 'scope'] as const,
  registers: [metrics],
});
const recordsRejected = new Counter({
  name: 'sync_records_rejected_total',
  help: 'Source records rejected by validation',
  labelNames: ['source'] as const,
  registers: [metrics],
});

const UNITS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
export function intervalMs(interval: string): number {
  const [count = '1', unit = 'minute'] = interval.split(/\s+/);
  return Number(count) * (UNITS[unit.replace(/s$/, '')] ?? 60_000);
}

export interface GitHubCredentials {
  appId?: string;
  privateKey?: string;
  baseUrl?: string;
}

/** One recurring, single-flight job per repository; Agenda's lock keeps it single across replicas too. */
export function githubSyncJobs(source: GitHubSource, credentials: GitHubCredentials, logger: Logger): JobDefinition[] {
  const app =
    credentials.appId && credentials.privateKey
      ? createGitHubApp({
          appId: credentials.appId,
          privateKey: credentials.privateKey,
          baseUrl: credentials.baseUrl,
          logger,
        })
      : undefined;
  const every = intervalMs(source.interval);
  return source.installations.flatMap((installation) =>
    installation.repos.map(
      (repo): JobDefinition => ({
        name: `sync:github:${repo}`,
        every: source.interval,
        concurrency: 1,
        lockLifetimeMs: 10 * 60_000,
        async run({ db, logger: log, touch }) {
          const status = (await listSyncStatus(db)).find((s) => s.source === 'github' && s.scope === repo);
          const wait = status ? backoffUntil(status, every) : null;
          if (wait && wait > new Date()) {
            syncRuns.inc({ source: 'github', outcome: 'backoff' });
            return;
          }
          if (!app) {
            await recordSyncFailure(db, 'github', repo, 'GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set');
            syncRuns.inc({ source: 'github', outcome: 'failure' });
            return;
          }
          let remaining: number | null = null;
          try {
            const octokit = await app.getInstallationOctokit(installation.id);
            instrument(octokit, (_status, headers) => {
              const value = Number(headers['x-ratelimit-remaining']);
              if (Number.isFinite(value) && headers['x-ratelimit-remaining'] !== undefined) remaining = value;
            });
            const result = await syncGitHubRepo({
              db,
              logger: log,
              octokit,
              repo,
              environment: source.deployments.environment,
              backfillSince: new Date(Date.now() - source.backfill_days * 86_400_000),
              heartbeat: touch,
            });
            if (result.rejected) recordsRejected.inc({ source: 'github' }, result.rejected);
            await recordSyncSuccess(db, 'github', repo, { rateLimitRemaining: remaining, rejected: result.rejected });
            syncRuns.inc({ source: 'github', outcome: 'success' });
            syncLag.set({ source: 'github', scope: repo }, 0);
            log.info({ repo, ...result }, 'github sync done');
          } catch (err) {
            const message = describeSourceError(err);
            const failures = await recordSyncFailure(db, 'github', repo, message);
            syncRuns.inc({ source: 'github', outcome: 'failure' });
            log.warn({ repo, failures, error: message }, 'github sync failed; will back off');
          }
        },
      }),
    ),
  );
}

/** A short reason a person can act on; never a token or a stack. */
export function describeSourceError(err: unknown): string {
  const e = err as { status?: number; message?: string; code?: string };
  if (e.status === 401) return 'authentication failed (401): check the App id and private key';
  if (e.status === 403) return 'forbidden or rate-limited (403): the App may lack access to this repository';
  if (e.status === 404)
    return 'not found (404): the repository or installation does not exist or is not shared with the App';
  if (e.status && e.status >= 500) return `the source answered ${e.status}; it will be retried with back-off`;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND') return 'the source cannot be reached';
  return (e.message ?? String(err)).slice(0, 200);
}
