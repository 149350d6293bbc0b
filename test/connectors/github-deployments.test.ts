import { Webhooks } from '@octokit/webhooks';
import { GitHubStandIn } from '../../dev/github/server.js';
import { listenLocal } from '../../dev/local-server.js';
import { createGitHubApp, instrument } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { githubWebhookRoute } from '../../src/connectors/github/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import { sourceApiCalls } from '../../src/observability/metrics.js';
import { buildDoraReport } from '../../src/reports/dora-report.js';
import type { Db } from '../../src/store/db.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';
import { countEvents, getCursor, insertEvents, setCursor } from '../../src/sync/store.js';
import { describeEachEngine, dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';

const REPO = 'acme/web';
const INSTALLATION = 31;
const logger = createLogger('silent');
const SECRET = 'whsec-deployments-0123';

async function sync(gh: GitHubStandIn, db: Db, extra: { workflow?: string; release?: string } = {}) {
  const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger, retryBaseMs: 5 });
  const octokit = await app.getInstallationOctokit(INSTALLATION);
  instrument(octokit, () => {});
  return syncGitHubRepo({
    db,
    logger,
    octokit,
    repo: REPO,
    environment: 'production',
    backfillSince: new Date('2026-01-01T00:00:00Z'),
    signals: { workflow: extra.workflow, release: extra.release },
  });
}

const rows = async (db: Db) =>
  (
    await db.query<{ external_id: string; state: string; finished_at: Date | null; pipeline: string }>(
      "SELECT external_id, state, finished_at, pipeline FROM deployments WHERE source = 'github' ORDER BY created_at",
    )
  ).rows.map((r) => ({ ...r, finished_at: r.finished_at?.toISOString().replace('.000Z', 'Z') ?? null }));

const apiCalls = async () =>
  ((await sourceApiCalls.get()).values as { labels: { source?: string }; value: number }[])
    .filter((v) => v.labels.source === 'github')
    .reduce((sum, v) => sum + v.value, 0);

