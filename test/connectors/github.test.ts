import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp, instrument, stopWith } from '../../src/connectors/github/client.js';
import { RECONCILE_EVERY_MS, reconcileGitHubIssues } from '../../src/connectors/github/issue-reconcile.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { personBy } from '../../src/identity/store.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { githubSyncJobs } from '../../src/sync/jobs.js';
import { githubSourceSchema } from '../../src/sync/sources.js';
import { listSyncStatus } from '../../src/sync/status-store.js';
import { countEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';
import { eventually } from '../support/eventually.js';

const REPO = 'acme/checkout-api';
const INSTALLATION = 77;
const logger = createLogger('silent');

async function seed(gh: GitHubStandIn, pulls = 3) {
  gh.addInstallation(INSTALLATION, [REPO]);
  for (let i = 1; i <= pulls; i += 1) {
    gh.addPull(REPO, {
      title: `ENG-${i}: change ${i}`,
      author: `dev${i}`,
      requested_reviewers: ['rev1'],
      reviews: i === 1 ? [{ id: 9001, user: 'rev1', state: 'APPROVED', submitted_at: gh.tick() }] : [],
    });
  }
  gh.addDeployment(REPO, 'production', ['in_progress', 'success']);
  gh.addDeployment(REPO, 'staging', ['success']);
}

async function octokitFor(gh: GitHubStandIn) {
  const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger, retryBaseMs: 10 });
  const octokit = await app.getInstallationOctokit(INSTALLATION);
  instrument(octokit, () => {});
  return octokit;
}

async function counts(db: Db) {
  const q = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n);
  return {
    pulls: await q('SELECT count(*) AS n FROM pull_requests'),
    reviews: await q('SELECT count(*) AS n FROM pr_reviews'),
    deployments: await q('SELECT count(*) AS n FROM deployments'),
    events: await countEvents(db, { source: 'github' }),
  };
}

