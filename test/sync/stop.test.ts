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

const stored = async (db: Db) =>
  (
    await db.query<{ pulls: number; events: number }>(
      "SELECT (SELECT count(*)::int FROM pull_requests) AS pulls, (SELECT count(*)::int FROM events WHERE kind = 'pull_request') AS events",
    )
  ).rows[0];

describeEachEngine('a sync stopped by a shutdown', ({ freshDb }) => {
  test('keeps what it stored, records no failure, and its next run goes on from there to the end', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      gh.addInstallation(INSTALLATION, [REPO]);
      for (let i = 1; i <= 250; i += 1) gh.addPull(REPO, { title: `ENG-${i} change`, author: `dev${i % 7}` });
      const [job] = githubSyncJobs(
        githubSourceSchema.parse({ installations: [{ id: INSTALLATION, repos: [REPO] }] }),
        { appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url },
        logger,
      );
      // The process begins to stop as soon as the first page of the backfill is stored (its first heartbeat).
      const stopping = new AbortController();
      const ctx: JobContext = {
        db,
        logger,
        signal: stopping.signal,
        touch: async () => void stopping.abort(new StoppingError()),
      };
      await expect(job!.run(ctx, {} as never)).rejects.toBeInstanceOf(StoppingError);
      expect(await stored(db)).toEqual({ pulls: 100, events: 100 });
      expect(await listSyncStatus(db)).toEqual([]);

      const before = gh.calls.length;
      await job!.run({ db, logger, signal: new AbortController().signal, touch: async () => {} }, {} as never);
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
});
