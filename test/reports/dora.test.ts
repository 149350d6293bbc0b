import { createHash } from 'node:crypto';
import { doraMessage } from '../../blocks/reports/dora.js';
import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { refreshShippedPullRequests } from '../../src/connectors/github/shipped.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { doraSyntax } from '../../src/reports/args.js';
import { doraEvidence } from '../../src/reports/dora.js';
import { buildDoraReport } from '../../src/reports/dora-report.js';
import { doraCommand } from '../../src/reports/listeners.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');

/** The full commit sha a short label stands for: what shipped is derived from deployments at full shas alone. */
const commit = (label: string) => createHash('sha1').update(label).digest('hex');

const NOW = new Date('2026-11-25T12:00:00Z'); // the 14-day window starts 2026-11-11T12:00Z; week 2 starts 11-18T12:00Z

async function deploy(
  db: Db,
  source: string,
  id: string,
  at: string,
  sha: string,
  state = 'success',
  repo = 'acme/api',
) {
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     VALUES ($1, $2, $3, 'production', $4, 'main', $5, $5, $6)`,
    [source, id, repo, commit(sha), at, state],
  );
}
async function merged(db: Db, number: number, firstCommit: string | null, mergedAt: string) {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, created_at, updated_at, merged_at, first_commit_at, merge_commit_sha)
     VALUES ('acme/api', $1, $2, 'maya', 'merged', $3, $4, $4, $5, $6)`,
    [number, `PR ${number}`, firstCommit ?? mergedAt, mergedAt, firstCommit, `m${number}`],
  );
}
/** What GitHub's compare lists between two deployed commits (the sync caches it the same way). */
async function range(db: Db, base: string, head: string, shas: string[], status = 'ahead') {
  await db.query(`INSERT INTO commit_ranges (repo, base, head, status, shas) VALUES ('acme/api', $1, $2, $3, $4)`, [
    commit(base),
    commit(head),
    status,
    shas,
  ]);
}
async function incident(
  db: Db,
  id: string,
  opened: string,
  resolved: string,
  extra: { source?: string; scope?: string; causedBy?: [string, string] } = {},
) {
  await db.query(
    `INSERT INTO incidents (source, external_id, scope, title, status, opened_at, resolved_at, caused_by_source, caused_by_id, link_confirmed_by)
     VALUES ($1, $2, $3, $4, 'resolved', $5, $6, $7, $8, $9)`,
    [
      extra.source ?? 'jira',
      id,
      extra.scope ?? null,
      `Incident ${id}`,
      opened,
      resolved,
      extra.causedBy?.[0] ?? null,
      extra.causedBy?.[1] ?? null,
      extra.causedBy ? 'U0MAYA' : null,
    ],
  );
}

/** A hand-made fortnight; the expected figures are worked out next to each assertion. */
async function seed(db: Db) {
  await deploy(db, 'github', 'd1', '2026-11-12T10:00:00Z', 'aaa');
  await deploy(db, 'github', 'd2', '2026-11-12T15:00:00Z', 'bbb');
  await deploy(db, 'github', 'd3', '2026-11-12T16:00:00Z', 'ccc');
  await deploy(db, 'github', 'd4', '2026-11-20T10:00:00Z', 'ddd');
  await deploy(db, 'github-actions', 'r5', '2026-11-20T10:05:00Z', 'ddd'); // same commit, another pipeline: counts
  await deploy(db, 'github', 'd6', '2026-11-21T10:00:00Z', 'eee', 'failure'); // not a deployment
  await deploy(db, 'github', 'd7', '2026-11-05T10:00:00Z', 'fff'); // the previous window
  await deploy(db, 'github', 'd8', '2026-11-20T18:00:00Z', 'ccc'); // rollback to d3's commit: a deployment again
  // In deployment order d7 fff → d1 aaa → d2 bbb → d3 ccc → d4 ddd → r5 ddd → d8 ccc, each ships what compare lists
  // between the previous deployment's commit and its own; r5 (identical) and d8 (behind: a rollback) ship nothing.
  await range(db, 'fff', 'aaa', ['m1']);
  await range(db, 'aaa', 'bbb', ['m4']);
  await range(db, 'bbb', 'ccc', []);
  await range(db, 'ccc', 'ddd', ['c9', 'm2']);
  await range(db, 'ddd', 'ccc', [], 'behind');
  await merged(db, 1, '2026-11-11T00:00:00Z', '2026-11-12T09:00:00Z'); // ships with d1: 10:00 − 11-11 00:00 = 34 h
  await merged(db, 2, '2026-11-19T10:00:00Z', '2026-11-20T09:00:00Z'); // ships with d4: 24 h
  await merged(db, 3, '2026-11-20T12:00:00Z', '2026-11-22T12:00:00Z'); // never deployed: not counted
  await merged(db, 4, null, '2026-11-12T12:00:00Z'); // no commits known: from the merge to d2 = 3 h
  await refreshShippedPullRequests(db, 'acme/api'); // as the sync does after storing deployments and ranges
  // Latest deployment at or before 16:00 is d3 (16:00): recovery 18:00 − 16:00 = 2 h; restore 2 h.
  await incident(db, 'INC-1', '2026-11-12T16:00:00Z', '2026-11-12T18:00:00Z');
  // A person confirmed d1 caused it: recovery 11-13 12:00 − 11-12 10:00 = 26 h; restore 2 h.
  await incident(db, 'INC-2', '2026-11-13T10:00:00Z', '2026-11-13T12:00:00Z', { causedBy: ['github', 'd1'] });
  // acme/web has no deployments: no linked deployment; restore 1 h.
  await incident(db, 'web#5001', '2026-11-21T10:00:00Z', '2026-11-21T11:00:00Z', {
    source: 'github',
    scope: 'acme/web',
  });
}

