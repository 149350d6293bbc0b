import { GitHubStandIn } from '../../dev/github/server.js';
import { type LocalServer, listenLocal } from '../../dev/local-server.js';
import { createGitHubApp, instrument } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { githubWebhookRoute } from '../../src/connectors/github/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { countEvents } from '../../src/sync/store.js';
import { deriveTrackerIncidents } from '../../src/sync/work-items-store.js';
import { describeEachEngine } from '../support/engines.js';
import { hmacOf, notUtf8, postBytes } from '../support/webhook-bytes.js';

const REPO = 'acme/checkout-api';
const INSTALLATION = 77;
const SECRET = 'gh-webhook-secret-0123456789';
const logger = createLogger('silent');
const INCIDENTS = { labels: ['incident'] };
// The first test of a file also starts its database (PGlite in a worker, migrations): slow on a busy machine.
const FIRST = 180_000;

describeEachEngine('GitHub issues and workflow_run webhooks', ({ freshDb }) => {
  let gh: GitHubStandIn;
  let receiver: LocalServer | undefined;
  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
    gh.addInstallation(INSTALLATION, [REPO]);
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await gh.stop();
  });

  /** em-agent's route on a local port, storing into `db`; sources.yml names REPO (or `repos`), deploys by workflow "Deploy". */
  const listen = async (db: Db, repos = [REPO]) => {
    receiver = await listenLocal(
      githubWebhookRoute({
        secret: SECRET,
        db,
        logger,
        environment: 'production',
        repos,
        issues: true,
        incidents: INCIDENTS,
        workflow: '^deploy',
      }),
    );
    return receiver.url;
  };

  const poll = async (db: Db) => {
    const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger });
    const octokit = await app.getInstallationOctokit(INSTALLATION);
    instrument(octokit, () => {});
    await syncGitHubRepo({
      db,
      logger,
      octokit,
      repo: REPO,
      environment: 'production',
      backfillSince: new Date('2026-01-01T00:00:00Z'),
      signals: { workflow: '^deploy' },
    });
    await deriveTrackerIncidents(db, 'github', INCIDENTS);
  };

  const rows = async (db: Db, sql: string) => (await db.query(sql)).rows;
  const workItems = (db: Db) => rows(db, "SELECT * FROM work_items WHERE source = 'github' ORDER BY key");
  const ciRuns = (db: Db) =>
    rows(
      db,
      'SELECT repo, run_id, name, branch, sha, conclusion, created_at, updated_at, url FROM ci_runs ORDER BY run_id',
    );
  const deployments = (db: Db) =>
    rows(db, 'SELECT source, external_id, repo, environment, sha, state, finished_at, pipeline FROM deployments');
  const incidents = (db: Db) => rows(db, 'SELECT source, external_id, status, title FROM incidents');

  test(
    'signed issues and workflow_run deliveries are stored as polling stores them',
    async () => {
      const hooked = await freshDb();
      const polled = await freshDb();
      const url = await listen(hooked);
      gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre', labels: ['incident'] });
      gh.addIssue(REPO, { title: 'Flaky test', author: 'dev1', labels: ['bug'], assignee: 'dev1' });
      const ci = gh.addRun(REPO, 'CI', 'failure');
      const deploy = gh.addRun(REPO, 'Deploy production', 'success');
      const branchRun = gh.addRun(REPO, 'CI', 'failure', 'feature-x');
      for (const n of [5001, 5002])
        expect((await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload(REPO, n, 'opened'))).status).toBe(200);
      for (const run of [ci, deploy, branchRun])
        expect((await gh.deliverWebhook(url, SECRET, 'workflow_run', gh.workflowRunPayload(REPO, run.id))).status).toBe(
          200,
        );
      await poll(polled);

      expect(await workItems(hooked)).toEqual(await workItems(polled));
      expect((await workItems(hooked)).map((w) => [w.key, w.status_category, w.assignee])).toEqual([
        [`${REPO}#5001`, 'new', null],
        [`${REPO}#5002`, 'indeterminate', 'dev1'],
      ]);
      expect(await incidents(hooked)).toEqual(await incidents(polled));
      expect(await incidents(hooked)).toEqual([
        { source: 'github', external_id: `${REPO}#5001`, status: 'open', title: 'Checkout returns 502' },
      ]);
      // Both default-branch runs are CI runs (the feature branch's is not); the deploy workflow is a deployment.
      expect(await ciRuns(hooked)).toEqual(await ciRuns(polled));
      expect((await ciRuns(hooked)).map((r) => [r.name, r.branch, r.conclusion])).toEqual([
        ['CI', 'main', 'failure'],
        ['Deploy production', 'main', 'success'],
      ]);
      expect(await deployments(hooked)).toEqual(await deployments(polled));
      expect((await deployments(hooked)).map((d) => [d.source, d.state])).toEqual([['github-actions', 'success']]);
    },
    FIRST,
  );

  test('a bad signature is refused with 401; a repository sources.yml does not name is acknowledged and ignored', async () => {
    const db = await freshDb();
    const url = await listen(db);
    gh.addInstallation(INSTALLATION, [REPO, 'acme/other']);
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre' });
    gh.addIssue('acme/other', { title: 'Not ours', author: 'sre' });
    const answer = await gh.deliverWebhook(url, 'not-the-secret', 'issues', gh.issuesPayload(REPO, 5001, 'opened'));
    expect(answer.status).toBe(401);
    const other = await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload('acme/other', 5001, 'opened'));
    expect(other).toEqual({ status: 202, text: 'ignored: repository not in sources.yml' });
    expect(await countEvents(db)).toBe(0);
    expect(await workItems(db)).toEqual([]);
  });

  test('the signature is over the bytes sent: a title with a byte that is not UTF-8 is stored; the same text in other bytes is refused', async () => {
    const db = await freshDb();
    const url = await listen(db);
    gh.addIssue(REPO, { title: 'Checkout NOT-UTF8 returns 502', author: 'sre' });
    const { invalid, decoded } = notUtf8(gh.issuesPayload(REPO, 5001, 'opened'), 'NOT-UTF8');
    const deliver = (body: Buffer, signed: Buffer) =>
      postBytes(url, body, {
        'x-github-event': 'issues',
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': `sha256=${hmacOf(SECRET, signed)}`,
      });
    expect((await deliver(invalid, decoded)).status).toBe(401);
    expect(await workItems(db)).toEqual([]);
    expect((await deliver(invalid, invalid)).status).toBe(200);
    expect((await workItems(db)).map((w) => w.title)).toEqual(['Checkout \uFFFD returns 502']);
  });

  test('out of order: an issue closed then a late "edited" stays closed; a re-run success then a late failure stays green', async () => {
    const db = await freshDb();
    const url = await listen(db);
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre' });
    const opened = gh.issuesPayload(REPO, 5001, 'opened');
    gh.updateIssue(REPO, 5001, { state: 'closed', closed_at: gh.tick() });
    await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload(REPO, 5001, 'closed'));
    await gh.deliverWebhook(url, SECRET, 'issues', opened);
    expect((await workItems(db)).map((w) => w.status)).toEqual(['closed']);

    const run = gh.addRun(REPO, 'CI', 'failure');
    const failed = gh.workflowRunPayload(REPO, run.id);
    gh.rerun(REPO, run.id, 'success');
    await gh.deliverWebhook(url, SECRET, 'workflow_run', gh.workflowRunPayload(REPO, run.id));
    await gh.deliverWebhook(url, SECRET, 'workflow_run', failed);
    expect((await ciRuns(db)).map((r) => r.conclusion)).toEqual(['success']);
  });

  test('an issue closed and labeled in the same second, delivered out of order, stays closed', async () => {
    const db = await freshDb();
    const url = await listen(db);
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre' });
    gh.updateIssue(REPO, 5001, { state: 'closed', closed_at: gh.tick() });
    const closed = gh.issuesPayload(REPO, 5001, 'closed') as { issue: Record<string, unknown> };
    // The label's delivery was made before the close, in the same second: the same updated_at, still open.
    const labeled = { ...closed, action: 'labeled', issue: { ...closed.issue, state: 'open', closed_at: null } };
    await gh.deliverWebhook(url, SECRET, 'issues', closed);
    await gh.deliverWebhook(url, SECRET, 'issues', labeled);
    expect((await workItems(db)).map((w) => w.status)).toEqual(['closed']);
  });

  test('the same delivery twice is stored once; a deleted issue goes', async () => {
    const db = await freshDb();
    const url = await listen(db);
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre' });
    const payload = gh.issuesPayload(REPO, 5001, 'opened');
    await gh.deliverWebhook(url, SECRET, 'issues', payload);
    await gh.deliverWebhook(url, SECRET, 'issues', payload);
    expect(await countEvents(db, { source: 'github', kind: 'issue' })).toBe(1);
    expect(await workItems(db)).toHaveLength(1);
    await gh.deliverWebhook(url, SECRET, 'issues', gh.deleteIssue(REPO, 5001));
    expect(await workItems(db)).toEqual([]);
    await gh.deliverWebhook(url, SECRET, 'issues', payload);
    expect(await workItems(db)).toEqual([]);
  });

  test('a deleted incident issue takes its incident along, once however often delivered, whatever our clock says', async () => {
    const db = await freshDb();
    const url = await listen(db);
    // GitHub's clock an hour ahead of ours: the deletion must not be dated by our clock.
    gh.setClock(new Date(Date.now() + 3_600_000));
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre', labels: ['incident'] });
    await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload(REPO, 5001, 'opened'));
    expect((await incidents(db)).map((i) => i.external_id)).toEqual([`${REPO}#5001`]);
    const deleted = gh.deleteIssue(REPO, 5001);
    await gh.deliverWebhook(url, SECRET, 'issues', deleted);
    await gh.deliverWebhook(url, SECRET, 'issues', deleted); // "Redeliver" in GitHub's settings
    expect(await workItems(db)).toEqual([]);
    expect(await incidents(db)).toEqual([]);
    expect(await countEvents(db, { source: 'github', kind: 'issue_deleted' })).toBe(1);
  });

  test('a transferred issue leaves its old repository, and is stored under its new number in one sources.yml names', async () => {
    const db = await freshDb();
    const payments = 'acme/payments';
    gh.addInstallation(INSTALLATION, [REPO, payments, 'acme/elsewhere']);
    const url = await listen(db, [REPO, payments]);
    gh.addIssue(REPO, { title: 'Checkout returns 502', author: 'sre', labels: ['incident'] });
    gh.addIssue(REPO, { title: 'Flaky test', author: 'dev1' });
    const opened = gh.issuesPayload(REPO, 5001, 'opened');
    await gh.deliverWebhook(url, SECRET, 'issues', opened);
    await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload(REPO, 5002, 'opened'));

    const toPayments = gh.transferIssue(REPO, 5001, payments);
    expect((await gh.deliverWebhook(url, SECRET, 'issues', toPayments)).status).toBe(200);
    const away = gh.transferIssue(REPO, 5002, 'acme/elsewhere');
    expect((await gh.deliverWebhook(url, SECRET, 'issues', away)).status).toBe(200);
    // GitHub's `opened` for the new repository, and a late delivery from the old one, change nothing.
    await gh.deliverWebhook(url, SECRET, 'issues', gh.issuesPayload(payments, 5001, 'opened'));
    await gh.deliverWebhook(url, SECRET, 'issues', opened);

    expect((await workItems(db)).map((w) => [w.key, w.title])).toEqual([[`${payments}#5001`, 'Checkout returns 502']]);
    expect((await incidents(db)).map((i) => i.external_id)).toEqual([`${payments}#5001`]);
    expect(await countEvents(db, { source: 'github', kind: 'issue' })).toBe(3);
  });
});
