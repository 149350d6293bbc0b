// Reports on awkward data: a team's incidents declared by service, more open incidents than a message shows, days
// counted in a team's time zone (burndown, DORA), a sprint over New Year, a standup full of long links, and a weekly
// digest with someone who cannot be written to.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { myWorkLine, sprintHomeLines } from '../../blocks/home.js';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupHistoryMessage, standupMessage } from '../../blocks/reports/standup.js';
import { requestReviewModal, triageMessage } from '../../blocks/reports/triage.js';
import { withTeamLine } from '../../blocks/teams/teams.js';
import { narrativeBlock, plainText } from '../../blocks/text.js';
import { blocksTooLong, checkMessageBlocks, checkView } from '../../dev/slack/limits.js';
import { runTool } from '../../src/capabilities/tool.js';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { standupSyntax } from '../../src/reports/args.js';
import { burndownSpec } from '../../src/reports/charts.js';
import { scheduledReportsJob } from '../../src/reports/jobs.js';
import { standupCommand } from '../../src/reports/listeners.js';
import { schedulesSchema } from '../../src/reports/schedules.js';
import { buildSprintHealth } from '../../src/reports/sprint.js';
import type { Standup } from '../../src/reports/standup.js';
import { doraReportTool, sprintHealthTool } from '../../src/reports/tools.js';
import { buildTriage } from '../../src/reports/triage.js';
import type { Db } from '../../src/store/db.js';
import { type Team, teamInput } from '../../src/teams/model.js';
import { getTeam, resolveScope, saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { hoursBefore, NOW, pr, ticket } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');

async function team(db: Db, fields: Record<string, unknown>) {
  await saveTeam(db, teamInput.parse(fields), { actor: 'test' });
}

async function incident(db: Db, id: string, scope: string | null, openedHoursAgo: number, source = 'slack') {
  await db.query(
    `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at)
     VALUES ($1, $2, $3, $4, 'SEV2', 'open', $5)`,
    [source, id, scope, `Incident ${id}`, hoursBefore(openedHoursAgo)],
  );
}

/** A Slack incident's room, private to `channel` when given. */
async function room(db: Db, id: string, channel: string | null) {
  await db.query(
    `INSERT INTO incident_rooms (incident_id, number, request_key, declared_by, visible_in)
     VALUES ($1, $2, $3, 'U0ALICE', $4)`,
    [id, Number(id), `key-${id}`, channel],
  );
}

/** The x domain Vega draws a chart's days in. */
async function xDomain(spec: ReturnType<typeof burndownSpec>): Promise<string[]> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    await view.runAsync();
    return view.scale('x').domain() as string[];
  } finally {
    view.finalize();
  }
}

