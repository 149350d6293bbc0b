// DORA's "deployment days per week" counts local days in the report's time zone; the weeks around a DST change
// have a 25- or 23-hour day, and a fixed UTC offset would put late-evening deployments on the wrong day.

import { doraTrend } from '../../src/reports/dora.js';
import { buildDoraReport } from '../../src/reports/dora-report.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

async function deploy(db: Db, id: string, at: string) {
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     VALUES ('github', $1, 'acme/api', 'production', $1, 'main', $2, $2, 'success')`,
    [id, at],
  );
}

describeEachEngine('DORA over a DST week', ({ freshDb }) => {
  // 14 days to Thursday 2026-10-29 12:00Z: week 1 from 10-15 12:00Z, week 2 from 10-22 12:00Z (Berlin leaves
  // summer time on Sunday 10-25 at 03:00 CEST = 01:00Z).
  const now = new Date('2026-10-29T12:00:00Z');

  test('deployment days are Berlin days on both sides of the change', async () => {
    const db = await freshDb();
    await deploy(db, 'w1', '2026-10-16T09:00:00Z'); // week 1: one day
    await deploy(db, 'before', '2026-10-24T22:30:00Z'); // 00:30 CEST on Sunday 10-25
    await deploy(db, 'after', '2026-10-25T22:30:00Z'); // 23:30 CET on Sunday 10-25: the same local day
    const berlin = await buildDoraReport(db, { days: 14, now, timezone: 'Europe/Berlin' });
    // Week 2 has one Berlin day (Sunday); with summer time kept all week it would have two (Sunday, Monday).
    expect(berlin.org.current.deploymentDaysPerWeek).toBe(1);
    expect(berlin.org.current.deployments).toBe(3);
    // In UTC the two fall on Saturday and Sunday.
    const utc = await buildDoraReport(db, { days: 14, now, timezone: 'UTC' });
    expect(utc.org.current.deploymentDaysPerWeek).toBe(1.5);
  });

  test('weekly trend buckets are whole weeks of elapsed time, the DST week included', async () => {
    const db = await freshDb();
    await deploy(db, 'last-of-week-1', '2026-10-22T11:59:00Z');
    await deploy(db, 'first-of-week-2', '2026-10-22T12:00:00Z');
    await deploy(db, 'last-of-week-2', '2026-10-29T11:59:00Z');
    const trend = await doraTrend(db, { from: new Date('2026-10-15T12:00:00Z'), to: now });
    expect(trend.map((w) => [w.week, w.deployments])).toEqual([
      ['2026-10-15', 1],
      ['2026-10-22', 2],
    ]);
  });
});