describeEachEngine('GitHub sync against the GitHub stand-in', ({ freshDb }) => {
  let gh: GitHubStandIn;
  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
  });
  afterEach(() => gh.stop());

  const run = async (db: Db, backfillSince = new Date('2026-01-01T00:00:00Z')) =>
    syncGitHubRepo({ db, logger, octokit: await octokitFor(gh), repo: REPO, environment: 'production', backfillSince });

  test('a full sync stores PRs with reviews and ticket keys, and production deployments with their final state', async () => {
    const db = await freshDb();
    await seed(gh);
    const result = await run(db);
    expect(result).toMatchObject({ pullRequests: 3, deployments: 1, rejected: 0, notModified: false });
    expect(await counts(db)).toEqual({ pulls: 3, reviews: 1, deployments: 1, events: 5 });
    const { rows } = await db.query<{ ticket_keys: string[]; requested_reviewers: string[]; first_commit_at: Date }>(
      'SELECT ticket_keys, requested_reviewers, first_commit_at FROM pull_requests WHERE number = 1',
    );
    expect(rows[0]?.ticket_keys).toEqual(['ENG-1']);
    expect(rows[0]?.requested_reviewers).toEqual(['rev1']);
    const deployment = (
      await db.query<{ state: string; finished_at: Date | null; environment: string }>(
        'SELECT state, finished_at, environment FROM deployments',
      )
    ).rows[0];
    expect(deployment).toMatchObject({ state: 'success', environment: 'production' });
    expect(deployment?.finished_at).toBeInstanceOf(Date);
    // Commit e-mails link the GitHub login to a person.
    expect(await personBy(db, 'github', 'dev1')).toMatchObject({ email: 'dev1@acme.dev' });
  });

  test('an idle poll makes only conditional requests that cost no rate limit', async () => {
    const db = await freshDb();
    await seed(gh);
    await run(db);
    const before = { calls: gh.calls.length, remaining: gh.rateLimit.remaining };
    const idle = await run(db);
    const idleCalls = gh.calls.slice(before.calls).filter((c) => !c.path.startsWith('/app/'));
    expect(idle.notModified).toBe(true);
    // Pull requests, deployments, the repository (its default branch), default-branch workflow runs, issues:
    // five conditional requests, all free.
    expect(idleCalls.map((c) => [c.path.split('?')[0], c.status, c.conditional])).toEqual([
      [`/repos/${REPO}/pulls`, 304, true],
      [`/repos/${REPO}/deployments`, 304, true],
      [`/repos/${REPO}`, 304, true],
      [`/repos/${REPO}/actions/runs`, 304, true],
      [`/repos/${REPO}/issues`, 304, true],
    ]);
    expect(gh.rateLimit.remaining).toBe(before.remaining);
  });

  test('after a sync that found changes, the first and the second idle re-poll are answered with 304s only', async () => {
    const db = await freshDb();
    await seed(gh);
    gh.addIssue(REPO, { title: 'Flaky checkout test', author: 'dev1' });
    await run(db);
    // Something new everywhere: a PR, an issue, a deployment; the next poll stores them.
    gh.addPull(REPO, { title: 'ENG-9: retry payments', author: 'dev2' });
    gh.updateIssue(REPO, 5001, { state: 'closed', closed_at: gh.tick(0) });
    gh.addDeployment(REPO, 'production', ['success']);
    const changed = await run(db);
    expect(changed).toMatchObject({ pullRequests: 1, issues: 1, deployments: 1 });
    for (const poll of ['first', 'second']) {
      const before = gh.calls.length;
      const idle = await run(db);
      const statuses = gh.calls
        .slice(before)
        .filter((c) => !c.path.startsWith('/app/'))
        .map((c) => `${c.path.split('?')[0]} ${c.status}`);
      expect({ poll, statuses, notModified: idle.notModified }).toEqual({
        poll,
        statuses: [
          `/repos/${REPO}/pulls 304`,
          `/repos/${REPO}/deployments 304`,
          `/repos/${REPO} 304`,
          `/repos/${REPO}/actions/runs 304`,
          `/repos/${REPO}/issues 304`,
        ],
        notModified: true,
      });
    }
  });

  test('a PR changed after the last poll is picked up, and only it is re-fetched', async () => {
    const db = await freshDb();
    await seed(gh);
    await run(db);
    const merged = gh.tick();
    gh.updatePull(REPO, 2, { state: 'closed', merged_at: merged, closed_at: merged });
    const before = gh.calls.length;
    const result = await run(db);
    expect(result.pullRequests).toBe(1);
    expect(
      gh.calls
        .slice(before)
        .filter((c) => /\/pulls\/\d+$/.test(c.path))
        .map((c) => c.path),
    ).toEqual([`/repos/${REPO}/pulls/2`]);
    expect((await db.query<{ state: string }>('SELECT state FROM pull_requests WHERE number = 2')).rows[0]?.state).toBe(
      'merged',
    );
    expect((await counts(db)).pulls).toBe(3);
  });

  test('rate limits (429 and secondary 403 with retry-after) are waited out; nothing is lost or doubled', async () => {
    const clean = await freshDb();
    await seed(gh);
    await run(clean);
    const expected = await counts(clean);

    const db = await freshDb();
    gh.failNext(/\/pulls\?/, 429, { retryAfter: 1 });
    gh.failNext(/\/reviews\?/, 403, { retryAfter: 1 });
    const started = Date.now();
    await run(db);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it waited for retry-after
    expect(gh.calls.filter((c) => c.status === 429 || c.status === 403)).toHaveLength(2);
    expect(await counts(db)).toEqual(expected);
  });

  test('a stop while a rate limit is waited out ends the sync at once with the stop, its timer with it', async () => {
    const db = await freshDb();
    await seed(gh);
    gh.failNext(/\/pulls\?/, 403, { retryAfter: 600 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const stopping = new AbortController();
    const octokit = await octokitFor(gh);
    stopWith(octokit, stopping.signal);
    const sync = syncGitHubRepo({
      db,
      logger,
      octokit,
      repo: REPO,
      environment: 'production',
      backfillSince: new Date('2026-01-01T00:00:00Z'),
      signal: stopping.signal,
    });
    await eventually(async () => gh.calls.some((c) => c.status === 403));
    const asked = gh.calls.length;
    stopping.abort(new StoppingError());
    await expect(sync).rejects.toBeInstanceOf(StoppingError);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(gh.calls).toHaveLength(asked); // nothing more was asked of GitHub
    // The next run (after the restart) stores everything.
    await run(db);
    expect((await counts(db)).pulls).toBe(3);
  });

  const syncStoppable = async (db: Db, retryBaseMs: number, stopping: AbortController) => {
    const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger, retryBaseMs });
    const octokit = await app.getInstallationOctokit(INSTALLATION);
    stopWith(octokit, stopping.signal);
    return syncGitHubRepo({
      db,
      logger,
      octokit,
      repo: REPO,
      environment: 'production',
      backfillSince: new Date('2026-01-01T00:00:00Z'),
      signal: stopping.signal,
    });
  };

  test('a 5xx is retried after its back-off, and the sync completes', async () => {
    const db = await freshDb();
    await seed(gh);
    gh.failNext(/\/pulls\?/, 502);
    const started = Date.now();
    await syncStoppable(db, 400, new AbortController());
    expect(Date.now() - started).toBeGreaterThanOrEqual(350); // it waited before retrying
    expect(gh.calls.filter((c) => /\/pulls\?/.test(c.path)).map((c) => c.status)).toEqual([502, 200]);
    expect((await counts(db)).pulls).toBe(3);
  });

  test('a stop during a 5xx back-off ends the sync at once, its timer with it, and no retry is sent', async () => {
    const db = await freshDb();
    await seed(gh);
    gh.failNext(/\/pulls\?/, 502);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const stopping = new AbortController();
    // A ten-minute back-off: without the stop ending it, the test would time out.
    const sync = syncStoppable(db, 600_000, stopping);
    await eventually(async () => gh.calls.some((c) => c.status === 502));
    const asked = gh.calls.length;
    stopping.abort(new StoppingError());
    await expect(sync).rejects.toBeInstanceOf(StoppingError);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(gh.calls).toHaveLength(asked);
  });

  test('a malformed PR in the list is skipped and counted; the others are stored', async () => {
    const db = await freshDb();
    await seed(gh);
    gh.addRawPull(REPO, { id: 1, title: 'no number, no dates', state: 'weird' });
    const result = await run(db);
    expect(result.rejected).toBe(1);
    expect((await counts(db)).pulls).toBe(3);
  });

  test('a backfill interrupted mid-way resumes from its cursor and ends with the same rows as a clean run', async () => {
    gh.addInstallation(INSTALLATION, [REPO]);
    for (let i = 1; i <= 250; i += 1) gh.addPull(REPO, { title: `ENG-${i} bulk`, author: 'dev' });
    const clean = await freshDb();
    await run(clean);
    const expected = await counts(clean);

    const db = await freshDb();
    gh.failNext(/\/pulls\?.*[?&]page=2\b/, 500, { times: 10 }); // the source breaks after the first page
    await expect(run(db)).rejects.toMatchObject({ status: 500 });
    expect((await counts(db)).pulls).toBe(100);

    gh.clearFaults();
    const before = gh.calls.length;
    await run(db);
    const listed = gh.calls
      .slice(before)
      .filter((c) => /\/pulls\?/.test(c.path))
      .map((c) => /[?&]page=(\d+)/.exec(c.path)?.[1]);
    expect(listed).toEqual(['2', '3']); // resumed where it stopped
    expect(await counts(db)).toEqual(expected);
  }, 60_000);
});

