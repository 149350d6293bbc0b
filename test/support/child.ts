// A real em-agent process for crash and concurrency tests. MODE picks what it does; it reports on stdout.

import { startScheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { insertEvents } from '../../src/sync/store.js';

const store = {
  DATABASE_URL: process.env.DATABASE_URL || undefined,
  DATABASE_SCHEMA: process.env.DATABASE_SCHEMA || undefined,
  DATA_DIR: process.env.DATA_DIR ?? './data',
};
const say = (line: string) => process.stdout.write(`${line}\n`);
const mode = process.env.MODE;

if (mode === 'migrate') {
  // Both processes are released at the same instant so their migrations really overlap.
  const startAt = Number(process.env.START_AT ?? Date.now());
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const openedFrom = Date.now();
  const db = await openStore(store);
  say(`opened from ${openedFrom} to ${Date.now()}`);
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  say(`migrated ${rows.map((r) => r.version).join(',')}`);
  await db.close();
} else if (mode === 'write-events') {
  const db = await openStore(store);
  for (let batch = 0; ; batch += 1) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      source: 'crash-test',
      kind: 'tick',
      externalId: `${batch}-${i}`,
      occurredAt: new Date(),
    }));
    await db.transaction((tx) => insertEvents(tx, events));
    say(`committed ${(batch + 1) * 100}`);
  }
} else if (mode === 'job') {
  const db = await openStore(store);
  await db.exec('CREATE TABLE IF NOT EXISTS job_probe (pid int, what text, at timestamptz DEFAULT now())');
  const hang = process.env.HANG === '1';
  const scheduler = await startScheduler({
    db,
    logger: createLogger('warn'),
    workerName: `child-${process.pid}`,
    processEveryMs: 200,
    lockLifetimeMs: Number(process.env.LOCK_MS ?? 2000),
    jobs: [
      {
        name: 'slow-report',
        async run({ db: jobDb }) {
          await jobDb.query("INSERT INTO job_probe (pid, what) VALUES ($1, 'started')", [process.pid]);
          say(`job started in ${process.pid}`);
          if (hang) await new Promise(() => {});
          await jobDb.query("INSERT INTO job_probe (pid, what) VALUES ($1, 'finished')", [process.pid]);
          say(`job finished in ${process.pid}`);
        },
      },
    ],
  });
  if (process.env.QUEUE === '1') await scheduler.now('slow-report');
  say('scheduler running');
  process.on('SIGTERM', async () => {
    await scheduler.stop();
    await db.close();
    say(`stopped at ${Date.now()}`);
    // EXIT=natural: no process.exit, so the process ends only when nothing (no timer, no socket) is left.
    if (process.env.EXIT !== 'natural') process.exit(0);
  });
} else if (mode === 'github-backfill') {
  // Syncs one repository from a GitHub stand-in run by the test, reporting each page it commits.
  const { createGitHubApp } = await import('../../src/connectors/github/client.js');
  const { syncGitHubRepo } = await import('../../src/connectors/github/sync.js');
  const db = await openStore(store);
  const app = createGitHubApp({
    appId: String(process.env.GH_APP_ID),
    privateKey: String(process.env.GH_KEY),
    baseUrl: process.env.GH_URL,
    logger: createLogger('silent'),
  });
  const octokit = await app.getInstallationOctokit(Number(process.env.GH_INSTALLATION));
  let pages = 0;
  await syncGitHubRepo({
    db,
    logger: createLogger('silent'),
    octokit,
    repo: String(process.env.GH_REPO),
    environment: 'production',
    backfillSince: new Date('2020-01-01T00:00:00Z'),
    heartbeat: async () => {
      pages += 1;
      say(`page ${pages} committed`);
      await new Promise((r) => setTimeout(r, 200)); // leaves the test time to kill us mid-backfill
    },
  });
  say('backfill done');
  await db.close();
} else if (mode === 'approvals-replica') {
  // One replica as the service runs it: the approvals job on the shared scheduler, with the product's default poll,
  // job-lock and claim-lease settings, posting to a Slack stand-in the test runs (SLACK_API_URL).
  const { WebClient } = await import('@slack/web-api');
  const { approvalsJob } = await import('../../src/approvals/jobs.js');
  const { PolicyBook } = await import('../../src/approvals/policies.js');
  const { ApprovalService } = await import('../../src/approvals/service.js');
  const { loadConfig } = await import('../../src/config.js');
  const config = loadConfig({ DATA_DIR: store.DATA_DIR });
  const db = await openStore(store);
  const slack = new WebClient(`xoxb-replica-${process.pid}`, {
    slackApiUrl: `${process.env.SLACK_API_URL}/api/`,
    retryConfig: { retries: 0 },
  });
  const service = new ApprovalService({
    db,
    logger: createLogger('warn'),
    clients: { slack },
    policies: new PolicyBook(String(process.env.POLICIES_DIR)),
  });
  await startScheduler({
    db,
    logger: createLogger('warn'),
    workerName: `replica-${process.pid}`,
    processEveryMs: config.JOBS_POLL_MS,
    lockLifetimeMs: config.JOBS_LOCK_LIFETIME_MS,
    jobs: [approvalsJob(service)],
  });
  say(`replica ${process.pid} running`);
} else if (mode === 'traced-jira-sync') {
  // Tracing as src/process.ts starts it (from the OTEL_* environment, before any work), then one Jira sync from a
  // stand-in run by the test (jira.js talks HTTP through axios and node:http) inside a span, with a log line there.
  const { startTracing, withSpan } = await import('../../src/observability/tracing.js');
  const tracing = await startTracing();
  const { createJiraClients } = await import('../../src/connectors/jira/client.js');
  const { syncJira } = await import('../../src/connectors/jira/sync.js');
  const db = await openStore(store);
  const logger = createLogger('info');
  await withSpan('jira sync', {}, async () => {
    const result = await syncJira({
      db,
      logger: createLogger('silent'),
      clients: createJiraClients({
        host: String(process.env.JIRA_URL),
        email: String(process.env.JIRA_EMAIL),
        apiToken: String(process.env.JIRA_TOKEN),
      }),
      projects: ['ENG'],
      boards: [],
      backfillSince: new Date(Date.now() - 30 * 86_400_000),
      fields: { points: 'customfield_10016', sprint: 'customfield_10020' },
    });
    logger.info({ issues: result.issues }, 'jira synced');
  });
  await tracing?.shutdown();
  await db.close();
  say(`tracing ${tracing ? 'on' : 'off'}`);
} else {
  throw new Error(`unknown MODE ${mode}`);
}
