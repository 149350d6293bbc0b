import { doraMessage } from '../../blocks/reports/dora.js';
import { buildDoraReport } from '../../src/reports/dora-report.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

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
    [source, id, repo, sha, at, state],
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
    base,
    head,
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
