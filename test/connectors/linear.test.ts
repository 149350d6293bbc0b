import { sourcesMessage } from '../../blocks/sources.js';
import { LinearStandIn, MAX_COMPLEXITY } from '../../dev/linear/server.js';
import { INLINE_HISTORY, ISSUES_PAGE } from '../../src/connectors/linear/client.js';
import { createLinearClient, syncLinear } from '../../src/connectors/linear/sync.js';
import { personBy } from '../../src/identity/store.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { linearSyncJobs } from '../../src/sync/jobs.js';
import { linearSourceSchema } from '../../src/sync/sources.js';
import { listSyncStatus, scopeHealth } from '../../src/sync/status-store.js';
import { getCursor, setCursor } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

describeEachEngine('Linear sync against the Linear GraphQL stand-in', ({ freshDb }) => {
  let linear: LinearStandIn;
  beforeEach(async () => {
    linear = await new LinearStandIn().start();
  });
  afterEach(() => linear.stop());

  const run = (db: Db, apiKey = linear.apiKey) =>
    syncLinear({
      db,
      logger,
      client: createLinearClient({ apiKey, apiUrl: linear.url }),
      teams: ['APP'],
      backfillSince: new Date(Date.now() - 86_400_000),
    });
  const items = async (db: Db) =>
    (
      await db.query<{
        key: string;
        status: string;
        status_category: string;
        points: number | null;
        sprint_ids: string[];
      }>("SELECT key, status, status_category, points, sprint_ids FROM work_items WHERE source = 'linear' ORDER BY key")
    ).rows;

  test('issues with state history, estimates and cycles are stored; the next poll reads only changes', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 130; i += 1) {
      linear.addIssue({
        identifier: `APP-${i}`,
        title: `Issue ${i}`,
        estimate: 2,
        cycleId: 'cyc-1',
        assignee: { id: 'u-raj', email: 'raj@acme.dev', name: 'Raj' },
        updatedAt: new Date(Date.now() - 3_600_000 + i).toISOString(),
      });
    }
    linear.addIssue({ identifier: 'OPS-1', title: 'other team' });
    linear.cycles.push({
      team: 'APP',
      id: 'cyc-1',
      number: 12,
      startsAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 9 * 86_400_000).toISOString(),
      completedAt: null,
    });
    linear.move('APP-1', { name: 'In Progress', type: 'started' });
    expect(await run(db)).toEqual({ issues: 130, cycles: 1, projects: 0, rejected: 0, lastSkip: null });
    expect((await items(db)).find((r) => r.key === 'APP-1')).toEqual({
      key: 'APP-1',
      status: 'In Progress',
      status_category: 'indeterminate',
      points: 2,
      sprint_ids: ['cyc-1'],
    });
    expect(
      (await db.query<{ state: string; name: string }>("SELECT state, name FROM sprints WHERE source = 'linear'")).rows,
    ).toEqual([{ state: 'active', name: 'Cycle 12' }]);
    expect(await personBy(db, 'linear', 'u-raj')).toMatchObject({ email: 'raj@acme.dev' });

    linear.move('APP-7', { name: 'Done', type: 'completed' });
    const next = await run(db);
    expect(next.issues).toBe(2); // APP-7, and APP-1 (the cursor's own issue, re-read harmlessly)
    expect((await items(db)).find((r) => r.key === 'APP-7')).toMatchObject({ status: 'Done', status_category: 'done' });
  });

  test('a team with more than 50 cycles (weekly for over a year) still gets its current cycle', async () => {
    const db = await freshDb();
    const week = 7 * 86_400_000;
    const weeksAgo = (n: number) => new Date(Date.now() - n * week).toISOString();
    for (let n = 60; n >= 1; n -= 1)
      linear.cycles.push({
        team: 'APP',
        id: `old-${n}`,
        number: 61 - n,
        startsAt: weeksAgo(n + 1),
        endsAt: weeksAgo(n),
        completedAt: weeksAgo(n),
      });
    linear.cycles.push({
      team: 'APP',
      id: 'current',
      number: 61,
      startsAt: weeksAgo(1),
      endsAt: weeksAgo(-0.5),
      completedAt: null,
    });
    await syncLinear({
      db,
      logger,
      client: createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url }),
      teams: ['APP'],
      backfillSince: new Date(Date.now() - 90 * 86_400_000),
    });
    const active = await db.query<{ name: string }>(
      "SELECT name FROM sprints WHERE source = 'linear' AND state = 'active'",
    );
    expect(active.rows).toEqual([{ name: 'Cycle 61' }]);
  });

  test('an issue updated mid-pass after its page was read is read again by the next pass', async () => {
    const db = await freshDb();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    for (let i = 1; i <= 150; i += 1)
      linear.addIssue({ identifier: `APP-${i}`, title: `Issue ${i}`, updatedAt: hourAgo });
    let pages = 0;
    // While the first pass reads its second page: APP-1 (first page, read) is done, then APP-150 (second page) starts.
    const heartbeat = async () => {
      pages += 1;
      if (pages !== 1) return;
      linear.move('APP-1', { name: 'Done', type: 'completed' }, new Date(Date.now()).toISOString());
      linear.move('APP-150', { name: 'In Progress', type: 'started' }, new Date(Date.now() + 1000).toISOString());
    };
    const client = createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url });
    const backfillSince = new Date(Date.now() - 86_400_000);
    await syncLinear({ db, logger, client, teams: ['APP'], backfillSince, heartbeat });
    const status = async (key: string) => (await items(db)).find((r) => r.key === key)?.status;
    expect(await status('APP-1')).toBe('Todo');
    expect(await status('APP-150')).toBe('In Progress');
    await syncLinear({ db, logger, client, teams: ['APP'], backfillSince });
    expect(await status('APP-1')).toBe('Done');
  });

  test('a pass cut short by a stop goes on from its next page; what changed meanwhile is read by the pass after', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 250; i += 1) {
      const updatedAt = new Date(Date.now() - 3_600_000 + i).toISOString();
      linear.addIssue({ identifier: `APP-${i}`, title: `Issue ${i}`, updatedAt });
    }
    const client = createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url });
    const backfillSince = new Date(Date.now() - 86_400_000);
    const stopping = new AbortController();
    // The process begins to stop while the first page is stored (its heartbeat).
    const heartbeat = async () => stopping.abort(new StoppingError());
    await expect(
      syncLinear({ db, logger, client, teams: ['APP'], backfillSince, heartbeat, signal: stopping.signal }),
    ).rejects.toBeInstanceOf(StoppingError);
    expect(await items(db)).toHaveLength(ISSUES_PAGE);

    // While it was stopped, APP-2 (read) is done.
    linear.move('APP-2', { name: 'Done', type: 'completed' });
    const resumed = await syncLinear({ db, logger, client, teams: ['APP'], backfillSince });
    expect(resumed.issues).toBe(250 - ISSUES_PAGE); // the pages after the first only
    expect(await items(db)).toHaveLength(250);
    const next = await syncLinear({ db, logger, client, teams: ['APP'], backfillSince });
    expect(next.issues).toBe(2); // APP-2, and APP-250 (the cursor's own issue, re-read harmlessly)
    expect((await items(db)).find((r) => r.key === 'APP-2')?.status).toBe('Done');
  });

  test('a kept page Linear refuses fails one run only; the next reads the pass from its start', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 150; i += 1) linear.addIssue({ identifier: `APP-${i}`, title: `Issue ${i}` });
    const client = createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url });
    const backfillSince = new Date(Date.now() - 86_400_000);
    const stopping = new AbortController();
    const heartbeat = async () => stopping.abort(new StoppingError());
    await expect(
      syncLinear({ db, logger, client, teams: ['APP'], backfillSince, heartbeat, signal: stopping.signal }),
    ).rejects.toBeInstanceOf(StoppingError);
    const kept = await getCursor<{ pass: { after: string } }>(db, 'linear', 'APP');
    await setCursor(db, 'linear', 'APP', { ...kept, pass: { ...kept?.pass, after: 'not a cursor' } });
    await expect(syncLinear({ db, logger, client, teams: ['APP'], backfillSince })).rejects.toThrow(/cursor/i);
    expect((await syncLinear({ db, logger, client, teams: ['APP'], backfillSince })).issues).toBe(150);
  });

  test('rate limiting is waited out; a wrong API key fails at once', async () => {
    const db = await freshDb();
    linear.addIssue({ identifier: 'APP-1', title: 'one' });
    linear.rateLimitNextRequests(1);
    const started = Date.now();
    expect((await run(db)).issues).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const calls = linear.calls.length;
    await expect(run(db, 'lin_api_wrong')).rejects.toThrow(/authenticat/i);
    expect(linear.calls.length).toBe(calls + 1);
  });

  // Linear answers a used-up budget with HTTP 400 and `RATELIMITED` in the error's extensions (no 429, no
  // Retry-After); until 2026-12-08 that failed the run at once as a client error, shown as the vendor's text.
  test('a used-up complexity budget (400 RATELIMITED) is waited out until its reset; past the retries it says so', async () => {
    const db = await freshDb();
    linear.addIssue({ identifier: 'APP-1', title: 'one' });
    linear.rateLimitNextRequests(1, { budget: 'complexity', resetInMs: 2500 });
    const started = Date.now();
    expect((await run(db)).issues).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(linear.calls.filter((c) => c.status === 400)).toHaveLength(1);

    linear.rateLimitNextRequests(5, { resetInMs: 200 });
    const job = linearSyncJobs(linearSourceSchema.parse({ teams: ['APP'] }), {
      apiKey: linear.apiKey,
      apiUrl: linear.url,
    })[0]!;
    await job.run({ db, logger, touch: async () => {}, signal: new AbortController().signal } as never, {} as never);
    const status = (await listSyncStatus(db)).find((s) => s.source === 'linear');
    expect(status?.lastError).toBe('rate-limited (429) past the retries; it will be retried with back-off');
    expect(visibleText(sourcesMessage(await listSyncStatus(db), ['linear']))).toContain('rate-limited (429)');
  });

  // Linear counts a query's complexity before running it and refuses one above 10,000 points; until 2026-12-08 the
  // issues query cost about 37,000 and the cycles query about 18,000, so no sync ran against Linear itself.
  test('every query stays within the complexity Linear allows; a busy issue has its whole history', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 2 * ISSUES_PAGE + 5; i += 1) linear.addIssue({ identifier: `APP-${i}`, title: `Issue ${i}` });
    const busy = 3 * INLINE_HISTORY + 4;
    const start = Date.now() - 3_600_000;
    for (let n = 0; n < busy; n += 1)
      linear.move(
        'APP-3',
        { name: n % 2 ? 'Todo' : 'In Progress', type: n % 2 ? 'unstarted' : 'started' },
        new Date(start + n * 60_000).toISOString(),
      );
    linear.cycles.push({
      team: 'APP',
      id: 'cyc-1',
      number: 1,
      startsAt: new Date(Date.now() - 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      completedAt: null,
    });
    const result = await run(db);
    expect(result).toMatchObject({ issues: 2 * ISSUES_PAGE + 5, cycles: 1, rejected: 0 });
    expect(linear.calls.every((c) => c.status === 200)).toBe(true);
    expect(Math.max(...linear.complexities.map((c) => c.complexity))).toBeLessThanOrEqual(MAX_COMPLEXITY);
    const changes = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM work_item_changes WHERE source = 'linear' AND key = 'APP-3'",
    );
    expect(changes.rows[0]?.n).toBe(busy);
  });

  // Linear gives an issue moved to another team a new identifier; until 2026-12-08 the old one stayed beside it.
  test('an issue moved between two synced teams is one work item, under its new identifier', async () => {
    const db = await freshDb();
    const both = () =>
      syncLinear({
        db,
        logger,
        client: createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url }),
        teams: ['APP', 'OPS'],
        backfillSince: new Date(Date.now() - 86_400_000),
      });
    linear.addIssue({ identifier: 'APP-1', title: 'stays' });
    linear.addIssue({ identifier: 'APP-2', title: 'moves' });
    linear.move('APP-2', { name: 'In Progress', type: 'started' });
    await both();
    expect(linear.moveToTeam('APP-2', 'OPS')).toBe('OPS-1');
    await both();
    expect((await items(db)).map((i) => [i.key, i.status])).toEqual([
      ['APP-1', 'Todo'],
      ['OPS-1', 'In Progress'],
    ]);
  });

  test('projects are stored and issues point at theirs; an issue labelled incident is an incident', async () => {
    const db = await freshDb();
    linear.projects.push({
      team: 'APP',
      id: 'proj-1',
      name: 'Checkout v2',
      state: 'started',
      progress: 0.4,
      targetDate: '2026-12-15',
      updatedAt: new Date().toISOString(),
      lead: { id: 'u-maya', email: 'maya@acme.dev', name: 'Maya' },
    });
    linear.addIssue({ identifier: 'APP-1', title: 'Pay button', projectId: 'proj-1' });
    linear.addIssue({ identifier: 'APP-2', title: 'Payments down in EU', labels: ['Incident'] });
    const [job] = linearSyncJobs(
      linearSourceSchema.parse({ teams: ['APP'] }),
      { apiKey: linear.apiKey, apiUrl: linear.url },
      { labels: ['incident'] },
    );
    await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
    const project = await db.query<{ name: string; lead: string; progress: number; target_date: Date }>(
      "SELECT name, lead, progress, target_date FROM projects WHERE source = 'linear'",
    );
    expect(project.rows).toEqual([
      { name: 'Checkout v2', lead: 'u-maya', progress: 0.4, target_date: expect.any(Date) },
    ]);
    const item = await db.query<{ project_id: string }>("SELECT project_id FROM work_items WHERE key = 'APP-1'");
    expect(item.rows[0]?.project_id).toBe('proj-1');
    const incidents = await db.query<{ external_id: string; status: string }>(
      "SELECT external_id, status FROM incidents WHERE source = 'linear'",
    );
    expect(incidents.rows).toEqual([{ external_id: 'APP-2', status: 'open' }]);
  });

  test('a malformed issue or cycle is rejected alone, named by its field in /em sources and /ready', async () => {
    const db = await freshDb();
    const day = 86_400_000;
    linear.addIssue({ identifier: 'APP-1', title: 'Fine', estimate: 3, cycleId: 'cyc-ok' });
    // Linear's DateTime is a custom scalar, so a broken value reaches the client as it is.
    linear.addIssue({ identifier: 'APP-2', title: 'Created is a number', createdAt: 42 as never });
    linear.addIssue({ identifier: 'APP-3', title: 'No estimate, no assignee, no cycle' }); // nulls Linear allows
    linear.cycles.push(
      {
        team: 'APP',
        id: 'cyc-bad',
        number: 11,
        startsAt: 42 as never,
        endsAt: new Date(Date.now() - day).toISOString(),
        completedAt: null,
      },
      {
        team: 'APP',
        id: 'cyc-ok',
        number: 12,
        startsAt: new Date(Date.now() - 5 * day).toISOString(),
        endsAt: new Date(Date.now() + 9 * day).toISOString(),
        completedAt: null,
      },
    );
    const [job] = linearSyncJobs(linearSourceSchema.parse({ teams: ['APP'] }), {
      apiKey: linear.apiKey,
      apiUrl: linear.url,
    });
    await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
    expect((await items(db)).map((i) => i.key)).toEqual(['APP-1', 'APP-3']);
    const sprints = await db.query<{ id: string }>("SELECT id FROM sprints WHERE source = 'linear'");
    expect(sprints.rows).toEqual([{ id: 'cyc-ok' }]);
    const app = (await listSyncStatus(db)).find((s) => s.source === 'linear');
    expect(app).toMatchObject({ recordsRejected: 2, lastError: null });
    expect(scopeHealth(app!)).toBe(
      'ok, 2 malformed records skipped (last: cycle cyc-bad: startsAt: Invalid input: expected string, received number)',
    );
    const shown = visibleText(sourcesMessage(await listSyncStatus(db), ['linear']));
    expect(shown).toContain('2 malformed records skipped (last: cycle cyc-bad: startsAt:');
  });
});
