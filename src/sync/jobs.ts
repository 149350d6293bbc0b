import { Counter, Gauge } from 'prom-client';
import type { JobContext, JobDefinition } from '../jobs/scheduler.js';
import { isStopping } from '../lib/stopping.js';
import type { Logger } from '../observability/logger.js';
import { metrics } from '../observability/metrics.js';
import { intervalToMs } from '../yaml-file.js';
import { describeSourceError } from './source-errors.js';
import type {
  ConfluenceSource,
  GitHubSource,
  IncidentMatch,
  JiraSource,
  LinearSource,
  ShortcutSource,
} from './sources.js';
import { backoffUntil, listSyncStatus, recordSyncFailure, recordSyncSuccess } from './status-store.js';
import { getCursor, setCursor } from './store.js';
import { deriveTrackerIncidents } from './work-items-store.js';

const syncRuns = new Counter({
  name: 'sync_runs_total',
  help: 'Sync runs by source and outcome',
  labelNames: ['source', 'outcome'] as const,
  registers: [metrics],
});
const syncLag = new Gauge({
  name: 'sync_lag_seconds',
  help: 'Seconds since the last successful sync of each source scope (as of its last run)',
  labelNames: ['source', 'scope'] as const,
  registers: [metrics],
});
const recordsRejected = new Counter({
  name: 'sync_records_rejected_total',
  help: 'Source records rejected by validation',
  labelNames: ['source'] as const,
  registers: [metrics],
});

interface ScopeRun {
  rejected: number;
  /** The last skipped record and the field at fault. */
  lastSkip?: string | null;
  rateLimitRemaining?: number | null;
}

/**
 * One recurring, single-flight job for one scope of one source (Agenda's lock keeps it single across
 * replicas). It records status for /em sources, counts metrics, and backs off while the source fails.
 */
function scopeSyncJob(
  source: string,
  scope: string,
  interval: string,
  sync: ((ctx: JobContext) => Promise<ScopeRun>) | string,
): JobDefinition {
  const every = intervalToMs(interval);
  return {
    name: `sync:${source}:${scope}`,
    every: interval,
    concurrency: 1,
    async run(ctx) {
      const { db, logger } = ctx;
      const status = (await listSyncStatus(db)).find((s) => s.source === source && s.scope === scope);
      const wait = status ? backoffUntil(status, every) : null;
      if (wait && wait > new Date()) {
        syncRuns.inc({ source, outcome: 'backoff' });
        return;
      }
      if (status?.lastSuccessAt) syncLag.set({ source, scope }, (Date.now() - status.lastSuccessAt.getTime()) / 1000);
      if (typeof sync === 'string') {
        // Configured but not usable (missing credentials): say so where people look.
        await recordSyncFailure(db, source, scope, sync);
        syncRuns.inc({ source, outcome: 'failure' });
        return;
      }
      try {
        const result = await sync(ctx);
        if (result.rejected) recordsRejected.inc({ source }, result.rejected);
        await recordSyncSuccess(db, source, scope, {
          rateLimitRemaining: result.rateLimitRemaining,
          rejected: result.rejected,
          lastSkip: result.lastSkip,
        });
        syncRuns.inc({ source, outcome: 'success' });
        syncLag.set({ source, scope }, 0);
      } catch (err) {
        // Stopped at a safe point because the process is stopping: no failure to record, the next run goes on.
        if (isStopping(err)) throw err;
        const message = describeSourceError(err);
        const failures = await recordSyncFailure(db, source, scope, message);
        syncRuns.inc({ source, outcome: 'failure' });
        logger.warn({ source, scope, failures, error: message }, 'sync failed; will back off');
      }
    },
  };
}

export interface GitHubCredentials {
  appId?: string;
  privateKey?: string;
  baseUrl?: string;
}

