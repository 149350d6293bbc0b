// npm run bench:sync — backfill of a synthetic org from the GitHub stand-in through the real connector,
// then two idle polls per repository. Prints events/s, the first sync's API calls against a computed minimum
// (including one compare per pair of consecutive deployments), and for each idle poll the calls per repository,
// how many of them were conditional (counted from the stand-in's log), billable calls and rate-limit cost (goal: 0).
// Sizes: BENCH_REPOS (default 20) × BENCH_PRS (default 100), BENCH_DEPLOYS deployments each (default 20).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { countEvents } from '../../src/sync/store.js';

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
  // Every PR is merged; a deployment follows every PRS / DEPLOYS merges, so each one ships a few PRs.
  for (let n = 1; n <= PRS; n += 1) {
    const pull = gh.addPull(repo, {
      title: `ENG-${n}: change`,
      author: `dev${n % 30}`,
      reviews: n % 2 ? [{ id: n, user: 'rev', state: 'APPROVED', submitted_at: gh.tick(0) }] : [],
    });
    gh.mergePull(repo, pull.number);
    if (n % Math.max(1, Math.floor(PRS / DEPLOYS)) === 0 && gh.repos.get(repo)!.deployments.length < DEPLOYS)
      gh.addDeployment(repo, 'production', ['success'], { productionEnvironment: true });
  }
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
  const compares = gh.calls.filter((c) => c.path.includes('/compare/')).length;
  const deploys = repos.reduce((n, repo) => n + (gh.repos.get(repo)?.deployments.length ?? 0), 0);
  // A formula, not a measurement: the least any client could do, per repo: every PR list page, plus per PR its
  // detail, commits and reviews; the deployments list plus per deployment its statuses; one compare per pair of
  // consecutive deployments (their ranges hold < 100 commits here); the repository (default branch), its workflow
  // runs, and the issues list (which holds the PRs too).
  const minimum =
    repos.length * (Math.ceil(PRS / 100) + PRS * 3 + 1 + 1 + Math.ceil(PRS / 100)) +
    deploys +
    repos.reduce((n, repo) => n + Math.ceil((gh.repos.get(repo)?.deployments.length ?? 0) / 100), 0) +
    Math.max(0, deploys - repos.length);

  const idle: { calls: number; conditional: number; billable: number; cost: number }[] = [];
  for (let poll = 0; poll < 2; poll += 1) {
    const before = { calls: gh.calls.length, billable: gh.billableCalls, remaining: gh.rateLimit.remaining };
    await eachRepo((repo) => syncGitHubRepo({ db, logger, octokit, repo, environment: 'production', backfillSince }));
    const calls = gh.calls.slice(before.calls).filter((c) => !c.path.startsWith('/app/'));
    idle.push({
      calls: calls.length,
      conditional: calls.filter((c) => c.conditional).length,
      billable: gh.billableCalls - before.billable,
      cost: before.remaining - gh.rateLimit.remaining,
    });
  }

  console.log(
    `bench:sync — ${REPOS} repos × ${PRS} PRs (+${DEPLOYS} deployments each), ${PARALLEL_REPOS} repos at a time, from the GitHub stand-in into ${db.engine}`,
  );
  console.log(
    `backfill: ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds).toLocaleString('en-US')} events/s`,
  );
  console.log(
    `first sync: ${used.toLocaleString('en-US')} API calls (${compares} of them compare) vs ${minimum.toLocaleString('en-US')} minimum by formula (ratio ${(used / minimum).toFixed(2)}); GitHub allows 5,000 an hour per installation (15,000 on Enterprise Cloud)`,
  );
  for (const [i, p] of idle.entries())
    console.log(
      `idle poll ${i + 1}: ${(p.calls / REPOS).toFixed(2)} calls per repo, ${p.conditional} of ${p.calls} conditional, ${p.billable} billable, rate-limit cost ${p.cost}`,
    );
} finally {
  await db.close();
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
}