describeEachEngine('reports on awkward data', ({ freshDb }) => {
  test("a team's triage holds the incidents declared in Slack for its service: its key, or a repository's bare name", async () => {
    const db = await freshDb();
    await team(db, { key: 'payments', name: 'Payments', repos: ['acme/pay-api'], jira_projects: ['PAY'] });
    await incident(db, '1', 'payments', 5); // the team's key
    await incident(db, '2', 'pay-api', 4); // its repository without the owner
    await incident(db, '3', 'acme/pay-api', 3); // its repository
    await incident(db, 'PAY-9', 'PAY', 2, 'jira'); // its project
    await incident(db, '5', 'search', 1); // another service
    const scope = await resolveScope(db, (await getTeam(db, 'payments')) as Team);
    const [incidents] = await buildTriage(db, scope);
    expect(incidents?.id).toBe('incidents');
    expect(incidents?.items.map((i) => i.text)).toEqual([
      '[SEV2] Incident 1',
      '[SEV2] Incident 2',
      '[SEV2] Incident 3',
      '[SEV2] Incident PAY-9',
    ]);
  });

  test('triage counts every open incident and approval, and private incidents do not crowd out public ones', async () => {
    const db = await freshDb();
    // 25 private incidents, all older than the one public incident.
    for (let n = 1; n <= 25; n += 1) {
      await incident(db, String(n), null, 100 - n);
      await room(db, String(n), 'G0PRIVATE');
    }
    await incident(db, '26', null, 1);
    await room(db, '26', null);
    for (let n = 1; n <= 30; n += 1)
      await db.query(
        `INSERT INTO approvals (action, params, summary, mode, policy, status, requested_by, idempotency_key)
         VALUES ('slack.dm', '{}'::jsonb, $1, 'approve', 'test', 'proposed', 'U0ALICE', $2)`,
        [`Nudge ${n}`, `k-${n}`],
      );
    const groups = await buildTriage(db);
    const incidents = groups.find((g) => g.id === 'incidents');
    expect(incidents?.items.map((i) => i.text)).toEqual(['[SEV2] Incident 26']);
    expect(groups.find((g) => g.id === 'approvals')?.items).toHaveLength(30);
    // A member of the private room sees all 26.
    const member = await buildTriage(db, null, async (all) => all);
    expect(member.find((g) => g.id === 'incidents')?.items).toHaveLength(26);
  });

  test("burndown days are the team's local days: a Monday 09:00 start in Sydney is Monday, and a DST change moves no day", async () => {
    const db = await freshDb();
    // Monday 2026-09-28 09:00 AEST (= Sunday 23:00 UTC) for two weeks; Sydney moves to AEDT on Sunday 10-04, so from
    // then on each day starts at 09:00 AEDT = 22:00 UTC.
    await db.query(
      `INSERT INTO sprints (source, id, board, name, state, start_at, end_at)
       VALUES ('jira', '7', '1', 'Sprint 7', 'active', '2026-09-27T23:00:00Z', '2026-10-11T22:00:00Z')`,
    );
    await ticket(db, { key: 'ENG-1', sprintIds: ['7'], ageHours: 90 * 24, points: 2 });
    await db.query(
      `UPDATE work_items SET status = 'Done', status_category = 'done', resolved_at = $1 WHERE key = 'ENG-1'`,
      ['2026-10-05T22:30:00Z'], // Tuesday 10-06 09:30 AEDT: day 8 (from 09:00), though not 8 × 24 h after the start
    );
    await ticket(db, { key: 'ENG-2', sprintIds: ['7'], ageHours: 90 * 24, points: 3 });
    const now = new Date('2026-10-07T00:00:00Z'); // Wednesday 11:00 AEDT
    const sydney = await buildSprintHealth(db, { now, timezone: 'Australia/Sydney' });
    const remaining = sydney?.burndown.filter((p) => p.series === 'remaining');
    expect(remaining?.map((p) => p.day)).toEqual([
      '09-28',
      '09-29',
      '09-30',
      '10-01',
      '10-02',
      '10-03',
      '10-04',
      '10-05',
      '10-06',
      '10-07',
    ]);
    expect(remaining?.map((p) => p.points)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 3, 3]);
    expect(sydney?.burndown.filter((p) => p.series === 'ideal')).toHaveLength(15);
    // Dated in UTC, the same sprint starts on Sunday.
    const utc = await buildSprintHealth(db, { now, timezone: 'UTC' });
    expect(utc?.burndown[0]?.day).toBe('09-27');

    // Through the tool, a team's sprint is dated in the team's time zone.
    await team(db, {
      key: 'syd',
      name: 'Sydney',
      jira_boards: [1],
      timezone: 'Australia/Sydney',
      members: ['U0ALICE'],
    });
    const tool = sprintHealthTool(() => now, 'Europe/Berlin');
    const ctx = { person: { slackId: 'U0ALICE' }, db, logger: silent };
    expect((await runTool(tool, ctx, { team: 'syd' }))?.burndown[0]?.day).toBe('09-28');
  });

  test('a sprint without an end date is not called on track on Home, nor in its report: its pace is not judged', async () => {
    const db = await freshDb();
    // Jira sprints and Linear cycles may have no end date.
    await db.query(
      `INSERT INTO sprints (source, id, board, name, state, start_at, end_at)
       VALUES ('jira', '8', '1', 'Sprint 8', 'active', '2026-11-20T09:00:00Z', NULL)`,
    );
    await ticket(db, { key: 'ENG-8', sprintIds: ['8'], ageHours: 30 * 24, points: 5 });
    const health = await buildSprintHealth(db, { now: NOW });
    expect(health?.endAt).toBeNull();
    const home = sprintHomeLines(health as NonNullable<typeof health>).join('\n');
    expect(home).not.toContain('on track');
    expect(home).toContain('no end date');
    const report = visibleText(sprintMessage(health));
    expect(report).not.toMatch(/on track/i);
    expect(report).toContain('no end date');
  });

  test('a burndown over New Year is drawn in the order of its days', async () => {
    const points = ['12-30', '12-31', '01-01', '01-02'].flatMap((day, i) => [
      { day, series: 'ideal' as const, points: 8 - 2 * i },
      { day, series: 'remaining' as const, points: 8 - i },
    ]);
    expect(await xDomain(burndownSpec('Sprint 52', points))).toEqual(['12-30', '12-31', '01-01', '01-02']);
  });

  test("a team's DORA counts deployment days in the team's time zone", async () => {
    const db = await freshDb();
    await team(db, { key: 'tokyo', name: 'Tokyo', repos: ['acme/jp'], timezone: 'Asia/Tokyo', members: ['U0KEN'] });
    // Two deployments on one Tokyo day (Thursday 2026-11-19, 08:00 and 10:00 JST), on two UTC days.
    for (const [id, at] of [
      ['d1', '2026-11-18T23:00:00Z'],
      ['d2', '2026-11-19T01:00:00Z'],
    ])
      await db.query(
        `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
         VALUES ('github', $1, 'acme/jp', 'production', $1, 'main', $2, $2, 'success')`,
        [id, at],
      );
    const tool = doraReportTool({ bandSet: '2023', timezone: 'UTC', now: () => NOW });
    const ctx = { person: { slackId: 'U0KEN' }, db, logger: silent };
    const tokyo = await runTool(tool, ctx, { days: 7, team: 'tokyo' });
    expect(tokyo.team?.key).toBe('tokyo');
    expect(tokyo.org.current.deploymentDaysPerWeek).toBe(1);
    // The org's report keeps REPORTS_TIMEZONE (here UTC): two days.
    expect((await runTool(tool, ctx, { days: 7, team: 'org' })).org.current.deploymentDaysPerWeek).toBe(2);
  });
});

