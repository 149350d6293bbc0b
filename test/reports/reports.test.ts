import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupMessage } from '../../blocks/reports/standup.js';
import { triageMessage } from '../../blocks/reports/triage.js';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildSprintHealth } from '../../src/reports/sprint.js';
import { buildStandup } from '../../src/reports/standup.js';
import { buildTriage } from '../../src/reports/triage.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';
import { hoursBefore, NOW, pr, review, ticket } from '../support/fixtures.js';
import { visibleText } from '../support/slack/harness.js';

async function change(db: Db, key: string, field: string, from: string | null, to: string | null, hoursAgo: number) {
  await db.query(
    `INSERT INTO work_item_changes (source, key, change_id, field, from_value, to_value, author, changed_at)
     VALUES ('jira', $1, $2, $3, $4, $5, 'acc-raj', $6)`,
    [key, `${key}-${field}-${hoursAgo}`, field, from, to, hoursBefore(hoursAgo)],
  );
}

describeEachEngine('reports against hand-made data', ({ freshDb }) => {
  test('sprint health: committed vs completed, scope change, carry-over at the current pace, blocked and aging', async () => {
    const db = await freshDb();
    await db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '7', '1', 'Sprint 7', 'active', $1, $2)",
      [hoursBefore(4 * 24), hoursBefore(-6 * 24)],
    );
    const inSprint = { sprintIds: ['7'], ageHours: 10 * 24 };
    await ticket(db, { key: 'ENG-1', ...inSprint, points: 3, status: 'Done', statusCategory: 'done' });
    await ticket(db, { key: 'ENG-2', ...inSprint, points: 5, status: 'In Progress', statusCategory: 'indeterminate' });
    await change(db, 'ENG-2', 'status', 'To Do', 'In Progress', 5 * 24);
    await ticket(db, { key: 'ENG-3', ...inSprint, points: 2, status: 'Blocked', statusCategory: 'indeterminate' });
    await ticket(db, { key: 'ENG-4', sprintIds: ['7'], ageHours: 24, points: 1 }); // created after the start
    await ticket(db, { key: 'ENG-5', ...inSprint, points: 8, status: 'In Review', statusCategory: 'indeterminate' });
    await change(db, 'ENG-5', 'Sprint', null, 'Sprint 7', 2 * 24); // moved in after the start
    await change(db, 'ENG-5', 'status', 'In Progress', 'In Review', 24);
    await ticket(db, { key: 'ENG-6', sprintIds: ['8'], ageHours: 10 * 24, points: 3 });
    await change(db, 'ENG-6', 'Sprint', 'Sprint 7', 'Sprint 8', 24); // removed after the start

    const s = await buildSprintHealth(db, { now: NOW });
    expect(s).toMatchObject({
      name: 'Sprint 7',
      committed: { count: 4, points: 13 }, // ENG-1, 2, 3, and ENG-6 (in it at the start, removed since)
      completed: { count: 1, points: 3 }, // ENG-1
      added: { count: 2, points: 9 }, // ENG-4 (1) and ENG-5 (8)
      removed: { count: 1, points: 3 }, // ENG-6
      remainingPoints: 16, // 5 + 2 + 1 + 8
      daysElapsed: 4,
      daysLeft: 6,
      carryOverPoints: 12, // 16 − (3 points / 4 days) × 6 days = 11.5 → 12
    });
    expect(s?.blocked.map((i) => i.key)).toEqual(['ENG-3']);
    expect(s?.aging.map((i) => i.key)).toEqual(['ENG-2']); // 5 days in progress; ENG-5 only 1 day in review
    const text = visibleText(sprintMessage(s));
    expect(text).toContain(
      '*Committed*: 4 items, 13 points · *completed*: 1 items, 3 points (23% of committed points)',
    );
    expect(text).toContain('about *12 points* will carry over');
    expect(visibleText(sprintMessage(null))).toContain('No active sprint');
  });

  test('sprint burndown: what is left at the end of each day so far, each done item taken off on the day it was resolved', async () => {
    const db = await freshDb();
    await db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '7', '1', 'Sprint 7', 'active', $1, $2)",
      [hoursBefore(4 * 24), hoursBefore(-6 * 24)],
    );
    const done = (hoursAgo: number) => ({ status: 'Done', statusCategory: 'done', resolvedAt: hoursBefore(hoursAgo) });
    const inSprint = { sprintIds: ['7'], ageHours: 10 * 24 };
    await ticket(db, { key: 'ENG-1', ...inSprint, points: 4, ...done(5 * 24) }); // resolved before the start
    await ticket(db, { key: 'ENG-2', ...inSprint, points: 3, ...done(3.5 * 24) }); // day 0
    await ticket(db, { key: 'ENG-3', ...inSprint, points: 5, ...done(1.5 * 24) }); // day 2
    await ticket(db, { key: 'ENG-4', ...inSprint, points: 2 }); // open

    const s = await buildSprintHealth(db, { now: NOW });
    const series = (name: string) => s?.burndown.filter((p) => p.series === name).map((p) => p.points);
    // 14 points in all; days 0-4 have ended or begun, days 5-10 are still ahead.
    expect(series('remaining')).toEqual([7, 7, 2, 2, 2]);
    expect(series('ideal')).toEqual([14, 12.6, 11.2, 9.8, 8.4, 7, 5.6, 4.2, 2.8, 1.4, 0]);
  });

  test('sprint health over more items than one page of a read (2,100): every item and its history counts', async () => {
    const db = await freshDb();
    await db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '7', '1', 'Sprint 7', 'active', $1, $2)",
      [hoursBefore(4 * 24), hoursBefore(-6 * 24)],
    );
    await ticket(db, { key: 'ENG-1', sprintIds: ['7'], ageHours: 10 * 24, points: 2 });
    await db.query(
      `INSERT INTO work_items
       SELECT (jsonb_populate_record(null::work_items, to_jsonb(w) || jsonb_build_object('key', 'ENG-' || g))).*
         FROM work_items w, generate_series(2, 2100) g WHERE w.key = 'ENG-1'`,
    );
    // Keys sort as text: ENG-999 comes after ENG-2099, so these two are read on different pages.
    await change(db, 'ENG-999', 'Sprint', null, 'Sprint 7', 2 * 24); // moved in after the start
    await change(db, 'ENG-1000', 'Sprint', null, 'Sprint 7', 24);

    const s = await buildSprintHealth(db, { now: NOW });
    expect(s).toMatchObject({
      committed: { count: 2098, points: 4196 },
      added: { count: 2, points: 4 },
      remainingPoints: 4200,
    });
  }, 120_000);
  test('standup: per person across GitHub and Jira (joined by the people map), and who waits on whom', async () => {
    const db = await freshDb();
    await recordIdentity(db, { email: 'raj@acme.dev', github: 'raj', jira: 'acc-raj', slack: 'U0RAJ' }, true);
    await pr(db, { number: 1, ageHours: 2, author: 'maya', reviewers: ['lee'] });
    await pr(db, { number: 2, ageHours: 50, author: 'maya', state: 'merged', mergedHoursAgo: 3 });
    await pr(db, { number: 3, ageHours: 80, author: 'lee', state: 'merged', mergedHoursAgo: 30 }); // outside 24 h
    await review(db, 'acme/api', 1, 'raj', 1);
    await ticket(db, { key: 'ENG-9', assignee: 'acc-raj', status: 'In Progress', statusCategory: 'indeterminate' });
    await change(db, 'ENG-9', 'status', 'To Do', 'In Progress', 5);
    await ticket(db, { key: 'ENG-10', assignee: 'acc-raj', status: 'Blocked', statusCategory: 'indeterminate' });

    const s = await buildStandup(db, { hours: 24, now: NOW });
    const maya = s.people.find((p) => p.who === 'maya');
    const raj = s.people.find((p) => p.who === 'raj');
    expect(maya).toMatchObject({
      opened: [{ ref: 'acme/api#1' }],
      merged: [{ ref: 'acme/api#2' }],
      reviewed: [],
      waitingOn: [{ ref: 'acme/api#1', reviewers: ['lee'] }],
    });
    expect(raj).toMatchObject({
      slack: 'U0RAJ',
      reviewed: [{ ref: 'acme/api#1' }],
      moved: [{ key: 'ENG-9', to: 'In Progress' }],
      blocked: [{ key: 'ENG-10' }],
    });
    expect(s.people.find((p) => p.who === 'lee')).toBeUndefined(); // nothing of lee's in the window
    const text = visibleText(standupMessage(s));
    expect(text).toContain('<@U0RAJ>');
    expect(text).toContain('*Team*: 1 merged · 1 opened · 1 reviews · 1 tickets moved · 1 blocked');
  });

  test('triage: ranked groups from open incidents, signals and approvals; nudge buttons on nudgeable items', async () => {
    const db = await freshDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-triage-'));
    try {
      writeFileSync(
        path.join(dir, 'r.yml'),
        '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n- { name: red, kind: failing_main, red_minutes: 1 }\n',
      );
      await pr(db, { number: 7, ageHours: 48, title: 'ENG-7 <!here> fix' });
      await db.query(
        `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at)
         VALUES ('acme/api', 1, 'CI', 'main', 'a', 'failure', $1, $1)`,
        [hoursBefore(2)],
      );
      await db.query(
        "INSERT INTO incidents (source, external_id, title, severity, status, opened_at) VALUES ('slack', 'INC-1', 'Checkout down', 'SEV1', 'open', $1)",
        [hoursBefore(1)],
      );
      await new SignalEngine({ db, logger: createLogger('silent'), rules: new RuleBook(dir) }).evaluate({
        all: true,
        now: NOW,
      });
      const groups = await buildTriage(db);
      expect(groups.map((g) => g.id)).toEqual(['incidents', 'failing_main', 'stale']);
      const message = triageMessage(groups);
      const text = visibleText(message);
      expect(text.indexOf('Open incidents')).toBeLessThan(text.indexOf('Failing main'));
      expect(text).toContain('&lt;!here&gt;');
      expect(JSON.stringify(message.blocks).match(/triage_nudge/g)).toHaveLength(1); // only the stale PR
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('triage: every open signal of a large org is counted, oldest first, whatever order they were stored in', async () => {
    const db = await freshDb();
    // 4,500 open stale-PR signals (more than two pages of a read), stored newest first, many opened in the same
    // microsecond (one evaluation opens thousands at once), plus resolved ones that must not count.
    await db.query(
      `INSERT INTO signals (rule, kind, subject, severity, title, url, evidence, target, status, opened_at)
       SELECT 'stale', 'stale_pr', 'acme/api#' || n, 'warning', 'PR ' || n, NULL, '{}'::jsonb, '{}'::jsonb,
              CASE WHEN n % 10 = 0 THEN 'resolved' ELSE 'open' END,
              $1::timestamptz - (n / 1000) * interval '1 hour'
         FROM generate_series(5000, 1, -1) AS n`,
      [hoursBefore(1)],
    );
    const [stale] = await buildTriage(db);
    expect(stale?.id).toBe('stale');
    expect(stale?.items).toHaveLength(4500);
    const ages = stale?.items.map((i) => i.at.getTime()) ?? [];
    expect(ages.every((at, i) => i === 0 || (ages[i - 1] as number) <= at)).toBe(true);
    // The oldest open ones are PRs 4001-4999 (5000 is resolved), opened together; of those, the first stored.
    expect(stale?.items[0]?.text).toBe('PR 4999');
    expect(stale?.items.at(-1)?.text).toBe('PR 1');
    expect(new Set(stale?.items.map((i) => i.text)).size).toBe(4500);
    expect(visibleText(triageMessage([stale as NonNullable<typeof stale>]))).toContain('(4500)');
  });
});
