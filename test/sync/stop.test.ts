import { GitHubStandIn } from '../../dev/github/server.js';
import type { JobContext } from '../../src/jobs/scheduler.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { githubSyncJobs } from '../../src/sync/jobs.js';
import { githubSourceSchema } from '../../src/sync/sources.js';
import { listSyncStatus } from '../../src/sync/status-store.js';
import { describeEachEngine } from '../support/engines.js';

const REPO = 'acme/monolith';
const INSTALLATION = 5;
const logger = createLogger('silent');

/**
 * A stopping signal that turns aborted at the first check (`throwIfAborted`, the safe points of a sync) made once
 * `begun()` holds: the process begins to stop at a chosen moment of the pass.
 */
function stopOnce(begun: () => boolean): AbortSignal {
  const stopping = new AbortController();
  const signal = stopping.signal;
  Object.defineProperty(signal, 'throwIfAborted', {
    value: () => {
      if (!signal.aborted && begun()) stopping.abort(new StoppingError());
      if (signal.aborted) throw signal.reason;
    },
  });
  return signal;
}

const stored = async (db: Db) =>
  (
    await db.query<{ pulls: number; events: number }>(
      "SELECT (SELECT count(*)::int FROM pull_requests) AS pulls, (SELECT count(*)::int FROM events WHERE kind = 'pull_request') AS events",
    )
  ).rows[0];

/** The sync job of a repository of 250 PRs (three pages), none stored yet. */
function backfillOf250(gh: GitHubStandIn) {
  gh.addInstallation(INSTALLATION, [REPO]);
  for (let i = 1; i <= 250; i += 1) gh.addPull(REPO, { title: `ENG-${i} change`, author: `dev${i % 7}` });
  return syncJobOf(gh);
}

function syncJobOf(gh: GitHubStandIn) {
  const [job] = githubSyncJobs(
    githubSourceSchema.parse({ installations: [{ id: INSTALLATION, repos: [REPO] }] }),
    { appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url },
    logger,
  );
  return job as NonNullable<typeof job>;
}

describeEachEngine('a sync stopped by a shutdown', ({ freshDb }) => {
  test('keeps what it stored, records no failure, and its next run goes on from there to the end', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      const job = backfillOf250(gh);
      // The process begins to stop as soon as the first page of the backfill is stored (its first heartbeat).
      const stopping = new AbortController();
      const ctx: JobContext = {
        db,
        logger,
        signal: stopping.signal,
        touch: async () => void stopping.abort(new StoppingError()),
      };
      await expect(job.run(ctx, {} as never)).rejects.toBeInstanceOf(StoppingError);
      expect(await stored(db)).toEqual({ pulls: 100, events: 100 });
      expect(await listSyncStatus(db)).toEqual([]);

      const before = gh.calls.length;
      await job.run({ db, logger, signal: new AbortController().signal, touch: async () => {} }, {} as never);
      expect(await stored(db)).toEqual({ pulls: 250, events: 250 });
      const pages = gh.calls
        .slice(before)
        .filter((c) => /\/pulls\?/.test(c.path))
        .map((c) => Number(/[?&]page=(\d+)/.exec(c.path)?.[1] ?? 1));
      expect(pages).toEqual([2, 3]);
      const [status] = await listSyncStatus(db);
      expect([status?.consecutiveFailures, status?.lastError]).toEqual([0, null]);
    } finally {
      await gh.stop();
    }
  }, 60_000);

  test('stopped in the middle of a page, the next run stores the rest of that page and goes on, each PR once', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      const job = backfillOf250(gh);
      // The stop comes once the second page is listed and some of its PRs' details have been asked for.
      const secondPage = () => gh.calls.findIndex((c) => /\/pulls\?/.test(c.path) && /[?&]page=2\b/.test(c.path));
      const signal = stopOnce(() => secondPage() >= 0 && gh.calls.length - secondPage() > 60);
      await expect(job.run({ db, logger, signal, touch: async () => {} }, {} as never)).rejects.toBeInstanceOf(
        StoppingError,
      );
      const part = (await stored(db))?.pulls ?? 0;
      expect([part > 100, part < 200]).toEqual([true, true]);
      await job.run({ db, logger, signal: new AbortController().signal, touch: async () => {} }, {} as never);
      expect(await stored(db)).toEqual({ pulls: 250, events: 250 });
    } finally {
      await gh.stop();
    }
  }, 60_000);

  test('stopped in a later part of the pass, the PRs each deployment shipped are still marked', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      gh.addInstallation(INSTALLATION, [REPO]);
      gh.addDeployment(REPO, 'production', ['success']);
      const pr = gh.addPull(REPO, { title: 'ENG-1 change', author: 'dev1' });
      gh.mergePull(REPO, pr.number);
      gh.addDeployment(REPO, 'production', ['success']);
      for (let i = 1; i <= 5; i += 1) gh.addIssue(REPO, { title: `bug ${i}`, author: 'dev2' });
      const job = syncJobOf(gh);
      // The stop comes once the issues pass (the last part) has begun.
      const signal = stopOnce(() => gh.calls.some((c) => /\/issues\?/.test(c.path)));
      await expect(job.run({ db, logger, signal, touch: async () => {} }, {} as never)).rejects.toBeInstanceOf(
        StoppingError,
      );
      const shipped = await db.query<{ shipped: boolean }>(
        'SELECT deployed_at IS NOT NULL AS shipped FROM pull_requests',
      );
      expect(shipped.rows).toEqual([{ shipped: true }]);
    } finally {
      await gh.stop();
    }
  }, 60_000);
});