describeEachEngine('GitHub deploy signals: workflow runs and releases', ({ freshDb }) => {
  test('matching workflow runs on the default branch and published releases count as deployments; idle polls are free', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      gh.addInstallation(INSTALLATION, [REPO]);
      gh.addRun(REPO, 'Deploy production', 'success');
      gh.addRun(REPO, 'Deploy production', 'failure');
      gh.addRun(REPO, 'CI', 'success');
      gh.addRun(REPO, 'Deploy production', 'success', 'feature-x');
      gh.addRelease(REPO, 'v1.4.0');
      gh.addRelease(REPO, 'v1.5.0-rc1', { prerelease: true });
      gh.addRelease(REPO, 'v1.5.0', { draft: true });
      const octokit = await octokitFor(gh);
      const run = () =>
        syncGitHubRepo({
          db,
          logger,
          octokit,
          repo: REPO,
          environment: 'production',
          backfillSince: new Date('2026-01-01T00:00:00Z'),
          signals: { workflow: '^deploy', release: '^v\\d+\\.\\d+\\.\\d+$' },
        });
      await run();
      const { rows } = await db.query<{ source: string; state: string; ref: string }>(
        'SELECT source, state, ref FROM deployments ORDER BY source, created_at',
      );
      expect(rows).toEqual([
        { source: 'github-actions', state: 'success', ref: 'main' },
        { source: 'github-actions', state: 'failure', ref: 'main' },
        { source: 'github-releases', state: 'success', ref: 'v1.4.0' },
      ]);
      const before = gh.calls.length;
      const idle = await run();
      expect(idle.notModified).toBe(true);
      const again = gh.calls.slice(before).filter((c) => !c.path.startsWith('/app/'));
      expect(again.length).toBeGreaterThan(0); // it did ask again, and every answer was "not modified"
      expect(again.map((c) => c.status)).toEqual(again.map(() => 304));
    } finally {
      await gh.stop();
    }
  });
});

