// The notification pipeline through the real bot and the Slack emulator, on both engines: the silent first sync,
// one digest with one line per subject (every reason on it), a review request still arriving in real time,
// snooze/mute/done, preferences from the Home tab, quiet hours and pauses, caps, and escalation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOTIFY_ACTIONS, NOTIFY_PREFS_OPEN, PREFS_FIELDS } from '../../blocks/notifications/messages.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { recordIdentity } from '../../src/identity/store.js';
import { notificationListeners, notificationsHomeSection } from '../../src/notifications/listeners.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { setActionPending } from '../../src/signals/store.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW, pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

/** The fixtures' "now": a Wednesday, 12:00 in London (the emulator's default time zone), after the digest time. */
const WEDNESDAY_NOON = NOW;
const days = (n: number) => new Date(WEDNESDAY_NOON.getTime() + n * 86_400_000);

interface World {
  h: BotHarness;
  db: Db;
  clock: { now: Date };
  notifications: NotificationService;
  signals: SignalEngine;
  dir: string;
  dmsTo(user: string): { text: string; ts: string; channel: string; blocks?: unknown[] }[];
}

async function startWorld(db: Db, options: { cap?: number; escalateAfterDays?: number } = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-notify-'));
  mkdirs(dir);
  writeFileSync(
    path.join(dir, 'rules', 'rules.yml'),
    [
      '- { name: review_requested, kind: review_requested, severity: info, schedule: 1 minute }',
      '- { name: review_bottleneck, kind: review_bottleneck, idle_hours: 24, severity: warning, schedule: 1 minute }',
      '- { name: stale_pr, kind: stale_pr, older_than_hours: 24, severity: warning, schedule: 1 minute }',
      '- { name: wip_limit, kind: wip_limit_exceeded, max: 1, per: person, count: prs, severity: info, schedule: 1 minute }',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'policies', 'default.yml'),
    [
      'policies:',
      '  - { name: nudges, action: slack.dm, mode: auto }',
      '  - { name: comments, action: github.comment, mode: approve, approvers: ["@eng-leads"] }',
    ].join('\n'),
  );
  // The capability's buttons and modal, wired at start; the service is made once the bot's client exists.
  let service: NotificationService | undefined;
  const h = await startBotHarness({
    db,
    surfaces: [
      (deps) =>
        notificationListeners({
          ...deps,
          get notifications() {
            return service;
          },
        }),
    ],
  });
  const ws = h.emulator.workspace;
  const lead = ws.addUser({ name: 'lena', real_name: 'Lena Lead', email: 'lena@acme.dev' }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [lead] });
  await recordIdentity(
    db,
    { email: 'alice@acme.dev', github: 'alice', slack: h.users.alice, displayName: 'Alice' },
    true,
  );
  await recordIdentity(db, { email: 'bob@acme.dev', github: 'bob', slack: h.users.bob, displayName: 'Bob' }, true);
  const clock = { now: WEDNESDAY_NOON };
  const policies = new PolicyBook(path.join(dir, 'policies')).reload();
  const approvals = new ApprovalService({ db, logger, policies, clients: { slack: h.bot.app.client } });
  const notifications = new NotificationService({
    db,
    logger,
    slack: () => h.bot.app.client,
    policies,
    expand: (a) => approvals.expandApprovers(a),
    scopes: 0,
    settings: { realtimeCap: options.cap ?? 3, escalateAfterDays: options.escalateAfterDays ?? 3 },
    clock: () => clock.now,
  });
  service = notifications;
  h.deps.home.push(notificationsHomeSection(notifications));
  const signals = new SignalEngine({
    db,
    logger,
    rules: new RuleBook(path.join(dir, 'rules')),
    approvals,
    notifications,
  });
  const dmsTo = (user: string) => {
    const im = ws.imWith(user);
    return h.emulator
      .messagesIn(im.id)
      .filter((m) => m.user === ws.botUserId)
      .map((m) => ({ ...m, text: visibleText(m), channel: im.id }));
  };
  return { h, db, clock, notifications, signals, dir, dmsTo };
}

function mkdirs(dir: string) {
  for (const sub of ['rules', 'policies']) mkdirSync(path.join(dir, sub));
}