describeEachEngine('DORA four keys against a hand-computed fortnight', ({ freshDb }) => {
  test('2023 definitions and bands', async () => {
    const db = await freshDb();
    await seed(db);
    const report = await buildDoraReport(db, { days: 14, now: NOW });
    const m = report.org.current;
    expect(m.deployments).toBe(6); // d1, d2, d3, d4, r5 (another pipeline, same commit), d8 (a rollback)
    // UTC days with a deployment: week 1 {11-12}, week 2 {11-20} → median of [1, 1]
    expect(m.deploymentDaysPerWeek).toBe(1);
    expect(m.leadTimeHours).toBe(24); // median of 34, 24, 3; the rollback shipped no PR
    expect(m.failedDeployments).toBe(2); // d3 (INC-1) and d1 (INC-2)
    expect(m.changeFailureRate).toBeCloseTo(2 / 6, 10);
    expect(m.recoveryHours).toBe(14); // an even count: the mean of the two middle values, (2 + 26) / 2
    expect(m.timeToRestoreHours).toBe(2); // median of 2, 2, 1
    expect(m.incidents).toBe(3);
    expect(report.org.bands).toEqual({
      deploymentFrequency: 'high', // ≥ 1 deployment day a week
      leadTime: 'high', // 24 h is not < 1 day
      changeFailureRate: 'low', // > 15%
      recovery: 'high', // < 1 day
    });
    expect(report.org.previous.deployments).toBe(1); // d7
    expect(report.repos.map((r) => r.name)).toEqual(['acme/api']);

    const text = visibleText(doraMessage(report));
    expect(text).toContain('*Lead time for changes*: 24.0 h');
    expect(text).toContain('*Change failure rate*: 33% (2 of 6)');
    expect(text).toContain('Medians of an even count average the two middle values');
    expect(text).toContain('*Failed deployment recovery time*: 14.0 h');
    expect(text).toContain('DORA 2023 definitions as Apache DevLake computes them');
  });

  test("an incident declared in Slack counts against its service's repository, not the latest of any", async () => {
    const db = await freshDb();
    await deploy(db, 'github', 'p1', '2026-11-19T09:00:00Z', 'p1', 'success', 'acme/payments');
    await deploy(db, 'github', 'c1', '2026-11-19T11:00:00Z', 'c1', 'success', 'acme/checkout-api');
    // Declared at 12:00 for the service "payments": payments' deployment (09:00), not checkout-api's later one.
    await incident(db, '7', '2026-11-19T12:00:00Z', '2026-11-19T13:00:00Z', { source: 'slack', scope: 'payments' });
    // A service no repository is named after counts against the latest deployment of any, as before.
    await incident(db, '8', '2026-11-20T12:00:00Z', '2026-11-20T13:00:00Z', { source: 'slack', scope: 'ledger' });
    const report = await buildDoraReport(db, { days: 14, now: NOW });
    const repo = (name: string) => report.repos.find((r) => r.name === name)?.current;
    expect(repo('acme/payments')).toMatchObject({ failedDeployments: 1, recoveryHours: 4 });
    expect(repo('acme/checkout-api')).toMatchObject({ failedDeployments: 1, recoveryHours: 26 });
  });

  test('evidence behind an alert counts a private incident without naming it', async () => {
    const db = await freshDb();
    await deploy(db, 'github', 'p1', '2026-11-19T09:00:00Z', 'p1', 'success', 'acme/payments');
    await incident(db, '9', '2026-11-19T12:00:00Z', '2026-11-19T13:00:00Z', { source: 'slack', scope: 'payments' });
    await db.query(
      `INSERT INTO incident_rooms (incident_id, number, request_key, declared_by, visible_in)
       VALUES ('9', 9, 'dora-private-9', 'U0MAYA', 'G0PRIVATE')`,
    );
    await incident(db, '10', '2026-11-20T12:00:00Z', '2026-11-20T13:00:00Z', { source: 'slack', scope: 'payments' });
    const window = { from: new Date('2026-11-11T12:00:00Z'), to: NOW };
    const labels = (await doraEvidence(db, 'time_to_restore_hours', window)).map((r) => r.label).sort();
    expect(labels).toEqual(['10 Incident 10', 'a private incident']);
    expect(JSON.stringify(await doraEvidence(db, 'change_failure_rate', window))).not.toContain('Incident 9');
  });

  test('day boundaries follow the report time zone; 2021 bands use time to restore', async () => {
    const db = await freshDb();
    await seed(db);
    // In Tokyo (UTC+9) d2 (15:00Z) and d3 (16:00Z) fall on 11-13, and d8 (18:00Z) on 11-21:
    // week 1 {11-12, 11-13}, week 2 {11-20, 11-21} → median of [2, 2]
    const tokyo = await buildDoraReport(db, { days: 14, now: NOW, timezone: 'Asia/Tokyo', bandSet: '2021' });
    expect(tokyo.org.current.deploymentDaysPerWeek).toBe(2);
    expect(tokyo.org.bands).toEqual({
      deploymentFrequency: 'high', // 6 deployments in 14 days ≈ 12.9 a month ≥ 1
      leadTime: 'high', // < 1 week but not < 1 h
      changeFailureRate: 'low', // > 30%
      recovery: 'high', // restore 2 h < 1 day
    });
    expect(visibleText(doraMessage(tokyo))).toContain('*Time to restore*: 2.0 h');
  });

  test("change failure rate counts only the window's deployments that failed, even when the incident comes later", async () => {
    const db = await freshDb();
    const at = (d: string) => `2026-11-${d}:00Z`;
    // Previous 14-day window (10-28 12:00 → 11-11 12:00): d-old. This one (→ 11-25 12:00): d-new.
    await deploy(db, 'github', 'd-old', at('05T10:00'), 'aaa');
    await deploy(db, 'github', 'd-new', at('20T10:00'), 'bbb');
    // Opened in this window, but caused by the previous window's deployment (the latest before it, and confirmed).
    await incident(db, 'INC-OLD-1', at('11T13:00'), at('11T15:00'));
    await incident(db, 'INC-OLD-2', at('12T09:00'), at('12T10:00'), { causedBy: ['github', 'd-old'] });
    let report = await buildDoraReport(db, { days: 14, now: NOW });
    expect(report.org.current).toMatchObject({ deployments: 1, failedDeployments: 0, changeFailureRate: 0 });
    expect(report.org.previous).toMatchObject({ deployments: 1, failedDeployments: 1, changeFailureRate: 1 });
    // d-new fails, its incident opened after the window closed: it still counts for the window d-new is in.
    await incident(db, 'INC-NEW', at('26T09:00'), at('26T11:00'));
    report = await buildDoraReport(db, { days: 14, now: NOW });
    expect(report.org.current).toMatchObject({ deployments: 1, failedDeployments: 1, changeFailureRate: 1 });
    expect(report.org.current.recoveryHours).toBe(6 * 24 + 1); // 11-26 11:00 − 11-20 10:00
  });

  test('a daily deployer reads 7 deployment days a week in windows that are not whole weeks', async () => {
    const db = await freshDb();
    for (let day = 1; day <= 24; day += 1)
      await deploy(db, 'github', `daily-${day}`, `2026-11-${String(day).padStart(2, '0')}T13:00:00Z`, `s${day}`);
    for (const days of [3, 7, 10, 11, 13, 14])
      expect([days, (await buildDoraReport(db, { days, now: NOW })).org.current.deploymentDaysPerWeek]).toEqual([
        days,
        7,
      ]);
  });

  test('a window with no deployments says so instead of showing zeros as a band', async () => {
    const db = await freshDb();
    await seed(db);
    const empty = await buildDoraReport(db, { days: 7, now: new Date('2026-10-01T00:00:00Z') });
    expect(empty.org.current).toMatchObject({ deployments: 0, leadTimeHours: null, changeFailureRate: null });
    expect(empty.org.bands).toEqual({
      deploymentFrequency: null,
      leadTime: null,
      changeFailureRate: null,
      recovery: null,
    });
    expect(visibleText(doraMessage(empty))).toContain('No deployments or merged pull requests in this window yet');
  });
});

