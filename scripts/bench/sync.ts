// npm run bench:sync — backfill of a synthetic org from the GitHub stand-in through the real connector,
// then one idle poll per repository. Prints events/s, API calls used vs the minimum needed, and calls per
// idle poll (goal <= 1 billable, 0 rate-limit cost). Sizes: BENCH_REPOS (default 20) × BENCH_PRS (default 100).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { countEvents } from '../../src/sync/store.js';
import { GitHubStandIn } from '../../test/support/github/server.js';

const REPOS = Number(process.env.BENCH_REPOS ?? 20);
const PRS = Number(process.env.BENCH_PRS ?? 100);
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 20);
const logger = createLogger('silent');

const gh = await new GitHubStandIn().start();
const repos: string[] = Array.from({ length: REPOS }, (_, i) => `acme/service-${i}`);
// Each repository is its own scheduled job, and Agenda runs several at once; the bench does the same.
const PARALLEL_REPOS = Number(process.env.BENCH_PARALLEL_REPOS ?? 4);

async function eachRepo(fn: (repo: string) => Promise<unknown>) {
  const queue = [...repos];
  await Promise.all(
    Array.from({ length: PARALLEL_REPOS }, async () => {
      for (let repo = queue.shift(); repo; repo = queue.shift()) await fn(repo);
    }),
  );
}
gh.addInstallation(1, repos);
for (const repo of repos) {
  for (let n = 1; n <= PRS; n += 1) {
    gh.addPull(repo, {
      title: `ENG-${n}: change`,
      author: `dev${n % 30}`,
      reviews: n % 2 ? [{ id: n, user: 'rev', state: 'APPROVED', submitted_at: gh.tick(0) }] : [],
    });
  }
  for (let d = 0; d < DEPLOYS; d += 1) gh.addDeployment(repo, 'production', ['success']);
}

const dir = mkdtempSync(path.join(tmpdir(), 'em-bench-sync-'));
const db = await openStore({
  DATA_DIR: dir,
  ...(process.env.DATABASE_URL
    ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: `bench_sync_${Date.now()}` }
    : {}),
});
try {
  const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger });
  const octokit = await app.getInstallationOctokit(1);
  const backfillSince = new Date('2020-01-01T00:00:00Z');
  const started = Date.now();
  await eachRepo((repo) => syncGitHubRepo({ db, logger, octokit, repo, environment: 'production', backfillSince }));
  const seconds = (Date.now() - started) / 1000;
  const events = await countEvents(db, { source: 'github' });
  const used = gh.billableCalls;
  // The least any client could do, per repo: every PR list page, plus per PR its detail, commits and reviews; the
  // deployments list plus per deployment its statuses; the default branch, its workflow runs, and the issues list.
  const minimum =
    repos.length * (Math.ceil(PRS / 100) + PRS * 3 + Math.ceil(DEPLOYS / 100) + DEPLOYS + 1 + 1 + Math.ceil(PRS / 100));

  const beforeIdle = { calls: gh.calls.length, billable: gh.billableCalls, remaining: gh.rateLimit.remaining };
  await eachRepo((repo) => syncGitHubRepo({ db, logger, octokit, repo, environment: 'production', backfillSince }));
  const idleCalls = gh.calls.length - beforeIdle.calls;

  console.log(
    `bench:sync — ${REPOS} repos × ${PRS} PRs (+${DEPLOYS} deployments each), ${PARALLEL_REPOS} repos at a time, from the GitHub stand-in into ${db.engine}`,
  );
  console.log(
    `backfill: ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds).toLocaleString('en-US')} events/s`,
  );
  console.log(
    `API calls: ${used.toLocaleString('en-US')} used vs ${minimum.toLocaleString('en-US')} minimum (ratio ${(used / minimum).toFixed(2)})`,
  );
  console.log(
    `idle poll: ${(idleCalls / REPOS).toFixed(2)} calls per repo (all conditional), ${gh.billableCalls - beforeIdle.billable} billable, rate-limit cost ${beforeIdle.remaining - gh.rateLimit.remaining}`,
  );
} finally {
  await db.close();
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
}
