// OKRs through the real bot and the Slack emulator, on both engines: the weekly check-in DM (through the
// notification pipeline's gate: a paused owner is asked later), its button and modal, the stored check-in, the
// trend a second week shows in `/em okr`, the burn-up chart uploaded with the report, the Home section, and a new
// objective made in the modal by the team's manager.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHECKIN_FIELDS, OBJECTIVE_FIELDS, OKR_CHECKIN_OPEN, OKR_NEW_ACTION } from '../../blocks/okrs/okrs.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ownSubcommand } from '../../src/capabilities/capability.js';
import { digestDue } from '../../src/notifications/model.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { OKR_HELP, parseOkrArgs } from '../../src/okrs/args.js';
import { applyOkrsFile, loadOkrsFile } from '../../src/okrs/file.js';
import { sendCheckinRequests } from '../../src/okrs/jobs.js';
import { okrCommand, okrsHomeSection, okrsSurface } from '../../src/okrs/listeners.js';
import { objectiveInput } from '../../src/okrs/model.js';
import { checkinsOf, getKeyResult, listObjectives, saveObjective } from '../../src/okrs/store.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { archiveTeam, saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { hoursBefore, NOW, ticket } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
const WEEK = 7 * 86_400_000;

describeEachEngine('OKR check-ins in Slack', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let notifications: NotificationService;
  const clock = { now: NOW };
  let krId: number;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-okr-slack-'));
    const options = { clock: () => clock.now };
    h = await startBotHarness({
      db,
      surfaces: [okrsSurface(options)],
      register: (commands) =>
        commands.registerAll([
          ownSubcommand({ ...OKR_HELP, parse: parseOkrArgs, handler: okrCommand(options), tools: ['okrs.show'] }),
        ]),
    });
    h.deps.home.push(okrsHomeSection(options));
    const { alice, bob } = h.users;
    await saveTeam(
      db,
      teamInput.parse({ key: 'payments', name: 'Payments', members: [alice], managers: [bob], repos: ['acme/pay'] }),
      { actor: 'test' },
    );
    const file = path.join(dir, 'okrs.yml');
    writeFileSync(
      file,
      [
        'okrs:',
        '  - { team: payments, quarter: 2026Q4, objectives: [{ title: Reliable checkout, key_results: [',
        `      { title: Ship the new checkout flow, owner: ${alice}, work: { jira: { labels: [checkout] } } } ] }] }`,
      ].join('\n'),
    );
    await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
    krId = (await listObjectives(db))[0]?.keyResults[0]?.id as number;
    // One of four mapped tickets done: 25%.
    for (const [n, done] of [
      [1, true],
      [2, false],
      [3, false],
      [4, false],
    ] as const)
      await ticket(db, {
        key: `PAY-${n}`,
        labels: ['checkout'],
        ageHours: 24 * 30,
        ...(done ? { statusCategory: 'done', resolvedAt: hoursBefore(24) } : {}),
      });
    const policies = new PolicyBook(path.join(dir, 'policies')).reload();
    notifications = new NotificationService({
      db,
      logger,
      slack: () => h.bot.app.client,
      policies,
      expand: async () => [],
      scopes: 0,
      clock: () => clock.now,
    });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // As app.ts wires it: from the owner's digest time (09:30 by default, in their Slack time zone) on working days.
  const send = () =>
    sendCheckinRequests({
      db,
      slack: () => h.bot.app.client,
      dmGate: notifications.gate,
      due: async (owner, now) => digestDue(await notifications.prefsOf(owner), now),
      clock: () => clock.now,
    });
  const dmsTo = (user: string) => {
    const im = h.emulator.workspace.imWith(user);
    return h.emulator
      .messagesIn(im.id)
      .filter((m) => m.user === h.emulator.workspace.botUserId)
      .map((m) => ({ ...m, text: visibleText(m), channel: im.id }));
  };
  const checkinRequests = (user: string) => dmsTo(user).filter((m) => m.text.includes('Weekly OKR check-in'));

  async function checkIn(user: string, confidence: string, note: string) {
    const request = checkinRequests(user).at(-1);
    if (!request) throw new Error('no check-in DM');
    const before = h.emulator.topModalOf(user)?.id;
    await h.emulator.click({
      user,
      actionId: OKR_CHECKIN_OPEN,
      value: String(krId),
      where: { channel: request.channel, ts: request.ts },
    });
    await h.emulator.waitFor(() => {
      const modal = h.emulator.topModalOf(user);
      return modal && modal.id !== before && modal;
    });
    await h.emulator.submitView({
      user,
      values: { [CHECKIN_FIELDS.confidence]: confidence, [CHECKIN_FIELDS.note]: note },
    });
  }

  test("the weekly check-in waits for the owner's digest time and while they are paused, then comes once; the modal stores it", async () => {
    const { alice } = h.users;
    // Wednesday 07:00 in London (the emulator's time zone) is before the 09:30 digest time: not yet.
    clock.now = new Date('2026-11-25T07:00:00Z');
    expect(await send()).toEqual([]);
    clock.now = NOW; // 12:00
    await notifications.savePrefs(alice, {
      digestTime: '09:30',
      realtimeOff: [],
      quietStart: null,
      quietEnd: null,
      pauseDays: 1,
    });
    expect(await send()).toEqual([]);
    expect(checkinRequests(alice)).toHaveLength(0);

    await notifications.savePrefs(alice, {
      digestTime: '09:30',
      realtimeOff: [],
      quietStart: null,
      quietEnd: null,
      pauseDays: 0,
    });
    expect(await send()).toEqual([alice]);
    expect(await send()).toEqual([]); // once a week
    await h.emulator.settle();
    expect(checkinRequests(alice)).toHaveLength(1);
    expect(checkinRequests(alice)[0]?.text).toContain('Ship the new checkout flow');

    await checkIn(alice, '7', 'on track');
    const stored = await eventually(async () => {
      const rows = await checkinsOf(db, [krId]);
      return rows.length === 1 && rows;
    });
    // Stored with the progress of the moment: 1 of 4 tickets done.
    expect(stored[0]).toMatchObject({
      week: '2026-11-23',
      owner: alice,
      confidence: 7,
      note: 'on track',
      progress: 0.25,
    });
    await h.emulator.waitFor(() => dmsTo(alice).find((m) => m.text.includes('Checked in for the week of 2026-11-23')));
  }, 120_000);

  test('a second week: another request, a lower confidence, and the trend in /em okr and on Home', async () => {
    const { alice } = h.users;
    clock.now = new Date(NOW.getTime() + WEEK);
    expect(await send()).toEqual([alice]);
    await h.emulator.settle();
    expect(checkinRequests(alice)).toHaveLength(2);
    await checkIn(alice, '4', 'slipping: <!channel> help');
    await eventually(async () => (await checkinsOf(db, [krId])).length === 2);

    await h.emulator.command({ user: alice, channel: h.channels.eng, text: 'okr payments 2026Q4' });
    const shown = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(alice).find((e) => visibleText(e).includes('OKRs · Payments · 2026Q4')),
    );
    const text = visibleText(shown);
    expect(text).toContain('Ship the new checkout flow');
    // 25% done; 2 December is 62 of 92 days into the quarter: 67% expected, so it is behind.
    // 1 of 4 tickets done: 25%, shown as three cells of ten (2.5 rounds up). 2 December 12:00 is 62.5 of the
    // quarter's 92 days: 68% expected, so it is behind.
    expect(text).toContain('`███░░░░░░░` 25% (expected 68%) :warning: behind');
    expect(text).toContain(
      'Confidence 7 → 4/10 :arrow_lower_right: (week of 2026-11-30) · “slipping: &lt;!channel&gt; help”',
    );
    // The note was escaped where it is shown: nobody is pinged.
    expect(JSON.stringify(shown.blocks)).not.toContain('<!channel>');
    // The burn-up chart is uploaded with the report.
    const image = (shown.blocks as { type: string; slack_file?: { id: string } }[]).find((b) => b.type === 'image');
    expect(h.emulator.workspace.files.get(image?.slack_file?.id ?? '')?.completed).toBe(true);

    await h.emulator.openHome(alice);
    const home = await h.emulator.waitFor(() => {
      const t = visibleText(h.emulator.homeOf(alice));
      return t.includes('OKRs') && t.includes('confidence 4/10') && t;
    });
    expect(home).toContain('*Ship the new checkout flow* `███░░░░░░░` 25% · confidence 4/10 :arrow_lower_right:');
  }, 120_000);

  test("the team's manager creates an objective in the modal; a member sees no button", async () => {
    const { alice, bob } = h.users;
    const homeButtons = (user: string) => JSON.stringify(h.emulator.homeOf(user)?.blocks ?? []);
    await h.emulator.openHome(bob);
    await h.emulator.waitFor(() => homeButtons(bob).includes(OKR_NEW_ACTION));
    await h.emulator.openHome(alice);
    await h.emulator.waitFor(() => visibleText(h.emulator.homeOf(alice)).includes('OKRs'));
    expect(homeButtons(alice)).not.toContain(OKR_NEW_ACTION);

    await h.emulator.click({ user: bob, actionId: OKR_NEW_ACTION, value: 'payments', where: 'home' });
    await h.emulator.waitFor(() => h.emulator.topModalOf(bob));
    const values = {
      [OBJECTIVE_FIELDS.title]: 'Fewer incidents',
      [OBJECTIVE_FIELDS.krTitle(1)]: 'Ship v2',
      [OBJECTIVE_FIELDS.krOwner(1)]: alice,
      [OBJECTIVE_FIELDS.krTarget(1)]: 'jira sprints 5',
      [OBJECTIVE_FIELDS.krTitle(2)]: 'CFR below 10%',
      [OBJECTIVE_FIELDS.krOwner(2)]: bob,
      [OBJECTIVE_FIELDS.krTarget(2)]: 'metric change_failure_rate 20 -> 10',
    };
    // A target it cannot read is shown on its field; the modal stays open.
    const refused = await h.emulator.submitView({ user: bob, values });
    expect(refused.ack).toMatchObject({
      response_action: 'errors',
      errors: { [OBJECTIVE_FIELDS.krTarget(1)]: expect.stringContaining('cannot read `jira sprints 5`') },
    });
    const saved = await h.emulator.submitView({
      user: bob,
      values: { ...values, [OBJECTIVE_FIELDS.krTarget(1)]: 'github milestones v2; jira labels checkout; points' },
    });
    expect(saved.ack?.response_action).toBeUndefined();
    const made = await eventually(async () =>
      (await listObjectives(db, { team: 'payments', quarter: '2026Q4' })).find((o) => o.title === 'Fewer incidents'),
    );
    expect(made.managedByFile).toBeNull();
    expect(await getKeyResult(db, made.keyResults[0]?.id as number)).toMatchObject({
      owner: alice,
      kind: 'work',
      work: { github: { milestones: ['v2'], labels: [] }, jira: { labels: ['checkout'], epics: [] }, unit: 'points' },
    });
    expect(made.keyResults[1]).toMatchObject({
      owner: bob,
      kind: 'metric',
      metric: { metric: 'change_failure_rate', baseline: 20, target: 10, window_days: 30 },
    });
  }, 120_000);

  test("/em okr org leaves out an archived team's objectives, as the Home team picker leaves out the team", async () => {
    const { alice, bob } = h.users;
    await saveTeam(db, teamInput.parse({ key: 'legacy', name: 'Legacy', members: [alice], managers: [bob] }), {
      actor: 'test',
    });
    const kr = {
      title: 'Retire the monolith',
      owner: alice,
      metric: { metric: 'lead_time_days', baseline: 4, target: 2 },
    };
    const objective = objectiveInput.parse({ title: 'Sunset legacy billing', key_results: [kr] });
    await saveObjective(db, 'legacy', '2026Q4', objective, { actor: 'test' });
    const orgView = async () => {
      const before = h.emulator.ephemeralsFor(alice).length;
      await h.emulator.command({ user: alice, channel: h.channels.eng, text: 'okr org 2026Q4' });
      return visibleText(
        await h.emulator.waitFor(() =>
          h.emulator
            .ephemeralsFor(alice)
            .slice(before)
            .find((e) => visibleText(e).includes('2026Q4')),
        ),
      );
    };
    expect(await orgView()).toContain('Sunset legacy billing');
    await archiveTeam(db, 'legacy', 'test');
    const shown = await orgView();
    expect(shown).toContain('Reliable checkout');
    expect(shown).not.toContain('Sunset legacy billing');
  }, 120_000);
});