/**
 * Each connector (and its SDK) is loaded on the first run of one of its jobs, so an installation pays in
 * memory and start-up time only for the sources it uses.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((err) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}

/** How far back a first sync reaches. */
function backfillStart(days: number): Date {
  return new Date(Date.now() - days * intervalToMs('1 day'));
}

/** One job per repository. */
export function githubSyncJobs(
  source: GitHubSource,
  credentials: GitHubCredentials,
  logger: Logger,
  incidents?: IncidentMatch,
): JobDefinition[] {
  const { appId, privateKey, baseUrl } = credentials;
  const connector =
    appId && privateKey
      ? once(async () => {
          const { createGitHubApp, instrument, stopWith, syncGitHubRepo, syncRepoDocs } = await import(
            '../connectors/github/index.js'
          );
          return {
            app: createGitHubApp({ appId, privateKey, baseUrl, logger }),
            instrument,
            stopWith,
            syncGitHubRepo,
            syncRepoDocs,
          };
        })
      : undefined;
  return source.installations.flatMap((installation) =>
    installation.repos.map((repo) =>
      scopeSyncJob(
        'github',
        repo,
        source.interval,
        connector
          ? async ({ db, logger: log, touch, signal }) => {
              const { app, instrument, stopWith, syncGitHubRepo, syncRepoDocs } = await connector();
              let remaining: number | null = null;
              const octokit = await app.getInstallationOctokit(installation.id);
              instrument(octokit, (_status, headers) => {
                if (headers['x-ratelimit-remaining'] !== undefined)
                  remaining = Number(headers['x-ratelimit-remaining']);
              });
              stopWith(octokit, signal);
              const result = await syncGitHubRepo({
                db,
                logger: log,
                octokit,
                repo,
                environment: source.deployments.environment,
                signals: { workflow: source.deployments.workflow, release: source.deployments.release },
                backfillSince: backfillStart(source.backfill_days),
                heartbeat: touch,
                signal,
                issues: source.issues,
              });
              if (incidents && result.issues) await deriveTrackerIncidents(db, 'github', incidents);
              if (source.docs) {
                const cursor = await getCursor<{ etag?: string | null }>(db, 'github-docs', repo);
                const docs = await syncRepoDocs({ db, octokit, repo, config: source.docs, etag: cursor?.etag });
                await setCursor(db, 'github-docs', repo, { etag: docs.etag });
                if (docs.fetched || docs.deleted) log.info({ repo, ...docs }, 'github docs synced');
              }
              log.info({ repo, ...result }, 'github sync done');
              return { rejected: result.rejected, rateLimitRemaining: remaining };
            }
          : 'GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set',
      ),
    ),
  );
}

/** Atlassian Cloud credentials (Jira and Confluence use the same shape). */
export interface JiraCredentials {
  host?: string;
  email?: string;
  apiToken?: string;
}

/** One job for the configured projects (one JQL search covers them all). */
export function jiraSyncJobs(
  source: JiraSource,
  credentials: JiraCredentials,
  incidents?: IncidentMatch,
): JobDefinition[] {
  const { host, email, apiToken } = credentials;
  const connector =
    host && email && apiToken
      ? once(async () => {
          const { createJiraClients, syncJira } = await import('../connectors/jira/index.js');
          return { clients: createJiraClients({ host, email, apiToken }), syncJira };
        })
      : undefined;
  return [
    scopeSyncJob(
      'jira',
      source.projects.join(','),
      source.interval,
      connector
        ? async ({ db, logger, touch, signal }) => {
            const { clients, syncJira } = await connector();
            const result = await syncJira({
              db,
              logger,
              clients,
              projects: source.projects,
              jql: source.jql,
              boards: source.boards,
              backfillSince: backfillStart(source.backfill_days),
              fields: source.fields,
              heartbeat: touch,
              signal,
            });
            if (incidents) await deriveTrackerIncidents(db, 'jira', incidents);
            logger.info({ ...result }, 'jira sync done');
            return { rejected: result.rejected, lastSkip: result.lastSkip };
          }
        : 'JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN are not set',
    ),
  ];
}

