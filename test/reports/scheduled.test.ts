import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { dueSlots, scheduledReportsJob } from '../../src/reports/jobs.js';
import { standupCommand } from '../../src/reports/listeners.js';
import { loadSchedules, schedulesSchema } from '../../src/reports/schedules.js';
import { YamlFileError } from '../../src/yaml-file.js';
import { hoursBefore, pr } from '../support/fixtures.js';
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
    h = await startBotHarness({ register: (commands) => commands.register('standup', standupCommand()) });
    await recordIdentity(h.db, { email: 'alice@acme.dev', github: 'alice', slack: h.users.alice }, true);
    const now = Date.now();
    const ago = (hours: number) => hours + (Date.parse(hoursBefore(0)) - now) / 3_600_000;
    await pr(h.db, { number: 1, ageHours: ago(30), author: 'alice', state: 'merged', mergedHoursAgo: ago(2) });
    await pr(h.db, { number: 2, ageHours: ago(3), author: 'alice' });
    await h.db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '9', '1', 'Sprint 9', 'active', now() - interval '6 days', now() + interval '4 days')",
    );
    await h.db.query(
      `INSERT INTO work_items (source, key, project, title, status, status_category, points, sprint_ids, created_at, updated_at)
       VALUES ('jira', 'ENG-1', 'ENG', 'One', 'To Do', 'new', 3, ARRAY['9'], now() - interval '8 days', now())`,
    );
  });
  afterAll(() => h.stop());

  test('each due slot posts once, however many runs (or replicas) race; entries feed /em standup history', async () => {
    const utc = new Date();
    const slot = new Date(utc.getTime() - 60_000).toISOString().slice(11, 16);
    const job = scheduledReportsJob({
      schedules: schedulesSchema.parse({
        standups: [
          {
            team: 'web',
            channel: '#eng',
            times: [slot],
            calendar: { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7] },
          },
        ],
        weekly_digest: { day: ((utc.getUTCDay() + 6) % 7) + 1, time: slot, timezone: 'UTC' },
        sprint: { channel: '#eng', at: ['midpoint'] },
      }),
      slack: () => h.bot.app.client,
      logger: createLogger('silent'),
    });
    const ctx = { db: h.db, logger: createLogger('silent'), touch: async () => {} };
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