describeEachEngine('GitHub issues, CI runs and incidents', ({ freshDb }) => {
  test("issues become work items (the PRs in GitHub's issues list do not); an incident-labelled one is an incident until closed", async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      await seed(gh, 2);
      gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre', labels: ['Incident', 'sev2'] });
      gh.addIssue(REPO, { title: 'Flaky test', author: 'dev1', labels: ['bug'], assignee: 'dev1' });
      const [job] = githubSyncJobs(
        githubSourceSchema.parse({ installations: [{ id: INSTALLATION, repos: [REPO] }] }),
        { appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url },
        logger,
        { labels: ['incident'] },
      );
      const ctx = { db, logger, touch: async () => {}, signal: new AbortController().signal };
      await job!.run(ctx, {} as never);
      const items = await db.query<{ key: string; status_category: string; assignee: string | null }>(
        "SELECT key, status_category, assignee FROM work_items WHERE source = 'github' ORDER BY key",
      );
      expect(items.rows).toEqual([
        { key: `${REPO}#5001`, status_category: 'new', assignee: null },
        { key: `${REPO}#5002`, status_category: 'indeterminate', assignee: 'dev1' },
      ]);
      const incidents = () =>
        db.query<{ external_id: string; status: string; title: string }>(
          'SELECT external_id, status, title FROM incidents',
        );
      expect((await incidents()).rows).toEqual([
        { external_id: `${REPO}#5001`, status: 'open', title: 'Checkout returns 502' },
      ]);

      const closed = gh.tick();
      gh.updateIssue(REPO, 5001, { state: 'closed', closed_at: closed });
      await job!.run(ctx, {} as never);
      expect((await incidents()).rows).toEqual([
        { external_id: `${REPO}#5001`, status: 'resolved', title: 'Checkout returns 502' },
      ]);
    } finally {
      await gh.stop();
    }
  });

  test('issues deleted or transferred while em-agent was down (no webhook) are removed by the next reconciling pass, the incident with them', async () => {
    const gh = await new GitHubStandIn().start();
    const ELSEWHERE = 'acme/payments';
    try {
      const db = await freshDb();
      await seed(gh, 1);
      gh.addInstallation(INSTALLATION, [REPO, ELSEWHERE]);
      gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre', labels: ['incident'] });
      gh.addIssue(REPO, { title: 'Moves to payments', author: 'dev1' });
      gh.addIssue(REPO, { title: 'Moves out of reach', author: 'dev1' });
      gh.addIssue(REPO, { title: 'Stays', author: 'dev1', state: 'closed', closed_at: gh.tick() });
      const octokit = await octokitFor(gh);
      const options = { db, logger, octokit, repo: REPO, backfillSince: new Date('2026-01-01T00:00:00Z') };
      const [job] = githubSyncJobs(
        githubSourceSchema.parse({ installations: [{ id: INSTALLATION, repos: [REPO] }] }),
        { appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url },
        logger,
        { labels: ['incident'] },
      );
      await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
      const keys = async () =>
        (await db.query<{ key: string }>("SELECT key FROM work_items WHERE source = 'github' ORDER BY key")).rows.map(
          (r) => r.key,
        );
      expect(await keys()).toEqual([`${REPO}#5001`, `${REPO}#5002`, `${REPO}#5003`, `${REPO}#5004`]);
      expect((await db.query('SELECT 1 FROM incidents')).rowCount).toBe(1);

      // While em-agent is down: their webhooks are never received.
      gh.deleteIssue(REPO, 5001);
      gh.transferIssue(REPO, 5002, ELSEWHERE);
      gh.addInstallation(INSTALLATION + 1, ['acme/private']);
      gh.transferIssue(REPO, 5003, 'acme/private');

      const soon = new Date(Date.now() + 60 * 60 * 1000);
      expect(await reconcileGitHubIssues(options, soon)).toBeUndefined();
      expect(await keys()).toHaveLength(4);

      const later = new Date(Date.now() + RECONCILE_EVERY_MS + 60_000);
      expect(await reconcileGitHubIssues(options, later)).toEqual({ checked: 4, removed: 3 });
      expect(await keys()).toEqual([`${REPO}#5004`]);
      expect((await db.query('SELECT 1 FROM incidents')).rowCount).toBe(0);
      // What GitHub answered for each: 410 Gone, 301 to the new repository's issue, 404 where we cannot read.
      const asked = gh.calls.filter((c) => /\/issues\/\d+$/.test(c.path)).map((c) => `${c.path} ${c.status}`);
      expect(asked).toEqual(
        expect.arrayContaining([
          `/repos/${REPO}/issues/5001 410`,
          `/repos/${REPO}/issues/5002 301`,
          `/repos/${REPO}/issues/5003 404`,
        ]),
      );
      expect(asked.some((line) => line.startsWith(`/repos/${REPO}/issues/5004`))).toBe(false);
      // A later poll does not bring them back.
      await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
      expect(await keys()).toEqual([`${REPO}#5004`]);
    } finally {
      await gh.stop();
    }
  });

  test('every completed default-branch workflow run is kept (red ones too), without any deployment pattern', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = await freshDb();
      gh.addInstallation(INSTALLATION, [REPO]);
      gh.addRun(REPO, 'CI', 'success');
      gh.addRun(REPO, 'CI', 'failure');
      gh.addRun(REPO, 'CI', 'failure', 'feature-x');
      await syncGitHubRepo({
        db,
        logger,
        octokit: await octokitFor(gh),
        repo: REPO,
        environment: 'production',
        backfillSince: new Date('2026-01-01T00:00:00Z'),
      });
      const runs = await db.query<{ name: string; branch: string; conclusion: string }>(
        'SELECT name, branch, conclusion FROM ci_runs ORDER BY updated_at',
      );
      expect(runs.rows).toEqual([
        { name: 'CI', branch: 'main', conclusion: 'success' },
        { name: 'CI', branch: 'main', conclusion: 'failure' },
      ]);
      expect((await counts(db)).deployments).toBe(0);
    } finally {
      await gh.stop();
    }
  });
});