describe('report messages within Slack limits, whole', () => {
  const url = (n: number) => `https://github.com/acme-corporation/payments-reconciliation-service/pull/${10_000 + n}`;
  const refs = Array.from({ length: 8 }, (_, n) => ({
    ref: `acme-corporation/payments-reconciliation-service#${10_000 + n}`,
    title: 'Fix & <!channel>',
    url: url(n),
  }));

  test('a busy person’s standup fits a section without cutting a link in half', () => {
    const standup: Standup = {
      hours: 24,
      from: NOW,
      to: NOW,
      people: [
        {
          who: 'maya',
          slack: 'U0MAYA',
          opened: refs,
          merged: refs,
          reviewed: refs,
          moved: refs.map((r) => ({ key: r.ref, to: 'In Review', url: r.url })),
          blocked: refs.map((r) => ({ key: r.ref, title: r.title, url: r.url })),
          waitingOn: refs.map((r) => ({ ref: r.ref, reviewers: ['lee', 'raj'], teams: ['backend'], url: r.url })),
        },
      ],
    };
    const message = standupMessage(standup);
    expect(checkMessageBlocks(message.blocks)).toEqual([]);
    const section = (message.blocks[1] as { text: { text: string } }).text.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    // Every link that starts ends: as many `<` as `>`, and no cut mark.
    expect(section.split('<').length).toBe(section.split('>').length);
    expect(section).not.toContain('…');
    // What did not fit is counted, not dropped silently.
    expect(section).toMatch(/\+\d/);
  });

  /** All the text a message's blocks hold: Slack refuses more than about 12,000 (msg_blocks_too_long, undocumented). */
  const textLength = (blocks: unknown[]) => plainText(blocks).length;

  test("a big team's standup stays under Slack's limit on a message's text in all", () => {
    const busy = (n: number): Standup['people'][number] => ({
      who: `dev${n}`,
      slack: `U0DEV${n}`,
      opened: refs,
      merged: refs,
      reviewed: refs,
      moved: refs.map((r) => ({ key: r.ref, to: 'In Review', url: r.url })),
      blocked: [],
      waitingOn: refs.map((r) => ({ ref: r.ref, reviewers: ['lee'], teams: [], url: r.url })),
    });
    const people = Array.from({ length: 25 }, (_, n) => busy(n));
    const message = standupMessage({ hours: 24, from: NOW, to: NOW, people });
    expect(checkMessageBlocks(message.blocks)).toEqual([]);
    expect(textLength(message.blocks)).toBeLessThanOrEqual(11_000);
    // Everyone shown still has a section of their own, with whole links.
    const sections = message.blocks.filter((b) => (b as { type: string }).type === 'section').slice(1);
    expect(sections).toHaveLength(20);
    for (const b of sections) {
      const text = (b as { text: { text: string } }).text.text;
      expect(text.split('<').length).toBe(text.split('>').length);
    }
    expect(visibleText(message)).toContain('…and 5 more people');
    // At its longest, caught up late and with its team line and a model's summary, Slack still takes it.
    const late = standupMessage({ hours: 24, from: NOW, to: NOW, people }, { late: true });
    const longest = withTeamLine(
      { ...late, blocks: [...late.blocks, narrativeBlock('word '.repeat(1000))] },
      { key: 'payments-reconciliation', name: 'P'.repeat(80) },
      'standup',
    );
    expect(checkMessageBlocks(longest.blocks)).toEqual([]);
    expect(blocksTooLong(longest.blocks)).toBe(false);
  });

  test('a triage full of long pull request titles stays under the same limit', () => {
    const title = `acme/payments-reconciliation-service#12345 ${'Refactor & migrate the ledger exporter '.repeat(7)}`;
    const groups = ['incidents', 'failing_main', 'unassigned_urgent', 'approvals', 'reviews', 'stale', 'blocked'].map(
      (id) => ({
        id,
        title: id,
        items: Array.from({ length: 9 }, (_, n) => ({
          text: title,
          url: url(n),
          at: NOW,
          signalId: n + 1,
          nudge: true,
        })),
      }),
    );
    const message = triageMessage(groups);
    expect(checkMessageBlocks(message.blocks)).toEqual([]);
    expect(textLength(message.blocks)).toBeLessThanOrEqual(11_000);
    expect(visibleText(message)).toContain('(9) _(+4 more)_');
  });

  test("the Request review modal opens for a pull request whose title is full of '&'", () => {
    expect(checkView(requestReviewModal(1, `Fix ${'R&D '.repeat(700)}`))).toEqual([]);
  });

  test('standup history shows whole lines and counts the rest', () => {
    const rows = Array.from({ length: 15 }, (_, n) => ({
      posted_at: NOW,
      team: 'payments',
      summary: `merged ${'acme/payments-reconciliation-service#1, '.repeat(8)}${n}`,
    }));
    const message = standupHistoryMessage('U0MAYA', rows);
    expect(checkMessageBlocks(message.blocks)).toEqual([]);
    const body = (message.blocks[1] as { text: { text: string } }).text.text;
    expect(body.split('<!date^').length - 1).toBe(body.split('|2026-11-25>').length - 1);
    expect(body).toMatch(/…and \d+ more/);
  });

  test('Home cuts a long pull request title between graphemes', () => {
    const line = myWorkLine({
      repo: 'acme/api',
      number: 1,
      title: `${'a'.repeat(79)}👩🏽‍💻 more`,
      url: null,
      mine: true,
      reviewers: [],
      teams: [],
    });
    expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(line).toContain('…');
  });
});

