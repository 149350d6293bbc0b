import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { refreshShippedPullRequests } from '../../src/connectors/github/shipped.js';
import { recordIdentity } from '../../src/identity/store.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { recordSyncSuccess } from '../../src/sync/status-store.js';
import { describeEachEngine } from '../support/engines.js';
import {
  ciRun,
  deployment,
  deploymentSha,
  hoursBefore,
  incident,
  NOW,
  pr,
  review,
  ticket,
} from '../support/fixtures.js';

const logger = createLogger('silent');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The real engine over one rules file, evaluated at NOW. */
function engineFor(db: Db, yaml: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-rules-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'rules.yml'), yaml);
  const engine = new SignalEngine({ db, logger, rules: new RuleBook(dir) });
  return {
    run: async (now = NOW) => {
      const [result] = await engine.evaluate({ all: true, now });
      expect(result?.error).toBeUndefined();
      return result;
    },
  };
}

async function open(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ subject: string }>(
    "SELECT subject FROM signals WHERE status = 'open' ORDER BY subject",
  );
  return rows.map((r) => r.subject);
}

describeEachEngine('rule kinds fire on synced data and resolve when it clears', ({ freshDb }) => {
  test('a rule that first ran while the first sync was under way runs again as soon as it is complete, not an hour later', async () => {
    const db = await freshDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-rules-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'rules.yml'), '- { name: big, kind: large_pr, max_lines: 100, schedule: 1 hour }');
    const notifications = new NotificationService({
      db,
      logger,
      slack: () => undefined,
      policies: new PolicyBook(dir).reload(),
      expand: async (approvers) => approvers,
      scopes: 2,
    });
    const engine = new SignalEngine({ db, logger, rules: new RuleBook(dir), notifications });
    const ranAt = async (at: Date) => (await engine.evaluate({ now: at })).map((r) => r.findings);
    const start = new Date();
    // The first scope has synced, the second has not: the rule runs on what is there (nothing large yet).
    await recordSyncSuccess(db, 'github', 'acme/api');
    expect(await ranAt(start)).toEqual([0]);
    expect(await ranAt(new Date(start.getTime() + 60_000))).toEqual([]); // not due: its schedule is an hour
    await pr(db, { number: 7, ageHours: 2, additions: 900 });
    await recordSyncSuccess(db, 'jira', 'ENG');
    // The first sync is complete: the rule runs on the whole org at the next tick, once.
    const next = new Date(Date.now() + 60_000);
    expect(await ranAt(next)).toEqual([1]);
    expect(await ranAt(new Date(next.getTime() + 60_000))).toEqual([]);
  });

  test('stale_pr: unreviewed, non-draft PRs past the age; a review by someone else resolves it; no re-notification', async () => {
    const db = await freshDb();
    await pr(db, { number: 1, ageHours: 50 });
    await pr(db, { number: 2, ageHours: 50, draft: true });
    await pr(db, { number: 3, ageHours: 50 });
    await review(db, 'acme/api', 3, 'raj', 1);
    await pr(db, { number: 4, ageHours: 10 });
    await pr(db, { number: 5, ageHours: 50 });
    await review(db, 'acme/api', 5, 'maya', 1); // the author's own review does not count
    const rule = engineFor(db, '- { name: stale48h, kind: stale_pr, older_than_hours: 48 }');
    expect(await rule.run()).toMatchObject({ findings: 2, opened: 2 });
    expect(await open(db)).toEqual(['pr:acme/api#1', 'pr:acme/api#5']);
    expect(await rule.run()).toMatchObject({ findings: 2, opened: 0, resolved: 0 }); // same signals, not new
    await review(db, 'acme/api', 1, 'raj', 0.5);
    expect(await rule.run()).toMatchObject({ opened: 0, resolved: 1 });
    expect(await open(db)).toEqual(['pr:acme/api#5']);
  });

  test('stale_pr with working hours: weekends, nights and holidays do not count', async () => {
    const db = await freshDb();
    await pr(db, { number: 1, ageHours: 120 }); // Friday 12:00 UTC → Wednesday 12:00 UTC: 24 working hours
    const calendar = (holidays: string) =>
      `calendar: { timezone: UTC, start: "09:00", end: "17:00", holidays: [${holidays}] }\nrules:\n`;
    const wall = engineFor(db, `${calendar('')}  - { name: wall, kind: stale_pr, older_than_hours: 30 }`);
    expect((await wall.run())?.findings).toBe(1);
    const working = engineFor(
      db,
      `${calendar('')}  - { name: working, kind: stale_pr, older_than_hours: 20, working_hours: true }`,
    );
    expect((await working.run())?.findings).toBe(1);
    // The whole wait, not where counting could stop once past the threshold (Tuesday's 8 hours: 21).
    const titles = await db.query<{ title: string }>("SELECT title FROM signals WHERE rule = 'working'");
    expect(titles.rows.map((r) => r.title)).toEqual([expect.stringContaining('has waited 24 working hours')]);
    const strict = engineFor(
      db,
      `${calendar('')}  - { name: strict, kind: stale_pr, older_than_hours: 30, working_hours: true }`,
    );
    expect((await strict.run())?.findings).toBe(0);
    // Monday a holiday: 16 working hours.
    const holiday = engineFor(
      db,
      `${calendar('"2026-11-23"')}  - { name: holiday, kind: stale_pr, older_than_hours: 20, working_hours: true }`,
    );
    expect((await holiday.run())?.findings).toBe(0);
  });

  test('review_bottleneck and review_requested: per reviewer, cleared by activity or by the request going away', async () => {
    const db = await freshDb();
    await pr(db, { number: 1, ageHours: 30, reviewers: ['raj'] });
    await pr(db, { number: 2, ageHours: 1, reviewers: ['raj', 'lee'] });
    const bottleneck = engineFor(db, '- { name: slow, kind: review_bottleneck, idle_hours: 24 }');
    expect(await bottleneck.run()).toMatchObject({ opened: 1 });
    expect(await open(db)).toEqual(['review:acme/api#1:raj']);
    await review(db, 'acme/api', 1, 'lee', 2); // someone acted on the PR: the wait restarts
    expect(await bottleneck.run()).toMatchObject({ resolved: 1 });

    const requested = engineFor(db, '- { name: asked, kind: review_requested }');
    await requested.run();
    expect((await open(db)).filter((s) => s.startsWith('requested:'))).toEqual([
      'requested:acme/api#1:raj',
      'requested:acme/api#2:lee',
      'requested:acme/api#2:raj',
    ]);
    await pr(db, { number: 2, ageHours: 1, reviewers: ['raj'] });
    expect(await requested.run()).toMatchObject({ resolved: 1 });
  });

  test('wip_limit_exceeded: open PRs and in-progress tickets of one person (accounts joined by e-mail)', async () => {
    const db = await freshDb();
    await recordIdentity(db, { email: 'maya@acme.dev', github: 'maya', jira: 'acc-maya' });
    for (const n of [1, 2, 3]) await pr(db, { number: n, ageHours: 5, author: 'maya' });
    await pr(db, { number: 4, ageHours: 5, author: 'raj' });
    for (const key of ['ENG-1', 'ENG-2'])
      await ticket(db, { key, assignee: 'acc-maya', status: 'In Progress', statusCategory: 'indeterminate' });
    const rule = engineFor(db, '- { name: wip, kind: wip_limit_exceeded, max: 4 }');
    expect(await rule.run()).toMatchObject({ findings: 1 });
    const { rows } = await db.query<{ title: string; target: { author?: { id: string } } }>(
      'SELECT title, target FROM signals',
    );
    expect(rows[0]?.title).toContain('5 items in progress (3 open PRs, 2 tickets; limit 4)');
    expect(rows[0]?.target.author?.id).toBe('maya');
    await ticket(db, { key: 'ENG-2', assignee: 'acc-maya', status: 'Done', statusCategory: 'done' });
    expect(await rule.run()).toMatchObject({ resolved: 1 });
  });

  test('no_ticket_link and large_pr', async () => {
    const db = await freshDb();
    await pr(db, { number: 1, ageHours: 1, title: 'Fix typo', headRef: 'fix-typo', ticketKeys: [] });
    await pr(db, { number: 2, ageHours: 1, title: 'ENG-7 add cache' });
    await pr(db, { number: 3, ageHours: 1, title: 'Refactor', headRef: 'eng-12-refactor', ticketKeys: [] });
    await pr(db, { number: 4, ageHours: 1, title: 'Huge', additions: 500, deletions: 200 });
    const links = engineFor(db, '- { name: links, kind: no_ticket_link }');
    expect(await links.run()).toMatchObject({ opened: 1 });
    expect(await open(db)).toEqual(['pr:acme/api#1']);
    await pr(db, { number: 1, ageHours: 1, title: 'ENG-9 Fix typo', headRef: 'fix-typo' });
    expect(await links.run()).toMatchObject({ resolved: 1 });

    const large = engineFor(db, '- { name: large, kind: large_pr, max_lines: 600 }');
    expect(await large.run()).toMatchObject({ opened: 1 });
    expect(await open(db)).toEqual(['pr:acme/api#4']);
  });

  test('failing_main: red longer than the limit since the last green run; a green run resolves it', async () => {
    const db = await freshDb();
    await ciRun(db, 'acme/api', 1, 'success', 120);
    await ciRun(db, 'acme/api', 2, 'failure', 60);
    await ciRun(db, 'acme/api', 3, 'failure', 40);
    await ciRun(db, 'acme/web', 4, 'failure', 10); // red, but not for long yet
    const rule = engineFor(db, '- { name: red, kind: failing_main, red_minutes: 30 }');
    expect(await rule.run()).toMatchObject({ opened: 1 });
    const { rows } = await db.query<{ subject: string; title: string }>('SELECT subject, title FROM signals');
    expect(rows).toEqual([
      { subject: 'ci:acme/api:CI', title: 'acme/api default branch is red: "CI" has failed 2 time(s) over 60 minutes' },
    ]);
    await ciRun(db, 'acme/api', 5, 'success', 1);
    expect(await rule.run()).toMatchObject({ resolved: 1 });
  });

  test('unassigned_urgent and aging_blocked', async () => {
    const db = await freshDb();
    await ticket(db, { key: 'ENG-1', priority: 'High', ageHours: 5 });
    await ticket(db, { key: 'ENG-2', priority: 'Medium', ageHours: 5 });
    await ticket(db, { key: 'ENG-3', priority: 'High', ageHours: 5, assignee: 'acc-raj' });
    await ticket(db, { key: 'ENG-4', priority: 'Highest', ageHours: 2 });
    const urgent = engineFor(db, '- { name: urgent, kind: unassigned_urgent, older_than_hours: 4 }');
    expect(await urgent.run()).toMatchObject({ opened: 1 });
    expect(await open(db)).toEqual(['ticket:jira:ENG-1']);
    await ticket(db, { key: 'ENG-1', priority: 'High', ageHours: 5, assignee: 'acc-lee' });
    expect(await urgent.run()).toMatchObject({ resolved: 1 });

    await ticket(db, {
      key: 'ENG-5',
      status: 'Blocked',
      statusCategory: 'indeterminate',
      assignee: 'acc-raj',
      ageHours: 200,
    });
    await db.query(
      `INSERT INTO work_item_changes (source, key, change_id, field, from_value, to_value, author, changed_at)
       VALUES ('jira', 'ENG-5', 'c1', 'status', 'In Progress', 'Blocked', 'acc-raj', $1),
              ('jira', 'ENG-6', 'c2', 'status', 'In Progress', 'Blocked', 'acc-raj', $2)`,
      [hoursBefore(4 * 24), hoursBefore(24)],
    );
    await ticket(db, { key: 'ENG-6', status: 'Blocked', statusCategory: 'indeterminate', ageHours: 200 });
    await ticket(db, { key: 'ENG-7', labels: ['blocked'], statusCategory: 'indeterminate', ageHours: 5 * 24 });
    const blocked = engineFor(db, '- { name: blocked, kind: aging_blocked, older_than_days: 3 }');
    expect(await blocked.run()).toMatchObject({ opened: 2 });
    expect((await open(db)).filter((s) => s !== 'ticket:jira:ENG-1')).toEqual([
      'ticket:jira:ENG-5',
      'ticket:jira:ENG-7',
    ]);
  });

  test('a rule over more open tickets than one page of a read (2,100) finds every one, once', async () => {
    const db = await freshDb();
    await ticket(db, { key: 'ENG-1', priority: 'High', ageHours: 5 });
    await db.query(
      `INSERT INTO work_items
       SELECT (jsonb_populate_record(null::work_items, to_jsonb(w) || jsonb_build_object('key', 'ENG-' || g))).*
         FROM work_items w, generate_series(2, 2100) g WHERE w.key = 'ENG-1'`,
    );
    const urgent = engineFor(db, '- { name: urgent, kind: unassigned_urgent, older_than_hours: 4 }');
    expect(await urgent.run()).toMatchObject({ opened: 2100 });
    const { rows } = await db.query<{ n: number; distinct: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT subject)::int AS distinct FROM signals WHERE status = 'open'",
    );
    expect(rows[0]).toEqual({ n: 2100, distinct: 2100 });
  }, 120_000);

  test('sprint_scope_creep: items that joined the active sprint after it started, over the limit', async () => {
    const db = await freshDb();
    await db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '7', '1', 'Sprint 7', 'active', $1, $2)",
      [hoursBefore(72), hoursBefore(-240)],
    );
    for (const n of [1, 2, 3, 4, 5]) await ticket(db, { key: `ENG-${n}`, sprintIds: ['7'], ageHours: 100 });
    await ticket(db, { key: 'ENG-6', sprintIds: ['7'], ageHours: 10 }); // created after the start
    await ticket(db, { key: 'ENG-7', sprintIds: ['7'], ageHours: 100 }); // moved in after the start
    await db.query(
      `INSERT INTO work_item_changes (source, key, change_id, field, from_value, to_value, author, changed_at)
       VALUES ('jira', 'ENG-7', 'c9', 'Sprint', NULL, 'Sprint 7', 'acc-raj', $1)`,
      [hoursBefore(24)],
    );
    const rule = engineFor(db, '- { name: creep, kind: sprint_scope_creep, max_percent: 20 }');
    expect(await rule.run()).toMatchObject({ opened: 1 });
    const { rows } = await db.query<{ title: string }>('SELECT title FROM signals');
    expect(rows[0]?.title).toBe('Sprint 7: 2 item(s) added after the start, 40% of the 5 committed (limit 20%)');
  });

  test('metric_threshold: lead time and change failure rate, with the rows behind them; recovers', async () => {
    const db = await freshDb();
    await pr(db, { number: 1, ageHours: 300, firstCommitHoursAgo: 300, mergedHoursAgo: 20, state: 'merged' });
    await deployment(db, 'acme/api', 'd0', 700); // before the 28 days: only the base of what d1 shipped
    await deployment(db, 'acme/api', 'd1', 10);
    // What d1 shipped (GitHub's compare between d0 and d1, as the sync caches it): the merge commits of PRs 1-3.
    await db.query(
      "INSERT INTO commit_ranges (repo, base, head, status, shas) VALUES ('acme/api', $1, $2, 'ahead', '{m1,m2,m3}')",
      [deploymentSha('d0'), deploymentSha('d1')],
    );
    const shipped = async () => {
      await db.query("UPDATE pull_requests SET merge_commit_sha = 'm' || number WHERE merged_at IS NOT NULL");
      await refreshShippedPullRequests(db, 'acme/api');
    };
    await shipped();
    const lead = engineFor(db, '- { name: slow, kind: metric_threshold, metric: lead_time_hours, above: 168 }');
    expect(await lead.run()).toMatchObject({ opened: 1 });
    const { rows } = await db.query<{ title: string; evidence: { behind_it: { label: string }[] } }>(
      "SELECT title, evidence FROM signals WHERE status = 'open'",
    );
    expect(rows[0]?.title).toBe('lead time hours is 290 over the last 28 days (above 168)');
    expect(rows[0]?.evidence.behind_it[0]?.label).toBe('acme/api#1 ENG-1: change');
    for (const n of [2, 3])
      await pr(db, { number: n, ageHours: 30, firstCommitHoursAgo: 30, mergedHoursAgo: 12, state: 'merged' });
    await shipped();
    expect(await lead.run()).toMatchObject({ resolved: 1 }); // median now 20 h

    for (const [id, h] of [
      ['d2', 100],
      ['d3', 80],
      ['d4', 50],
    ] as const)
      await deployment(db, 'acme/api', id, h);
    await incident(db, 'OPS-1', 70, 60); // after d3
    const cfr = engineFor(db, '- { name: cfr, kind: metric_threshold, metric: change_failure_rate, above: 15 }');
    expect(await cfr.run()).toMatchObject({ opened: 1 });
    const cfrSignal = await db.query<{ title: string }>("SELECT title FROM signals WHERE rule = 'cfr'");
    expect(cfrSignal.rows[0]?.title).toBe('change failure rate is 25% over the last 28 days (above 15%)');
  });
});