describeEachEngine('GitHub deployments as GitHub reports them', ({ freshDb }) => {
  let gh: GitHubStandIn;
  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
    gh.addInstallation(INSTALLATION, [REPO]);
  });
  afterEach(() => gh.stop());

  test('Actions environments: superseded deployments (now inactive on GitHub) stay successful, finished at their success', async () => {
    const made = [101, 102, 103].map((runId) =>
      gh.addDeployment(REPO, 'production', ['in_progress', 'success'], { runId }),
    );
    // GitHub marked every older one inactive when the next succeeded.
    expect(made.map((d) => d.statuses.at(-1)?.state)).toEqual(['inactive', 'inactive', 'success']);
    const db = await freshDb();
    await sync(gh, db);
    expect(await rows(db)).toEqual(
      made.map((d) => ({
        external_id: String(d.id),
        state: 'success',
        finished_at: d.statuses.find((s) => s.state === 'success')?.created_at,
        pipeline: `run:${[101, 102, 103][made.indexOf(d)]}`,
      })),
    );
  });

  test('250 deployments and 150 workflow runs are read past the first page', async () => {
    for (let i = 0; i < 250; i += 1) gh.addDeployment(REPO, 'production', ['success'], { productionEnvironment: true });
    for (let i = 0; i < 150; i += 1) gh.addRun(REPO, 'Deploy production', i % 2 ? 'success' : 'timed_out');
    const db = await freshDb();
    await sync(gh, db, { workflow: '^deploy' });
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n);
    expect(await count("SELECT count(*) AS n FROM deployments WHERE source = 'github'")).toBe(250);
    expect(await count('SELECT count(*) AS n FROM ci_runs')).toBe(150);
    expect(
      await count("SELECT count(*) AS n FROM deployments WHERE source = 'github-actions' AND state = 'failure'"),
    ).toBe(75); // timed_out runs are failed deployments
    const listed = gh.calls.filter((c) => /\/(deployments|actions\/runs)\?/.test(c.path)).map((c) => c.path);
    expect(listed.filter((p) => p.includes('/deployments?')).map((p) => /[?&]page=(\d+)/.exec(p)?.[1])).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(listed.filter((p) => p.includes('/actions/runs?')).map((p) => /[?&]page=(\d+)/.exec(p)?.[1])).toEqual([
      '1',
      '2',
    ]);
  }, 120_000);

  test('a re-run keeps its run id: one pipeline, successful once any attempt succeeded, dated by its last finish', async () => {
    const run = gh.addRun(REPO, 'Deploy production', 'failure');
    const db = await freshDb();
    await sync(gh, db, { workflow: '^deploy' });
    gh.rerun(REPO, run.id, 'success');
    await sync(gh, db, { workflow: '^deploy' });
    gh.rerun(REPO, run.id, 'failure'); // a third attempt fails: the deployment that happened stays
    await sync(gh, db, { workflow: '^deploy' });
    const { rows: stored } = await db.query<{ state: string; finished_at: Date; pipeline: string }>(
      "SELECT state, finished_at, pipeline FROM deployments WHERE source = 'github-actions'",
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.state).toBe('success');
    expect(stored[0]?.pipeline).toBe(`run:${run.id}`);
    const conclusion = await db.query<{ conclusion: string }>('SELECT conclusion FROM ci_runs');
    expect(conclusion.rows).toEqual([{ conclusion: 'failure' }]); // CI runs keep the latest attempt
    expect(stored[0]?.finished_at.getTime()).toBeLessThan(Date.parse(run.updated_at)); // the successful attempt's finish
  });

  test('a PR updated in the same second as the cursor is still picked up (inclusive, idempotent boundary)', async () => {
    gh.addPull(REPO, { title: 'ENG-1 first', author: 'ann' });
    const db = await freshDb();
    await sync(gh, db);
    // A second PR created in the very same second as the newest one stored (GitHub's clock has one-second steps).
    const cursor = gh.repos.get(REPO)?.pulls[0]?.updated_at as string;
    gh.addPull(REPO, { title: 'ENG-2 same second', author: 'bob', created_at: cursor, updated_at: cursor });
    const before = gh.calls.length;
    const result = await sync(gh, db);
    expect(result.pullRequests).toBe(1);
    const fetched = gh.calls.slice(before).filter((c) => /\/pulls\/\d+$/.test(c.path));
    expect(fetched.map((c) => c.path)).toEqual([`/repos/${REPO}/pulls/2`]); // #1, already stored at that version, is not
    expect((await db.query('SELECT number FROM pull_requests ORDER BY number')).rows).toEqual([
      { number: 1 },
      { number: 2 },
    ]);
  });

  test('what each deployment shipped comes from compare, fetched once per pair and counted as API calls', async () => {
    const db = await freshDb();
    gh.addDeployment(REPO, 'production', ['success']);
    for (let i = 0; i < 3; i += 1) gh.mergePull(REPO, gh.addPull(REPO, { title: `ENG-${i}`, author: 'ann' }).number);
    gh.addDeployment(REPO, 'production', ['success']);
    const metricBefore = await apiCalls();
    await sync(gh, db);
    const compares = gh.calls.filter((c) => c.path.includes('/compare/'));
    expect(compares).toHaveLength(1);
    expect(await apiCalls()).toBeGreaterThanOrEqual(
      metricBefore + gh.calls.filter((c) => !c.path.startsWith('/app/')).length,
    );
    const ranges = await db.query<{ status: string; shas: string[] }>('SELECT status, shas FROM commit_ranges');
    expect(ranges.rows).toEqual([{ status: 'ahead', shas: gh.repos.get(REPO)?.pulls.map((p) => p.merge_commit_sha) }]);
    gh.addDeployment(REPO, 'production', ['success']); // the same commit again: nothing to compare
    await sync(gh, db);
    expect(gh.calls.filter((c) => c.path.includes('/compare/'))).toHaveLength(1);
  });

  test('a deployment stored at a branch name between two deployments does not keep the later one from shipping the PR', async () => {
    const db = await freshDb();
    gh.addDeployment(REPO, 'production', ['success']);
    const pull = gh.addPull(REPO, { title: 'ENG-7 retries', author: 'ann' });
    gh.mergePull(REPO, pull.number);
    // Published right after the merge, as the previous version stored releases: at the branch name, not a commit.
    await db.query(
      `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state, pipeline)
       VALUES ('github-releases', '9001', $1, 'production', 'main', 'v1.0.0', $2, $2, 'success', 'release:9001')`,
      [REPO, pull.merged_at],
    );
    const later = gh.addDeployment(REPO, 'production', ['success']);
    await sync(gh, db);
    const shipped = await db.query<{ number: number; deployed_at: Date | null }>(
      'SELECT number, deployed_at FROM pull_requests',
    );
    expect(shipped.rows).toEqual([{ number: pull.number, deployed_at: new Date(later.statuses[0]?.created_at ?? '') }]);
  });

  test('a renamed default branch is noticed, and runs on it are read', async () => {
    gh.addRun(REPO, 'CI', 'success');
    const db = await freshDb();
    await sync(gh, db);
    gh.renameDefaultBranch(REPO, 'trunk');
    gh.addRun(REPO, 'CI', 'failure');
    await sync(gh, db);
    const runs = await db.query<{ branch: string; conclusion: string }>(
      'SELECT branch, conclusion FROM ci_runs ORDER BY created_at',
    );
    expect(runs.rows).toEqual([
      { branch: 'main', conclusion: 'success' },
      { branch: 'trunk', conclusion: 'failure' },
    ]);
  });
});