describe('GitHub sync job', () => {
  test('wrong credentials leave a clear status and back off; /em sources can show it', async () => {
    const gh = await new GitHubStandIn().start();
    const { openPglite } = await import('../../src/store/pglite.js');
    const { migrate } = await import('../../src/store/migrate.js');
    const db = await openPglite({});
    try {
      await migrate(db);
      gh.addInstallation(INSTALLATION, [REPO]);
      const wrongKey = new GitHubStandIn().privateKey;
      const [job] = githubSyncJobs(
        {
          installations: [{ id: INSTALLATION, repos: [REPO] }],
          interval: '5 minutes',
          backfill_days: 30,
          issues: true,
          deployments: { environment: 'production' },
        },
        { appId: gh.appId, privateKey: wrongKey, baseUrl: gh.url },
        logger,
      );
      const ctx = { db, logger, touch: async () => {}, signal: new AbortController().signal };
      await job!.run(ctx, {} as never);
      const [status] = await listSyncStatus(db);
      expect(status).toMatchObject({ source: 'github', scope: REPO, consecutiveFailures: 1, lastSuccessAt: null });
      expect(status?.lastError).toContain('authentication failed (401): check the credentials');
      const calls = gh.calls.length;
      await job!.run(ctx, {} as never); // within the back-off window: no call at all
      expect(gh.calls.length).toBe(calls);
    } finally {
      await db.close();
      await gh.stop();
    }
  });
});