describeEachEngine('notifications', ({ freshDb }) => {
  let w: World;
  let lena: string;
  const evaluate = () => w.signals.evaluate({ all: true, now: w.clock.now });
  const lines = (text: string, needle: string) => text.split('\n').filter((l) => l.includes(needle));
  beforeAll(async () => {
    w = await startWorld(await freshDb(), { cap: 2 });
    lena = [...w.h.emulator.workspace.users.values()].find((u) => u.name === 'lena')?.id as string;
  });
  afterAll(async () => {
    await w.h.stop();
    rmSync(w.dir, { recursive: true, force: true });
  });

  test('the first sync is silent; then one digest each, one line per PR with every reason, grouped; team signals go to the lead', async () => {
    const { alice, bob } = w.h.users;
    await pr(w.db, { number: 1, author: 'alice', reviewers: ['bob'], ageHours: 48, title: 'Fix <!channel> login' });
    await pr(w.db, { number: 2, author: 'bob', reviewers: ['alice'], ageHours: 30 });
    await pr(w.db, { number: 3, author: 'alice', ageHours: 40 });
    await evaluate();
    await w.h.emulator.settle();
    // Everything was already true before em-agent saw it: nobody is told in real time.
    expect(w.dmsTo(alice)).toHaveLength(0);
    expect(w.dmsTo(bob)).toHaveLength(0);
    expect(w.dmsTo(lena)).toHaveLength(0);

    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    const [bobDigest] = w.dmsTo(bob);
    expect(w.dmsTo(bob)).toHaveLength(1);
    const text = bobDigest?.text ?? '';
    expect(text).toContain('*Reviews requested of you* (1)');
    expect(text).toContain('*Your pull requests* (1)');
    // review_requested and review_bottleneck about PR #1: one line holding both reasons.
    expect(lines(text, 'acme/api#1')).toHaveLength(1);
    expect(lines(text, 'acme/api#1')[0]).toMatch(/review requested of you · your review has waited past the limit/);
    expect(text).toContain('&lt;!channel&gt;'); // a PR title never pings anyone
    expect(text.indexOf('Reviews requested of you')).toBeLessThan(text.indexOf('Your pull requests'));
    // Alice's WIP (2 open PRs over a limit of 1) goes to the lead named by the policy's approvers, never to Alice.
    const aliceDigest = w.dmsTo(alice)[0]?.text ?? '';
    expect(w.dmsTo(alice)).toHaveLength(1);
    expect(aliceDigest).not.toContain('in progress');
    expect(w.dmsTo(lena)).toHaveLength(1);
    expect(w.dmsTo(lena)[0]?.text).toContain('*Your team* (1)');
    expect(w.dmsTo(lena)[0]?.text).toContain('alice has 2 items in progress');

    // One digest per person per day, however often the job runs.
    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    expect(w.dmsTo(bob)).toHaveLength(1);
    expect(w.dmsTo(alice)).toHaveLength(1);
  });

  test('a review requested after start arrives in real time, with Snooze, Mute and Done; snooze and done hold', async () => {
    const { bob } = w.h.users;
    await pr(w.db, { number: 4, author: 'alice', reviewers: ['bob'], ageHours: 0 });
    await evaluate();
    await w.h.emulator.settle();
    const dms = w.dmsTo(bob);
    expect(dms).toHaveLength(2);
    const nudge = dms[1];
    expect(nudge?.text).toContain('acme/api#4');
    expect(nudge?.text).toContain('review requested of you');
    for (const label of ['Snooze 1 day', 'Snooze until Monday', 'Mute this rule for me', 'Done'])
      expect(JSON.stringify(nudge?.blocks)).toContain(label);

    await w.h.emulator.click({
      user: bob,
      actionId: NOTIFY_ACTIONS.snoozeDay,
      where: { channel: nudge?.channel as string, ts: nudge?.ts as string },
    });
    await w.h.emulator.waitFor(() =>
      w.h.emulator.ephemeralsFor(bob).find((e) => String(e.text).includes('Snoozed until')),
    );
    const subjects = async () => (await w.notifications.digestFor(bob)).lines.map((l) => l.title);
    expect(await subjects()).not.toContain(expect.stringContaining('acme/api#4'));
    // Done on PR #1, from the digest's own buttons.
    const digest = w.dmsTo(bob)[0];
    const one = (await w.notifications.digestFor(bob)).lines.find((l) => l.title.includes('acme/api#1'));
    await w.h.emulator.click({
      user: bob,
      actionId: NOTIFY_ACTIONS.done,
      value: String(one?.id),
      where: { channel: digest?.channel as string, ts: digest?.ts as string },
    });
    await w.h.emulator.waitFor(() =>
      w.h.emulator.ephemeralsFor(bob).find((e) => String(e.text).includes('Marked done')),
    );
    expect((await subjects()).join()).not.toContain('acme/api#1');
    // The snooze ends at the next day's digest time.
    w.clock.now = days(1);
    expect((await subjects()).join()).toContain('acme/api#4');
    w.clock.now = WEDNESDAY_NOON;
  });

  test('"Mute this rule for me" stops that rule reaching the person, in real time and in the digest', async () => {
    const { bob } = w.h.users;
    const nudge = w.dmsTo(bob)[1];
    await w.h.emulator.click({
      user: bob,
      actionId: NOTIFY_ACTIONS.mute,
      where: { channel: nudge?.channel as string, ts: nudge?.ts as string },
    });
    await w.h.emulator.waitFor(() => w.h.emulator.ephemeralsFor(bob).find((e) => String(e.text).includes('Muted')));
    await pr(w.db, { number: 5, author: 'alice', reviewers: ['bob'], ageHours: 0 });
    await evaluate();
    await w.h.emulator.settle();
    expect(w.dmsTo(bob)).toHaveLength(2);
    expect((await w.notifications.digestFor(bob)).lines.map((l) => l.title).join()).not.toContain('acme/api#5');
  });

  test('preferences from the Home tab: bad input answered by field; quiet hours hold real time; a pause holds the digest', async () => {
    const { alice, bob } = w.h.users;
    await w.h.emulator.openHome(alice);
    await w.h.emulator.waitFor(() =>
      JSON.stringify(w.h.emulator.homeOf(alice)?.blocks ?? []).includes('Notification preferences'),
    );
    await w.h.emulator.click({ user: alice, actionId: NOTIFY_PREFS_OPEN, where: 'home' });
    await w.h.emulator.waitFor(() => w.h.emulator.topModalOf(alice));
    const bad = await w.h.emulator.submitView({
      user: alice,
      values: { [PREFS_FIELDS.digestTime]: '9.30', [PREFS_FIELDS.quietStart]: '11:00' },
    });
    expect(JSON.stringify(bad.ack)).toContain('A time such as 09:30');
    expect(JSON.stringify(bad.ack)).toContain('Give both ends, or neither.');
    await w.h.emulator.submitView({
      user: alice,
      values: {
        [PREFS_FIELDS.digestTime]: '8:00', // without its leading zero, as people type it
        [PREFS_FIELDS.quietStart]: '11:00',
        [PREFS_FIELDS.quietEnd]: '13:00',
      },
    });
    await w.h.emulator.waitFor(async () => (await w.notifications.prefsOf(alice)).quietStart === '11:00');
    expect((await w.notifications.prefsOf(alice)).digestTime).toBe('08:00');
    await pr(w.db, { number: 6, author: 'bob', reviewers: ['alice'], ageHours: 0 });
    await evaluate();
    await w.h.emulator.settle();
    // 12:00 is in Alice's quiet hours: it waits for the digest.
    expect(w.dmsTo(alice).filter((m) => m.text.includes('acme/api#6'))).toHaveLength(0);
    expect((await w.notifications.digestFor(alice)).lines.map((l) => l.title).join()).toContain('acme/api#6');

    // A holiday: pause for 3 days; tomorrow Bob gets his digest and Alice none.
    await w.h.emulator.click({ user: alice, actionId: NOTIFY_PREFS_OPEN, where: 'home' });
    await w.h.emulator.waitFor(() => w.h.emulator.topModalOf(alice));
    await w.h.emulator.submitView({ user: alice, values: { [PREFS_FIELDS.pauseDays]: '3' } });
    await w.h.emulator.waitFor(async () => !!(await w.notifications.prefsOf(alice)).pausedUntil);
    w.clock.now = days(1);
    const digests = (user: string) => w.dmsTo(user).filter((m) => m.text.startsWith('Your digest')).length;
    const bobBefore = digests(bob);
    const aliceBefore = digests(alice);
    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    expect(digests(bob)).toBe(bobBefore + 1);
    expect(digests(alice)).toBe(aliceBefore);
    w.clock.now = WEDNESDAY_NOON;
  });

  test("caps: beyond the day's real-time DMs, review requests wait for the digest", async () => {
    const carol = w.h.emulator.workspace.addUser({ name: 'carol', real_name: 'Carol', email: 'carol@acme.dev' }).id;
    await recordIdentity(w.db, { email: 'carol@acme.dev', github: 'carol', slack: carol }, true);
    for (const number of [7, 8, 9]) await pr(w.db, { number, author: 'alice', reviewers: ['carol'], ageHours: 0 });
    await evaluate();
    await w.h.emulator.settle();
    expect(w.dmsTo(carol)).toHaveLength(2); // the cap is 2 a day
    const waiting = (await w.notifications.digestFor(carol)).lines.map((l) => l.title);
    expect(waiting).toHaveLength(3);
  });

  test("escalation: an item open for N working days reaches the lead's digest, once", async () => {
    // Bob's own PR #2 has waited since Wednesday; three working days later (Monday) it is escalated.
    w.clock.now = days(5);
    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    const leadDigest = w.dmsTo(lena).at(-1)?.text ?? '';
    expect(leadDigest).toContain('Escalated to you');
    expect(leadDigest).toMatch(/acme\/api#2[^\n]*waiting on Bob for \d working days/);
    // Once: the lead marks one escalation done; later runs do not raise it again.
    const first = (await w.notifications.digestFor(lena)).lines.find((l) => l.group === 'escalations');
    expect(first).toBeDefined();
    await w.notifications.done(lena, first?.id as number);
    w.clock.now = days(6);
    await w.notifications.escalate();
    const again = (await w.notifications.digestFor(lena)).lines.filter((l) => l.id === first?.id);
    expect(again).toHaveLength(0);
    w.clock.now = WEDNESDAY_NOON;
  });

  test("with teams: a team signal goes to the managers of the person's team, not to the policy's approvers", async () => {
    const ws = w.h.emulator.workspace;
    const mo = ws.addUser({ name: 'mo', real_name: 'Mo Manager', email: 'mo@acme.dev' }).id;
    const carol = ws.addUser({ name: 'carol', real_name: 'Carol', email: 'carol@acme.dev' }).id;
    await recordIdentity(w.db, { email: 'carol@acme.dev', github: 'carol', slack: carol, displayName: 'Carol' }, true);
    await saveTeam(
      w.db,
      teamInput.parse({ key: 'web', name: 'Web', members: [carol], managers: [mo], repos: ['acme/web'] }),
      { actor: 'test' },
    );
    // Carol has two open PRs against a limit of one: Web's manager hears of it in his digest; Lena (the policy's
    // approvers, who got Alice's) does not, and Carol is not reproached.
    await pr(w.db, { repo: 'acme/web', number: 31, author: 'carol', ageHours: 2 });
    await pr(w.db, { repo: 'acme/web', number: 32, author: 'carol', ageHours: 1 });
    w.clock.now = days(7);
    await evaluate();
    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    const moDigest = w.dmsTo(mo).at(-1)?.text ?? '';
    expect(moDigest).toContain('*Your team* (1)');
    expect(moDigest).toContain('carol has 2 items in progress');
    expect(
      w
        .dmsTo(lena)
        .map((m) => m.text)
        .join('\n'),
    ).not.toContain('carol has');
    expect(
      w
        .dmsTo(carol)
        .map((m) => m.text)
        .join('\n'),
    ).not.toContain('in progress');
    w.clock.now = WEDNESDAY_NOON;
  });
});

describeEachEngine('notifications: a signal told again', ({ freshDb }) => {
  test('a tick retried after the DM went out (action_pending left set) does not DM the reviewer a second time', async () => {
    const w = await startWorld(await freshDb());
    try {
      const { bob } = w.h.users;
      const evaluate = () => w.signals.evaluate({ all: true, now: w.clock.now });
      await evaluate(); // the first run is the backfill, with nothing open yet
      await pr(w.db, { number: 7, author: 'alice', reviewers: ['bob'], ageHours: 0 });
      await evaluate();
      await w.h.emulator.settle();
      const told = w.dmsTo(bob).map((m) => m.text);
      expect(told).toEqual([expect.stringContaining('acme/api#7')]);
      // As if the process died between the DM and clearing the flag: the next ticks tell the same signal again,
      // and only the pipeline's "already known" reason (signal:<id> on bob's item) stands between bob and a repeat.
      const { rows } = await w.db.query<{ id: string }>(
        "SELECT id::text AS id FROM signals WHERE rule = 'review_requested' AND status = 'open'",
      );
      expect(rows).toHaveLength(1);
      await setActionPending(
        w.db,
        rows.map((r) => Number(r.id)),
        true,
      );
      await evaluate();
      await evaluate();
      await w.h.emulator.settle();
      expect(w.dmsTo(bob).map((m) => m.text)).toEqual(told);
    } finally {
      await w.h.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  });
});