/** One job per space: lists page versions, fetches only new or changed pages, marks deleted ones. */
export function confluenceSyncJobs(source: ConfluenceSource, credentials: JiraCredentials): JobDefinition[] {
  const { host, email, apiToken } = credentials;
  const connector =
    host && email && apiToken
      ? once(async () => {
          const { createConfluenceClient, syncConfluenceSpace } = await import('../connectors/confluence/index.js');
          return { client: createConfluenceClient({ host, email, apiToken }), syncConfluenceSpace };
        })
      : undefined;
  return source.spaces.map((space) =>
    scopeSyncJob(
      'confluence',
      space,
      source.interval,
      connector && host
        ? async ({ db, logger, touch, signal }) => {
            const { client, syncConfluenceSpace } = await connector();
            const result = await syncConfluenceSpace({ db, logger, client, host, space, heartbeat: touch, signal });
            logger.info({ space, ...result }, 'confluence sync done');
            return { rejected: result.rejected, lastSkip: result.lastSkip };
          }
        : 'CONFLUENCE_HOST, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN are not set',
    ),
  );
}

/** One job for the configured Linear teams. */
export function linearSyncJobs(
  source: LinearSource,
  credentials: { apiKey?: string; apiUrl?: string },
  incidents?: IncidentMatch,
): JobDefinition[] {
  const { apiKey, apiUrl } = credentials;
  return teamTrackerSyncJobs(
    'linear',
    source,
    apiKey
      ? async () => {
          const { createLinearClient, syncLinear } = await import('../connectors/linear/index.js');
          const client = createLinearClient({ apiKey, apiUrl });
          return (options) => syncLinear({ ...options, client });
        }
      : 'LINEAR_API_KEY is not set',
    incidents,
  );
}

/** One job for the configured Shortcut teams. */
export function shortcutSyncJobs(
  source: ShortcutSource,
  credentials: { token?: string; apiUrl?: string },
  incidents?: IncidentMatch,
): JobDefinition[] {
  const { token, apiUrl } = credentials;
  return teamTrackerSyncJobs(
    'shortcut',
    source,
    token
      ? async () => {
          const { createShortcutClient, syncShortcut } = await import('../connectors/shortcut/index.js');
          const client = createShortcutClient({ token, apiUrl });
          return (options) => syncShortcut({ ...options, client });
        }
      : 'SHORTCUT_API_TOKEN is not set',
    incidents,
  );
}

type TeamTrackerSync = (options: {
  db: JobContext['db'];
  logger: JobContext['logger'];
  teams: string[];
  backfillSince: Date;
  heartbeat: () => Promise<void>;
  signal: AbortSignal;
}) => Promise<{ rejected: number; lastSkip: string | null }>;

/**
 * One job for a tracker synced by team (Linear, Shortcut): its client made once, on the first run; after each sync,
 * incidents from the labelled tickets. `connect` is the reason it cannot run when its credentials are missing.
 */
function teamTrackerSyncJobs(
  tracker: 'linear' | 'shortcut',
  source: { teams: string[]; interval: string; backfill_days: number },
  connect: (() => Promise<TeamTrackerSync>) | string,
  incidents?: IncidentMatch,
): JobDefinition[] {
  const sync = typeof connect === 'string' ? undefined : once(connect);
  return [
    scopeSyncJob(
      tracker,
      source.teams.join(','),
      source.interval,
      sync
        ? async ({ db, logger, touch, signal }) => {
            const result = await (await sync())({
              db,
              logger,
              teams: source.teams,
              backfillSince: backfillStart(source.backfill_days),
              heartbeat: touch,
              signal,
            });
            if (incidents) await deriveTrackerIncidents(db, tracker, incidents);
            logger.info({ ...result }, `${tracker} sync done`);
            return { rejected: result.rejected, lastSkip: result.lastSkip };
          }
        : (connect as string),
    ),
  ];
}
