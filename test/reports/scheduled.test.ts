import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { standupSyntax } from '../../src/reports/args.js';
import { dueSlots, scheduledReportsJob } from '../../src/reports/jobs.js';
import { standupCommand } from '../../src/reports/listeners.js';
import { loadSchedules, schedulesSchema } from '../../src/reports/schedules.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/postgres.js';
import { YamlFileError } from '../../src/yaml-file.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const berlin = { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], holidays: ['2026-12-24'] };

describe('when scheduled reports are due', () => {
  test('local times in the team time zone, working days only, holidays skipped, late slots caught up for 6 h', () => {
    // Wednesday 2026-11-25 08:31 UTC = 09:31 in Berlin
    expect(dueSlots(new Date('2026-11-25T08:31:00Z'), berlin, ['09:30', '16:00'])).toEqual([
      { date: '2026-11-25', time: '09:30' },
    ]);
    expect(dueSlots(new Date('2026-11-25T08:29:00Z'), berlin, ['09:30'])).toEqual([]); // 09:29 local
    expect(dueSlots(new Date('2026-11-25T15:05:00Z'), berlin, ['09:30', '16:00'])).toEqual([
      { date: '2026-11-25', time: '16:00' }, // 09:30 is 6.6 h late: skipped
    ]);
    expect(dueSlots(new Date('2026-11-28T08:31:00Z'), berlin, ['09:30'])).toEqual([]); // Saturday
    expect(dueSlots(new Date('2026-12-24T08:31:00Z'), berlin, ['09:30'])).toEqual([]); // a holiday
  });

  test('a late slot is caught up across midnight, on the day it belonged to', () => {
    // Wednesday 23:59 UTC, checked at 00:00:30 on Thursday.
    const utc = { timezone: 'UTC', days: [1, 2, 3, 4, 5], holidays: [] };
    expect(dueSlots(new Date('2026-11-26T00:00:30Z'), utc, ['23:59'])).toEqual([{ date: '2026-11-25', time: '23:59' }]);
    // Friday 22:00 Berlin is still due at 01:30 on Saturday (5.5 h), no longer at 04:01 (6 h 1 min).
    expect(dueSlots(new Date('2026-11-28T00:30:00Z'), berlin, ['22:00'])).toEqual([
      { date: '2026-11-27', time: '22:00' },
    ]);
    expect(dueSlots(new Date('2026-11-28T03:01:00Z'), berlin, ['22:00'])).toEqual([]);
    // Sunday 23:30 is not a working day, so Monday 00:10 owes nothing; Monday's own 09:30 is not due yet.
    expect(dueSlots(new Date('2026-11-29T23:10:00Z'), berlin, ['23:30', '09:30'])).toEqual([]);
  });

  test('local times follow DST changes, and no slot is skipped or repeated on the change days', () => {
    const newYork = { timezone: 'America/New_York', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    // 09:30 in New York is 13:30 UTC in summer time (Friday 2026-10-30) and 14:30 UTC after the change (Monday 2026-11-02).
    expect(dueSlots(new Date('2026-10-30T13:31:00Z'), newYork, ['09:30'])).toEqual([
      { date: '2026-10-30', time: '09:30' },
    ]);
    expect(dueSlots(new Date('2026-11-02T13:31:00Z'), newYork, ['09:30'])).toEqual([]);
    expect(dueSlots(new Date('2026-11-02T14:31:00Z'), newYork, ['09:30'])).toEqual([
      { date: '2026-11-02', time: '09:30' },
    ]);

    // Each minute of the 25-hour and the 23-hour Berlin days: every slot is due from its local time on, and its
    // first due minute comes exactly once. 02:30 does not exist on 2026-03-29 and is due from 03:30 CEST.
    const everyDay = { ...berlin, days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    const firstDue = (fromUtc: string, toUtc: string, time: string): string[] => {
      const firsts: string[] = [];
      let before = new Set<string>();
      for (let t = Date.parse(fromUtc); t <= Date.parse(toUtc); t += 60_000) {
        const now = new Set(dueSlots(new Date(t), everyDay, [time]).map((s) => s.date));
        for (const date of now) if (!before.has(date)) firsts.push(`${date} ${new Date(t).toISOString()}`);
        before = now;
      }
      return firsts;
    };
    expect(firstDue('2026-03-28T22:00:00Z', '2026-03-29T06:00:00Z', '02:30')).toEqual([
      '2026-03-29 2026-03-29T01:30:00.000Z', // 03:30 CEST
    ]);
    expect(firstDue('2026-10-24T22:00:00Z', '2026-10-25T06:00:00Z', '02:30')).toEqual([
      '2026-10-25 2026-10-25T01:30:00.000Z', // 02:30 happens twice; due once (from the second, CET, as Luxon resolves it)
    ]);
    expect(firstDue('2026-10-24T14:00:00Z', '2026-10-25T12:00:00Z', '09:30')).toEqual([
      '2026-10-25 2026-10-25T08:30:00.000Z', // 09:30 CET, one hour later in UTC than the day before
    ]);
  });

  test('reports.yml is validated with file and line; a missing file schedules nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'em-reports-'));
    try {
      const file = path.join(dir, 'reports.yml');
      expect(loadSchedules(file)).toEqual(schedulesSchema.parse({}));
      writeFileSync(file, 'standups:\n  - team: web\n    channel: "#web"\n    times: ["9:30"]\n');
      expect(() => loadSchedules(file)).toThrow(YamlFileError);
      expect(() => loadSchedules(file)).toThrow(`${file}:4: standups.0.times.0: must be a local time such as 09:30`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scheduled standups, digests and sprint reports (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ register: (commands) => commands.registerOwn(standupSyntax, standupCommand()) });
    await recordIdentity(h.db, { email: 'alice@acme.dev', github: 'alice', slack: h.users.alice }, true);
    // Fixture times are relative to NOW (Wednesday 2026-11-25 12:00 UTC); the job's clock is set just past midnight.
    await pr(h.db, { number: 1, ageHours: 30, author: 'alice', state: 'merged', mergedHoursAgo: 2 });
    await pr(h.db, { number: 2, ageHours: 3, author: 'alice' });
    await h.db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '9', '1', 'Sprint 9', 'active', '2026-11-19T09:00:00Z', '2026-11-30T17:00:00Z')",
    );
    await h.db.query(
      `INSERT INTO work_items (source, key, project, title, status, status_category, points, sprint_ids, created_at, updated_at)
       VALUES ('jira', 'ENG-1', 'ENG', 'One', 'To Do', 'new', 3, ARRAY['9'], '2026-11-17T09:00:00Z', '2026-11-25T09:00:00Z')`,
    );
  });
  afterAll(() => h.stop());

  test('a slot due at 23:59 is posted once when the job first runs after midnight, however many runs (or replicas) race; entries feed /em standup history', async () => {
    const job = scheduledReportsJob({
      schedules: schedulesSchema.parse({
        standups: [{ team: 'web', channel: '#eng', times: ['23:59'], calendar: { timezone: 'UTC', days: [3] } }],
        weekly_digest: { day: 3, time: '23:59', timezone: 'UTC' }, // Wednesday
        sprint: { channel: '#eng', at: ['midpoint'] },
      }),
      slack: () => h.bot.app.client,
      logger: createLogger('silent'),
      clock: () => new Date('2026-11-26T00:00:30Z'), // Thursday, 90 s after the Wednesday slot
    });
    const ctx = {
      db: h.db,
      logger: createLogger('silent'),
      touch: async () => {},
      signal: new AbortController().signal,
    };
    await Promise.all([job.run(ctx, {}), job.run(ctx, {}), job.run(ctx, {})]);
    await h.emulator.settle();
    const posted = h.emulator.messagesIn(h.channels.eng);
    expect(posted.filter((m) => visibleText(m).includes('*Standup*'))).toHaveLength(1);
    const sprint = posted.filter((m) => visibleText(m).includes('Sprint health'));
    expect(sprint).toHaveLength(1);
    expect(JSON.stringify(sprint[0]?.blocks)).toContain('slack_file'); // with its burndown
    const digest = h.emulator.messagesIn(h.emulator.workspace.imWith(h.users.alice).id);
    expect(digest.filter((m) => m.text === 'Your week')).toHaveLength(1);

    await h.emulator.command({
      user: h.users.bob,
      channel: h.channels.eng,
      text: `standup history <@${h.users.alice}|alice>`,
    });
    const history = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.bob).find((e) => visibleText(e).includes('Standup history')),
    );
    expect(visibleText(history)).toContain('merged acme/api#1; opened acme/api#2');
    // Searchable: a word of the line finds it; a word of none of alice's lines finds nothing.
    await h.emulator.command({
      user: h.users.alice,
      channel: h.channels.eng,
      text: `standup history <@${h.users.alice}|alice> merged`,
    });
    await h.emulator.waitFor(() =>
      h.emulator
        .ephemeralsFor(h.users.alice)
        .find((e) => visibleText(e).includes('Standup history') && visibleText(e).includes('merged acme/api#1')),
    );
    await h.emulator.command({
      user: h.users.bob,
      channel: h.channels.eng,
      text: `standup history <@${h.users.alice}|alice> blocked`,
    });
    await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.bob).find((e) => visibleText(e).includes('No posted standups mention them yet')),
    );
  });
});

