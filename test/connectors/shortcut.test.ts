import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ShortcutStandIn } from '../../dev/shortcut/server.js';
import { createShortcutClient, syncShortcut } from '../../src/connectors/shortcut/sync.js';
import { personBy, recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildStandup } from '../../src/reports/standup.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { shortcutSyncJobs } from '../../src/sync/jobs.js';
import { parseSources, shortcutSourceSchema } from '../../src/sync/sources.js';
import { listSyncStatus } from '../../src/sync/status-store.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');
const HOUR = 3_600_000;

describeEachEngine('Shortcut sync against the Shortcut REST v3 stand-in', ({ freshDb }) => {
  let shortcut: ShortcutStandIn;
  beforeEach(async () => {
    shortcut = await new ShortcutStandIn().start();
  });
  afterEach(() => shortcut.stop());

  const run = (db: Db, token = shortcut.token) =>
    syncShortcut({
      db,
      logger,
      client: createShortcutClient({ token, apiUrl: shortcut.url }),
      teams: ['mobile'],
      backfillSince: new Date(Date.now() - 7 * 86_400_000),
    });
  const items = async (db: Db) =>
    (
      await db.query<{
        key: string;
        project: string;
        type: string;
        status: string;
        status_category: string;
        points: number | null;
        sprint_ids: string[];
        labels: string[];
        assignee: string | null;
        project_id: string | null;
      }>(
        `SELECT key, project, type, status, status_category, points, sprint_ids, labels, assignee, project_id
           FROM work_items WHERE source = 'shortcut' ORDER BY length(key), key`,
      )
    ).rows;
  const historyReads = () => shortcut.requests.filter((r) => /^\/api\/v3\/stories\/\d+\/history$/.test(r.path));

  test('stories with state history, estimates, iterations, epics and labels; the next poll reads only changes', async () => {
    const db = await freshDb();
    const raj = shortcut.addMember({ mention: 'raj', name: 'Raj Patel', email: 'raj@acme.dev' });
    shortcut.addTeam('mobile', 'Mobile');
    shortcut.addTeam('web', 'Web');
    shortcut.iterations.push(
      {
        id: 7,
        name: 'Mobile 7',
        status: 'started',
        start_date: '2026-11-23',
        end_date: '2026-12-04',
        teams: ['mobile'],
      },
      { id: 8, name: 'Web 8', status: 'started', start_date: '2026-11-23', end_date: '2026-12-04', teams: ['web'] },
    );
    shortcut.epics.push({
      id: 30,
      name: 'Offline mode',
      state: 'in progress',
      team: 'mobile',
      ownerId: raj.id,
      deadline: '2026-12-20T00:00:00Z',
      points: 20,
      pointsDone: 5,
      updated_at: new Date().toISOString(),
    });
    // 60 stories: more than two search pages of 25.
    for (let i = 1; i <= 60; i += 1)
      shortcut.addStory({
        id: i,
        name: `Story ${i}`,
        team: 'mobile',
        estimate: 2,
        iterationId: 7,
        epicId: 30,
        ownerIds: [raj.id],
        labels: i === 3 ? ['blocked', 'ios'] : [],
        updatedAt: new Date(Date.now() - 2 * HOUR + i * 1000).toISOString(),
      });
    shortcut.addStory({ id: 500, name: 'other team', team: 'web' });
    shortcut.move(1, 'In Progress', undefined, raj.id);
    shortcut.setEstimate(1, 3, undefined, raj.id);

    expect(await run(db)).toEqual({ stories: 60, sprints: 1, epics: 1, rejected: 0, lastSkip: null });
    // Search pages: 25 + 25 + 10, each story's history read once.
    expect(shortcut.requests.filter((r) => r.path === '/api/v3/search/stories')).toHaveLength(3);
    expect(historyReads()).toHaveLength(60);
    expect((await items(db))[0]).toEqual({
      key: 'SC-1',
      project: 'mobile',
      type: 'feature',
      status: 'In Progress',
      status_category: 'indeterminate',
      points: 3,
      sprint_ids: ['7'],
      labels: [],
      assignee: raj.id,
      project_id: '30',
    });
    expect((await items(db))[2]?.labels).toEqual(['blocked', 'ios']);
    const changes = await db.query<{ field: string; from_value: string | null; to_value: string; author: string }>(
      "SELECT field, from_value, to_value, author FROM work_item_changes WHERE source = 'shortcut' AND key = 'SC-1' ORDER BY changed_at",
    );
    expect(changes.rows).toEqual([
      { field: 'status', from_value: 'To Do', to_value: 'In Progress', author: raj.id },
      { field: 'points', from_value: '2', to_value: '3', author: raj.id },
    ]);
    const sprints = await db.query(
      "SELECT id, board, name, state, start_at, end_at FROM sprints WHERE source = 'shortcut'",
    );
    // Iteration dates are whole days: 23 Nov 00:00 to the end of 4 Dec (5 Dec 00:00), UTC.
    expect(sprints.rows).toEqual([
      {
        id: '7',
        board: 'mobile',
        name: 'Mobile 7',
        state: 'active',
        start_at: new Date('2026-11-23T00:00:00Z'),
        end_at: new Date('2026-12-05T00:00:00Z'),
      },
    ]);
    const epics = await db.query("SELECT id, team, name, lead, progress FROM projects WHERE source = 'shortcut'");
    // 5 of 20 points done.
    expect(epics.rows).toEqual([{ id: '30', team: 'mobile', name: 'Offline mode', lead: raj.id, progress: 0.25 }]);
    expect(await personBy(db, 'shortcut', raj.id)).toMatchObject({ email: 'raj@acme.dev', displayName: 'Raj Patel' });

    // Incremental: two stories change; the next poll searches from the cursor's day and reads only their history.
    shortcut.requests.length = 0;
    shortcut.move(7, 'Done', undefined, raj.id);
    shortcut.setIteration(9, null, undefined, raj.id);
    const next = await run(db);
    expect(next).toMatchObject({ stories: 2, rejected: 0 });
    expect(historyReads().map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/v3/stories/7/history', '/api/v3/stories/9/history']),
    );
    expect(historyReads()).toHaveLength(2);
    const query = shortcut.requests.find((r) => r.path === '/api/v3/search/stories')?.query.get('query');
    expect(query).toMatch(/^team:mobile updated:\d{4}-\d{2}-\d{2}\.\.\*$/);
    const after = await items(db);
    expect(after.find((r) => r.key === 'SC-7')).toMatchObject({ status: 'Done', status_category: 'done' });
    expect(after.find((r) => r.key === 'SC-9')).toMatchObject({ sprint_ids: [] });
    // Nothing changed: a poll reads no history at all.
    shortcut.requests.length = 0;
    expect((await run(db)).stories).toBe(0);
    expect(historyReads()).toHaveLength(0);
  });

  test('a 429 is waited out for its Retry-After; a wrong token fails at once, named in /em sources', async () => {
    const db = await freshDb();
    shortcut.addStory({ id: 1, name: 'one', team: 'mobile' });
    shortcut.failNext(/\/search\/stories/, 429, { retryAfter: 1 });
    const started = Date.now();
    expect((await run(db)).stories).toBe(1);
    const searches = shortcut.requests.filter((r) => r.path === '/api/v3/search/stories');
    expect(searches.map((r) => r.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    const calls = shortcut.requests.length;
    await expect(run(db, 'wrong-token')).rejects.toThrow(/401/);
    expect(shortcut.requests.length).toBe(calls + 1);
    const [job] = shortcutSyncJobs(shortcutSourceSchema.parse({ teams: ['mobile'] }), {
      token: 'wrong-token',
      apiUrl: shortcut.url,
    });
    await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
    const status = (await listSyncStatus(db)).find((s) => s.source === 'shortcut');
    expect(status?.lastError).toBe('authentication failed (401): check the credentials');
  });

  test('a story labelled incident is an incident; a team Shortcut does not have is named', async () => {
    const db = await freshDb();
    shortcut.addStory({ id: 1, name: 'Push notifications down', team: 'mobile', labels: ['Incident'] });
    shortcut.addStory({ id: 2, name: 'Dark mode', team: 'mobile' });
    const sources = parseSources('shortcut:\n  teams: [mobile]\n');
    expect(sources.incidents.shortcut).toEqual({ labels: ['incident'] });
    const [job] = shortcutSyncJobs(
      sources.shortcut!,
      { token: shortcut.token, apiUrl: shortcut.url },
      sources.incidents.shortcut,
    );
    await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
    const incidents = await db.query<{ external_id: string; status: string; scope: string }>(
      "SELECT external_id, status, scope FROM incidents WHERE source = 'shortcut'",
    );
    expect(incidents.rows).toEqual([{ external_id: 'SC-1', status: 'open', scope: 'mobile' }]);

    shortcut.move(1, 'Done');
    await job!.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
    const resolved = await db.query<{ status: string }>("SELECT status FROM incidents WHERE external_id = 'SC-1'");
    expect(resolved.rows).toEqual([{ status: 'resolved' }]);

    await expect(
      syncShortcut({
        db,
        logger,
        client: createShortcutClient({ token: shortcut.token, apiUrl: shortcut.url }),
        teams: ['platform'],
        backfillSince: new Date(0),
      }),
    ).rejects.toThrow('Shortcut has no team with mention name platform');
  });

  test("sources.yml's people, recorded at start-up before any sync, are linked to Shortcut members by e-mail", async () => {
    const db = await freshDb();
    // As the app starts: the hand-written people entries are recorded first (manual), then the sync runs.
    const sources = parseSources(
      [
        'shortcut:',
        '  teams: [mobile]',
        'people:',
        '  - { email: tom@acme.dev, slack: U0TOM, github: tom, jira: acc-tom }',
        '  - { email: raj@acme.dev, slack: U0RAJ }',
      ].join('\n'),
    );
    for (const person of sources.people) await recordIdentity(db, { ...person, displayName: person.name }, true);
    const tom = shortcut.addMember({ mention: 'tom', name: 'Tom Berg', email: 'Tom@Acme.dev' });
    const raj = shortcut.addMember({ mention: 'raj', name: 'Raj Patel', email: 'raj@acme.dev' });
    // E-mail hidden from the token's owner: a person of their own, shown by display name.
    const kim = shortcut.addMember({ mention: 'kim', name: 'Kim Park', email: null });
    const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
    shortcut.addStory({ id: 302, name: 'Push opt-in screen', team: 'mobile', ownerIds: [tom.id] });
    shortcut.move(302, 'QA', hoursAgo(3), tom.id);
    shortcut.addStory({ id: 303, name: 'Crash on rotate', team: 'mobile', ownerIds: [tom.id] });
    shortcut.move(303, 'Done', hoursAgo(2), tom.id);
    shortcut.addStory({ id: 304, name: 'Offline cart', team: 'mobile', ownerIds: [raj.id] });
    shortcut.move(304, 'In Progress', hoursAgo(2), raj.id);
    shortcut.addStory({ id: 305, name: 'Tablet layout', team: 'mobile', ownerIds: [kim.id] });
    shortcut.move(305, 'In Progress', hoursAgo(1), kim.id);
    await run(db);

    expect(await personBy(db, 'shortcut', tom.id)).toMatchObject({
      email: 'tom@acme.dev',
      slack: 'U0TOM',
      github: 'tom',
      jira: 'acc-tom',
    });
    expect(await personBy(db, 'shortcut', raj.id)).toMatchObject({ email: 'raj@acme.dev', slack: 'U0RAJ' });
    expect(await personBy(db, 'shortcut', kim.id)).toMatchObject({ email: null, displayName: 'Kim Park', slack: null });
    expect((await db.query('SELECT id FROM people')).rowCount).toBe(3);

    // The standup shows each of them once, by Slack user (or display name), never by a member id.
    const standup = await buildStandup(db, { hours: 24 });
    expect(
      standup.people.map((p) => ({ who: p.who, slack: p.slack, moved: p.moved.map((m) => `${m.key} → ${m.to}`) })),
    ).toEqual([
      { who: 'tom', slack: 'U0TOM', moved: expect.arrayContaining(['SC-302 → QA', 'SC-303 → Done']) },
      { who: 'Kim Park', slack: null, moved: ['SC-305 → In Progress'] },
      { who: 'Raj Patel', slack: 'U0RAJ', moved: ['SC-304 → In Progress'] },
    ]);
  });

  test('aging_blocked fires on a Shortcut story blocked 4 days, aimed at its owner, who is a Slack user by e-mail', async () => {
    const db = await freshDb();
    const sam = shortcut.addMember({ mention: 'sam', name: 'Sam Lee', email: 'sam@acme.dev' });
    const day = 86_400_000;
    shortcut.addStory({
      id: 1,
      name: 'Waiting on Apple review',
      team: 'mobile',
      ownerIds: [sam.id],
      createdAt: new Date(Date.now() - 10 * day).toISOString(),
      updatedAt: new Date(Date.now() - 10 * day).toISOString(),
    });
    shortcut.move(1, 'Blocked', new Date(Date.now() - 4 * day).toISOString(), sam.id);
    shortcut.addStory({ id: 2, name: 'Blocked only since yesterday', team: 'mobile', ownerIds: [sam.id] });
    shortcut.move(2, 'Blocked', new Date(Date.now() - day).toISOString(), sam.id);
    await run(db);
    // sources.yml's people entry links the e-mail to Slack; the sync linked the Shortcut member by the same e-mail.
    await recordIdentity(db, { email: 'sam@acme.dev', slack: 'U0SAM' }, true);
    expect((await personBy(db, 'shortcut', sam.id))?.slack).toBe('U0SAM');

    const dir = mkdtempSync(path.join(tmpdir(), 'em-rules-'));
    try {
      writeFileSync(path.join(dir, 'rules.yml'), '- { name: blocked, kind: aging_blocked, older_than_days: 3 }\n');
      const engine = new SignalEngine({ db, logger, rules: new RuleBook(dir) });
      const [result] = await engine.evaluate({ all: true, now: new Date() });
      expect(result).toMatchObject({ findings: 1, opened: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const signals = await db.query<{ subject: string; title: string; target: unknown }>(
      "SELECT subject, title, target FROM signals WHERE status = 'open'",
    );
    // Blocked since the move 4 days ago (not since the story was created 10 days ago); SC-2 only 1 day.
    expect(signals.rows).toEqual([
      {
        subject: 'ticket:shortcut:SC-1',
        title: 'SC-1 "Waiting on Apple review" has been blocked for 4 days',
        target: { ticket: { source: 'shortcut', key: 'SC-1' }, assignee: { source: 'shortcut', id: sam.id } },
      },
    ]);
  });
});