/**
 * A repository that deploys by publishing releases, cut from main as GitHub's UI does: target_commitish is "main",
 * the tag names the commit. Times are whole hours, so the lead times are worked out next to each PR.
 */
describeEachEngine('releases as deployments, shipped at the commit of their tag', ({ freshDb }) => {
  const RELEASES = { release: '^v' };
  let gh: GitHubStandIn;
  const at = (iso: string, minutesBefore = 0) => gh.setClock(new Date(Date.parse(iso) - minutesBefore * 60_000));
  const merged = (created: string, mergedAt: string) => {
    at(created, 1); // addPull stamps the next minute: created (and first commit) = `created`
    const { number } = gh.addPull(REPO, { title: `change from ${created}`, author: 'ann' });
    at(mergedAt);
    return gh.mergePull(REPO, number);
  };
  const release = (tag: string, published: string) => {
    at(published, 2); // created the next minute, published the minute after
    return gh.addRelease(REPO, tag);
  };
  const deployedAt = async (db: Db) =>
    (
      await db.query<{ number: number; deployed_at: Date | null }>(
        'SELECT number, deployed_at FROM pull_requests ORDER BY number',
      )
    ).rows.map((r) => [r.number, r.deployed_at?.toISOString().replace('.000Z', 'Z') ?? null]);

  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
    gh.addInstallation(INSTALLATION, [REPO]);
  });
  afterEach(() => gh.stop());

  test('PRs shipped by v1.1.0 and v1.2.0 get a deployment time and /em dora a lead time; tags are resolved once', async () => {
    merged('2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z'); // #1: v1.0.0 is the first release, nothing to compare
    release('v1.0.0', '2026-11-02T12:00:00Z');
    merged('2026-11-03T09:00:00Z', '2026-11-03T10:00:00Z'); // #2 ships with v1.1.0: 24 h
    merged('2026-11-03T12:00:00Z', '2026-11-03T13:00:00Z'); // #3 ships with v1.1.0: 21 h
    const v11 = release('v1.1.0', '2026-11-04T09:00:00Z');
    merged('2026-11-05T15:00:00Z', '2026-11-05T16:00:00Z'); // #4 ships with v1.2.0: 18 h
    const v12 = release('v1.2.0', '2026-11-06T09:00:00Z');
    merged('2026-11-06T10:00:00Z', '2026-11-06T11:00:00Z'); // #5 is on main, after the v1.2.0 tag: not shipped
    const db = await freshDb();
    await sync(gh, db, RELEASES);
    expect(await deployedAt(db)).toEqual([
      [1, null],
      [2, v11.published_at],
      [3, v11.published_at],
      [4, v12.published_at],
      [5, null],
    ]);
    const report = await buildDoraReport(db, { days: 30, now: new Date('2026-11-20T00:00:00Z') });
    expect(report.org.current.leadTimeHours).toBe(21); // median of 24, 21, 18

    // Newest first, as GitHub lists releases.
    const tagLookups = () => gh.calls.filter((c) => c.path.includes('/commits/')).map((c) => c.path);
    expect(tagLookups()).toEqual(['v1.2.0', 'v1.1.0', 'v1.0.0'].map((t) => `/repos/${REPO}/commits/tags%2F${t}`));
    await sync(gh, db, RELEASES); // nothing new: no tag is asked for again
    expect(tagLookups()).toHaveLength(3);
    release('v1.3.0', '2026-11-07T09:00:00Z');
    await sync(gh, db, RELEASES);
    expect(tagLookups().slice(3)).toEqual([`/repos/${REPO}/commits/tags%2Fv1.3.0`]);
  });

  test('releases an earlier version stored at their branch name are put at their commit on the next poll', async () => {
    merged('2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z');
    release('v1.0.0', '2026-11-02T12:00:00Z');
    merged('2026-11-03T09:00:00Z', '2026-11-03T10:00:00Z');
    const v11 = release('v1.1.0', '2026-11-04T09:00:00Z');
    const db = await freshDb();
    await sync(gh, db, RELEASES);
    // As the earlier version left them: at target_commitish, with the list's ETag kept, and nothing shipped.
    await db.query("UPDATE deployments SET sha = 'main' WHERE source = 'github-releases'");
    await db.query('DELETE FROM commit_ranges');
    await db.query('UPDATE pull_requests SET deployed_at = NULL');
    const cursor = await getCursor<{ etag?: string }>(db, 'github', `${REPO}:releases`);
    await setCursor(db, 'github', `${REPO}:releases`, { etag: cursor?.etag });
    await sync(gh, db, RELEASES);
    expect(await deployedAt(db)).toEqual([
      [1, null],
      [2, v11.published_at],
    ]);
  });
});