const onServer = serverUp ? describe : describe.skip;
if (!serverUp)
  console.warn(`!!! SKIPPED: the scheduled-report replica race — no PostgreSQL server at ${SERVER_URL} !!!`);
onServer('scheduled reports on two replicas sharing the PostgreSQL server', () => {
  test('twenty runs spread over two replicas, each with its own connection pool, post a due standup once', async () => {
    const emulator = await new SlackEmulator().start();
    const eng = emulator.workspace.addChannel('eng', { members: [emulator.workspace.botUserId] }).id;
    const schema = uniqueSchema('sched');
    const replicas = [
      await openPostgres({ connectionString: SERVER_URL, schema, max: 4 }),
      await openPostgres({ connectionString: SERVER_URL, schema, max: 4 }),
    ];
    try {
      await migrate(replicas[0]!);
      const job = scheduledReportsJob({
        schedules: schedulesSchema.parse({
          standups: [{ team: 'web', channel: eng, times: ['09:30'], calendar: { timezone: 'UTC', days: [3] } }],
        }),
        slack: () => new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl }),
        logger: createLogger('silent'),
        clock: () => new Date('2026-11-25T09:31:00Z'),
      });
      const logger = createLogger('silent');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          job.run({ db: replicas[i % 2]!, logger, touch: async () => {}, signal: new AbortController().signal }, {}),
        ),
      );
      await emulator.settle();
      expect(emulator.messagesIn(eng).filter((m) => visibleText(m).includes('*Standup*'))).toHaveLength(1);
      const { rows } = await replicas[1]!.query<{ key: string }>('SELECT key FROM report_runs');
      expect(rows).toEqual([{ key: 'standup:web:2026-11-25:09:30' }]);
    } finally {
      for (const db of replicas) await db.close();
      await dropSchemas([schema]);
      await emulator.stop();
    }
  });
});