/**
 * A small org synced from the GitHub stand-in as GitHub reports it, then `/em dora 30d` through the Slack emulator.
 * Window: 2026-10-31 12:00Z → 11-30 12:00Z, weeks starting 10-31, 11-07, 11-14, 11-21 (12:00Z; the last one runs to
 * the end). Every deployment below is made by an Actions environment, so GitHub marks each older one `inactive`.
 */
describeEachEngine('/em dora 30d on a hand-computed org synced from GitHub', ({ freshDb }) => {
  const ORG_NOW = new Date('2026-11-30T12:00:00Z');
  const WEB = 'acme/web';
  const API = 'acme/api';
  const minus = (iso: string, minutes: number) => new Date(Date.parse(iso) - minutes * 60_000);

  async function seedOrg(gh: GitHubStandIn) {
    gh.addInstallation(1, [WEB, API]);
    const pr = (repo: string, created: string, mergedAt: string) => {
      gh.setClock(minus(created, 1)); // addPull stamps the next minute: created (and first commit) = `created`
      const { number } = gh.addPull(repo, { title: `change from ${created}`, author: 'dev' });
      gh.setClock(new Date(mergedAt));
      gh.mergePull(repo, number); // its merge commit goes on top of main
    };
    const deploy = (repo: string, success: string, runId: number, sha?: string) => {
      gh.setClock(minus(success, 2)); // created the next minute, `success` the minute after
      return gh.addDeployment(repo, 'production', ['success'], { runId, sha });
    };
    // acme/web. W0 (before the window) has no earlier deployment to compare with: w1 counts nowhere.
    pr(WEB, '2026-10-25T10:00:00Z', '2026-10-26T10:00:00Z');
    deploy(WEB, '2026-10-26T12:00:00Z', 101);
    pr(WEB, '2026-11-02T09:00:00Z', '2026-11-03T09:00:00Z'); // ships with W1: 11-03 12:00 − 11-02 09:00 = 27 h
    const w1 = deploy(WEB, '2026-11-03T12:00:00Z', 102);
    pr(WEB, '2026-11-09T12:00:00Z', '2026-11-10T08:00:00Z'); // W2: 24 h
    deploy(WEB, '2026-11-10T12:00:00Z', 103);
    pr(WEB, '2026-11-16T00:00:00Z', '2026-11-17T10:00:00Z'); // W3: 36 h
    deploy(WEB, '2026-11-17T12:00:00Z', 104);
    // acme/api: main gets c1 … c6, one merge commit per PR.
    pr(API, '2026-10-20T10:00:00Z', '2026-10-21T10:00:00Z'); // c1
    const a0 = deploy(API, '2026-10-21T12:00:00Z', 201); // A0 = c1, before the window
    pr(API, '2026-11-05T08:00:00Z', '2026-11-05T10:00:00Z'); // c2, ships with A1: 4 h
    deploy(API, '2026-11-05T12:00:00Z', 202); // A1 = c2: the bad one (INC-2)
    pr(API, '2026-11-05T13:00:00Z', '2026-11-05T14:00:00Z'); // c3, merged between the bad deployment and the rollback
    deploy(API, '2026-11-05T15:00:00Z', 203, a0.sha); // A2: rollback to c1, compare is "behind": ships nothing
    pr(API, '2026-11-05T16:00:00Z', '2026-11-06T09:00:00Z'); // c4
    // A3 = c4, fix-forward: compare c1...c4 = c2 c3 c4; c3's PR ships here: 11-06 12:00 − 11-05 13:00 = 23 h,
    // c4's: 11-06 12:00 − 11-05 16:00 = 20 h (c2's PR shipped earlier, with A1).
    deploy(API, '2026-11-06T12:00:00Z', 204);
    pr(API, '2026-11-11T10:00:00Z', '2026-11-12T10:00:00Z'); // c5, ships with A4: 26 h
    deploy(API, '2026-11-12T12:00:00Z', 205); // A4 = c5
    deploy(API, '2026-11-12T13:00:00Z', 206); // A5 = c5 again from another pipeline: a deployment, ships nothing
    pr(API, '2026-11-18T11:00:00Z', '2026-11-19T10:00:00Z'); // c6, ships with A6: 25 h
    deploy(API, '2026-11-19T12:00:00Z', 207); // A6
    deploy(API, '2026-11-19T12:30:00Z', 207); // A7: run 207 retried the deployment: one pipeline, dated 12:30
    return { w1 };
  }

  test('the four keys and the per-repository lines', async () => {
    const gh = await new GitHubStandIn().start();
    const db = await freshDb();
    let h: BotHarness | undefined;
    try {
      const { w1 } = await seedOrg(gh);
      const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger: silent });
      const octokit = await app.getInstallationOctokit(1);
      for (const repo of [WEB, API])
        await syncGitHubRepo({
          db,
          logger: silent,
          octokit,
          repo,
          environment: 'production',
          backfillSince: new Date('2026-10-01T00:00:00Z'),
        });
      // Incidents (an even number). INC-1 was confirmed against W1, which GitHub now shows as inactive.
      await incident(db, 'INC-1', '2026-11-04T10:00:00Z', '2026-11-04T14:30:00Z', {
        causedBy: ['github', String(w1.id)],
      });
      // INC-2: the latest deployment at 12:30 is A1 (12:00): recovery 3.5 h.
      await incident(db, 'INC-2', '2026-11-05T12:30:00Z', '2026-11-05T15:30:00Z');
      // INC-3: the latest is A7 (12:30, pipeline 207): recovery 2.5 h.
      await incident(db, 'INC-3', '2026-11-19T13:00:00Z', '2026-11-19T15:00:00Z');
      // INC-4: still A7: 11-25 10:00 − 11-19 12:30 = 141.5 h. Same pipeline as INC-3: one failed deployment.
      await incident(db, 'INC-4', '2026-11-25T09:00:00Z', '2026-11-25T10:00:00Z');

      h = await startBotHarness({
        register: (commands) =>
          commands.registerOwn(doraSyntax, (ctx, command) =>
            doraCommand({ bandSet: '2023', timezone: 'UTC', now: () => ORG_NOW })({ ...ctx, db }, command),
          ),
      });
      const harness = h;
      await harness.emulator.command({ user: harness.users.alice, channel: harness.channels.eng, text: 'dora 30d' });
      const reply = await harness.emulator.waitFor(
        () =>
          harness.emulator.ephemeralsFor(harness.users.alice).find((e) => visibleText(e).includes('*Per repository*')),
        60_000,
        'the DORA report',
      );
      const text = visibleText(reply);
      // Deployments (pipelines) in the window: web W1 W2 W3; api A1 A2 A3 A4 A5 and run 207 (A6 + A7) = 9.
      // Deployment days (UTC) per week: {11-03, 11-05, 11-06}, {11-10, 11-12}, {11-17, 11-19}, {} = 3, 2, 2, 0;
      // median of an even count = (2 + 2) / 2 = 2. The month before: A0 (10-21) and W0 (10-26): 0, 0, 1, and 1 in
      // the last block, which runs 9 days (30 = 7 + 7 + 7 + 9) and is scaled to a week: 7/9 → 0.78; median
      // (0 + 0.78) / 2 = 0.39 → 0.4.
      expect(text).toContain('*Deployment frequency*: 2 deployment days/week, 9 deployments (was 0.4)');
      // Lead times: 4, 20, 23, 24, 25, 26, 27, 36 → (24 + 25) / 2 = 24.5 h. Before: W0 and A0 had nothing to
      // compare with, so nothing was measured.
      expect(text).toContain('*Lead time for changes*: 24.5 h (was –)');
      // Failed pipelines: W1 (INC-1), A1 (INC-2), run 207 (INC-3 and INC-4) = 3 of 9.
      expect(text).toContain('*Change failure rate*: 33% (3 of 9)');
      // Recovery: 26.5 (INC-1: 11-04 14:30 − W1 11-03 12:00), 3.5, 2.5, 141.5 → (3.5 + 26.5) / 2 = 15 h.
      expect(text).toContain('*Failed deployment recovery time*: 15.0 h');
      // acme/api: days per week 2, 1, 1, 0 → 1; lead 4, 20, 23, 25, 26 → 23 h; 2 of 6 failed; recovery
      // median of 3.5, 2.5, 141.5 = 3.5 h. acme/web: 1, 1, 1, 0 → 1; lead 27, 24, 36 → 27 h; 1 of 3; 26.5 h.
      expect(text).toContain('`acme/api` 1 days/wk · lead 23.0 h · CFR 33% · recovery 3.5 h');
      expect(text).toContain('`acme/web` 1 days/wk · lead 27.0 h · CFR 33% · recovery 26.5 h');
      expect(text.indexOf('`acme/api`')).toBeLessThan(text.indexOf('`acme/web`')); // busier first
    } finally {
      await h?.stop();
      await gh.stop();
    }
  }, 120_000);
});