describeEachEngine('GitHub deployment webhooks, out of order and redelivered', ({ freshDb }) => {
  test('the state only moves forward; reviews are stored; invalid JSON is refused with nothing stored', async () => {
    const gh = await new GitHubStandIn().start();
    const db = await freshDb();
    const server = await listenLocal(
      githubWebhookRoute({ secret: SECRET, db, logger, environment: 'production', repos: [REPO] }),
    );
    try {
      gh.addInstallation(INSTALLATION, [REPO]);
      const first = gh.addDeployment(REPO, 'production', ['queued', 'in_progress', 'success'], { runId: 7 });
      gh.addDeployment(REPO, 'production', ['success'], { runId: 8 }); // marks the first inactive
      const statuses = first.statuses;
      expect(statuses.map((s) => s.state)).toEqual(['queued', 'in_progress', 'success', 'inactive']);
      const deliver = async (event: string, body: string) =>
        fetch(server.url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-github-event': event,
            'x-github-delivery': crypto.randomUUID(),
            'x-hub-signature-256': await new Webhooks({ secret: SECRET }).sign(body),
          },
        });
      const status = (i: number) =>
        JSON.stringify(gh.deploymentStatusPayload(REPO, first.id, statuses[i]?.id as number));
      // success first, then the late in_progress, the inactive, a redelivered success, the late queued.
      for (const i of [2, 1, 3, 2, 0]) expect((await deliver('deployment_status', status(i))).status).toBe(200);
      expect(await rows(db)).toEqual([
        { external_id: String(first.id), state: 'success', finished_at: statuses[2]?.created_at, pipeline: 'run:7' },
      ]);

      const review = {
        action: 'submitted',
        review: { id: 501, user: { login: 'lena' }, state: 'approved', submitted_at: '2026-11-20T10:00:00Z' },
        pull_request: { number: 3 },
        repository: { full_name: REPO },
      };
      expect((await deliver('pull_request_review', JSON.stringify(review))).status).toBe(200);
      expect((await deliver('pull_request_review', JSON.stringify(review))).status).toBe(200);
      expect((await db.query('SELECT number, reviewer, state FROM pr_reviews')).rows).toEqual([
        { number: 3, reviewer: 'lena', state: 'approved' },
      ]);

      const events = await countEvents(db);
      const broken = await deliver('deployment_status', '{"action": "created", "deployment":');
      expect(broken.status).toBe(400);
      expect(await broken.text()).toBe('body is not JSON');
      // Signed but malformed: a redelivery would fail the same way, so 400 (GitHub stops), not 500.
      for (const malformed of ['null', '[]', '{"action": "opened", "number": 7}'])
        expect([malformed, (await deliver('pull_request', malformed)).status]).toEqual([malformed, 400]);
      expect(await countEvents(db)).toBe(events);
    } finally {
      await server.close();
      await gh.stop();
    }
  });
});