describe('the weekly digest and sprint reports (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ register: (commands) => commands.registerOwn(standupSyntax, standupCommand()) });
  });
  afterAll(() => h.stop());

  test('someone who cannot be written to costs the others nothing', async () => {
    // aaron is linked to a Slack user the workspace no longer has; he did the most, so he comes first.
    await recordIdentity(h.db, { email: 'aaron@acme.dev', github: 'aaron', slack: 'U0GONE' }, true);
    await recordIdentity(h.db, { email: 'alice@acme.dev', github: 'alice', slack: h.users.alice }, true);
    for (const number of [1, 2, 3])
      await pr(h.db, { number, ageHours: 30, author: 'aaron', state: 'merged', mergedHoursAgo: 2 });
    await pr(h.db, { number: 4, ageHours: 3, author: 'alice' });
    const job = scheduledReportsJob({
      schedules: schedulesSchema.parse({ weekly_digest: { day: 3, time: '11:00', timezone: 'UTC' } }),
      slack: () => h.bot.app.client,
      logger: silent,
      clock: () => NOW, // Wednesday 12:00
    });
    await job.run({ db: h.db, logger: silent, touch: async () => {}, signal: new AbortController().signal }, {});
    await h.emulator.settle();
    const digest = h.emulator.messagesIn(h.emulator.workspace.imWith(h.users.alice).id);
    expect(digest.filter((m) => m.text === 'Your week')).toHaveLength(1);
    expect(visibleText(digest[0])).toContain('acme/api#4');
  });

  test("the weekly digest is the person's own week, dated and without the team's layout, up to its slot when caught up", async () => {
    const { alice } = h.users;
    await recordIdentity(h.db, { email: 'alice@acme.dev', github: 'alice', slack: alice }, true);
    const week = new Date('2026-12-02T11:00:00Z'); // the next Wednesday's 11:00 slot
    const at = (hours: number) => ({ now: week, mergedHoursAgo: hours, ageHours: hours + 1 });
    await pr(h.db, { repo: 'acme/digest', number: 1, author: 'alice', state: 'merged', ...at(24) });
    await pr(h.db, { repo: 'acme/digest', number: 2, author: 'alice', state: 'merged', ...at(-2) }); // after the slot
    const job = scheduledReportsJob({
      schedules: schedulesSchema.parse({ weekly_digest: { day: 3, time: '11:00', timezone: 'UTC' } }),
      slack: () => h.bot.app.client,
      logger: silent,
      clock: () => new Date('2026-12-02T15:00:00Z'), // caught up 4 hours late
    });
    await job.run({ db: h.db, logger: silent, touch: async () => {}, signal: new AbortController().signal }, {});
    await h.emulator.settle();
    const dms = h.emulator.messagesIn(h.emulator.workspace.imWith(alice).id).filter((m) => m.text === 'Your week');
    const digest = visibleText(dms.at(-1));
    expect(digest).toContain('acme/digest#1');
    expect(digest).not.toContain('acme/digest#2'); // next week's
    expect(digest).toMatch(/^\*Your week\* — .*\|2026-11-25> to .*\|2026-12-02>/);
    expect(digest).not.toContain('168 hours');
    expect(digest).not.toContain('Standup');
    expect(digest).not.toContain('*Team*');
    expect(digest).not.toContain(`<@${alice}>`); // written to her, not about her
    expect(digest).toContain('*Your week in all*: 1 merged');
  });

  test('a standup caught up late covers the hours up to its slot, and the next day’s takes up from there', async () => {
    const clockAt = (at: string) =>
      scheduledReportsJob({
        schedules: schedulesSchema.parse({
          standups: [{ team: 'late', channel: h.channels.eng, times: ['09:00'], calendar: { timezone: 'UTC' } }],
        }),
        slack: () => h.bot.app.client,
        logger: silent,
        clock: () => new Date(at),
      });
    const run = async (at: string) => {
      await clockAt(at).run(
        { db: h.db, logger: silent, touch: async () => {}, signal: new AbortController().signal },
        {},
      );
      await h.emulator.settle();
      return h.emulator
        .messagesIn(h.channels.eng)
        .filter((m) => visibleText(m).includes('*Standup*'))
        .at(-1);
    };
    // Merged Wednesday 08:00 (before the 09:00 slot) and Wednesday 10:00 (after it).
    await pr(h.db, { repo: 'acme/late', number: 1, author: 'lena', state: 'merged', ageHours: 5, mergedHoursAgo: 4 });
    await pr(h.db, { repo: 'acme/late', number: 2, author: 'lena', state: 'merged', ageHours: 3, mergedHoursAgo: 2 });
    // Wednesday's standup, caught up at 12:00 after a restart: the 24 hours to 09:00.
    const late = visibleText(await run('2026-11-25T12:00:00Z'));
    expect(late).toContain('acme/late#1');
    expect(late).not.toContain('acme/late#2');
    expect(late).toContain('the 24 hours to <!date^1795597200^');
    expect(late).toContain('(posted late)');
    // Thursday's, on time: from Wednesday 09:00, so #2 is counted once, and #1 not again.
    const next = visibleText(await run('2026-11-26T09:00:30Z'));
    expect(next).toContain('acme/late#2');
    expect(next).not.toContain('acme/late#1');
    expect(next).toContain('the last 24 hours');
  });

  test("a sprint's end report comes on its last local day, not 24 hours before its end", async () => {
    await team(h.db, {
      key: 'berlin',
      name: 'Berlin',
      jira_boards: [5],
      timezone: 'Europe/Berlin',
      channel: h.channels.eng,
    });
    // Ends Friday 2026-11-27 17:00 in Berlin (16:00 UTC).
    await h.db.query(
      `INSERT INTO sprints (source, id, board, name, state, start_at, end_at)
       VALUES ('jira', '50', '5', 'Sprint 50', 'active', '2026-11-16T08:00:00Z', '2026-11-27T16:00:00Z')`,
    );
    await ticket(h.db, { key: 'BER-1', sprintIds: ['50'], ageHours: 30 * 24, points: 3 });
    const runAt = async (at: string) => {
      const job = scheduledReportsJob({
        schedules: schedulesSchema.parse({ sprint: { team: 'berlin', at: ['end'] } }),
        slack: () => h.bot.app.client,
        logger: silent,
        clock: () => new Date(at),
      });
      await job.run({ db: h.db, logger: silent, touch: async () => {}, signal: new AbortController().signal }, {});
      await h.emulator.settle();
      return h.emulator.messagesIn(h.channels.eng).filter((m) => visibleText(m).includes('Sprint 50'));
    };
    expect(await runAt('2026-11-26T17:30:00Z')).toHaveLength(0); // Thursday 18:30 in Berlin
    expect(await runAt('2026-11-26T22:59:00Z')).toHaveLength(0); // Thursday 23:59
    expect(await runAt('2026-11-26T23:01:00Z')).toHaveLength(1); // Friday 00:01: its last day
  });

  test('standup history shows a public line to someone outside the private channel that had the newest 60', async () => {
    const { alice, bob } = h.users;
    await h.db.query(
      `INSERT INTO standup_entries (team, person, person_slack, summary, visible_in, posted_at)
       VALUES ('core', 'alice', $1, 'merged acme/api#1 public work', NULL, '2026-10-01T09:00:00Z')`,
      [alice],
    );
    await h.db.query(
      `INSERT INTO standup_entries (team, person, person_slack, summary, visible_in, posted_at)
       SELECT 'ops', 'alice', $1, 'reviewed acme/recon#' || n || ' private work', $2,
              '2026-11-01T09:00:00Z'::timestamptz + n * interval '1 day'
         FROM generate_series(1, 60) n`,
      [alice, h.channels.privateOps],
    );
    await h.emulator.command({ user: bob, channel: h.channels.eng, text: `standup history <@${alice}|alice>` });
    const history = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(bob).find((e) => visibleText(e).includes('Standup history')),
    );
    expect(visibleText(history)).toContain('public work');
    expect(visibleText(history)).not.toContain('private work');
  });
});