const engines: [string, () => Promise<Db>][] = [
  ['pglite', () => openPglite({ schema: uniqueSchema() })],
  ...(serverUp
    ? [
        ['postgres', async () => openPostgres({ connectionString: SERVER_URL, schema: uniqueSchema(), max: 2 })] as [
          string,
          () => Promise<Db>,
        ],
      ]
    : []),
];

describe.each(engines)('a database written by the previous version is corrected on upgrade [%s]', (_engine, open) => {
  test('deployments the old normalizer stored as inactive become successful; merged PRs get their merge commit', async () => {
    const gh = await new GitHubStandIn().start();
    const db = await open();
    try {
      gh.addInstallation(INSTALLATION, [REPO]);
      const older = gh.addDeployment(REPO, 'production', ['success'], { runId: 1 });
      const pull = gh.addPull(REPO, { title: 'ENG-3 cache', author: 'ann' });
      gh.mergePull(REPO, pull.number);
      const newer = gh.addDeployment(REPO, 'production', ['success'], { runId: 2 });
      // The previous version (migrations up to 013) kept only the newest status: `older` inactive, finished when
      // it was superseded. It kept the raw PR payload, merge_commit_sha included.
      await migrate(
        db,
        loadMigrations().filter((m) => m.version <= 13),
      );
      const statusOf = (d: typeof older, state: string) => d.statuses.find((s) => s.state === state)?.created_at;
      for (const [d, state, finished] of [
        [older, 'inactive', statusOf(older, 'inactive')],
        [newer, 'success', statusOf(newer, 'success')],
      ] as const) {
        await db.query(
          `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
           VALUES ('github', $1, $2, 'production', $3, 'main', $4, $5, $6)`,
          [String(d.id), REPO, d.sha, d.created_at, finished, state],
        );
      }
      await db.query(
        `INSERT INTO pull_requests (repo, number, title, author, state, created_at, updated_at, merged_at)
         VALUES ($1, $2, 'ENG-3 cache', 'ann', 'merged', $3, $4, $5)`,
        [REPO, pull.number, pull.created_at, pull.updated_at, pull.merged_at],
      );
      await insertEvents(db, [
        {
          source: 'github',
          kind: 'pull_request',
          externalId: `${REPO}#${pull.number}@${pull.updated_at}`,
          occurredAt: pull.updated_at,
          subject: `${REPO}#${pull.number}`,
          normalized: { state: 'merged' },
          raw: { number: pull.number, merge_commit_sha: pull.merge_commit_sha },
        },
      ]);

      expect(await migrate(db)).toContain(14);
      const merged = await db.query<{ merge_commit_sha: string }>('SELECT merge_commit_sha FROM pull_requests');
      expect(merged.rows).toEqual([{ merge_commit_sha: pull.merge_commit_sha }]);

      await sync(gh, db);
      expect(await rows(db)).toEqual([
        { external_id: String(older.id), state: 'success', finished_at: statusOf(older, 'success'), pipeline: 'run:1' },
        { external_id: String(newer.id), state: 'success', finished_at: statusOf(newer, 'success'), pipeline: 'run:2' },
      ]);
      // What the newer deployment shipped is now known, so the PR has a lead time.
      const ranges = await db.query<{ shas: string[] }>('SELECT shas FROM commit_ranges');
      expect(ranges.rows).toEqual([{ shas: [pull.merge_commit_sha] }]);
      // Re-normalized once: the next poll asks nothing about those deployments.
      const before = gh.calls.length;
      await sync(gh, db);
      expect(gh.calls.slice(before).filter((c) => /\/deployments\/\d+/.test(c.path))).toEqual([]);
    } finally {
      await db.close();
      if (db.schema && _engine === 'postgres') await dropSchemas([db.schema]);
      await gh.stop();
    }
  });
});
