// The rest of issue #21 through the real bot and the Slack emulator, on both engines: incident action items in their
// owner's digest until done, a red main DMed in real time to whoever merged the breaking change (switchable),
// escalation days from the policy file, and the DMs-per-person-day percentiles in /metrics.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOTIFY_ACTIONS } from '../../blocks/notifications/messages.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { recordIdentity } from '../../src/identity/store.js';
import { actionItemsFeed } from '../../src/incidents/digest-feed.js';
import { IncidentService } from '../../src/incidents/service.js';
import { INCIDENT_POLICY_SECTION } from '../../src/incidents/settings.js';
import { claimIncident, timelineOf } from '../../src/incidents/store.js';
import { notificationsJob } from '../../src/notifications/jobs.js';
import { notificationListeners } from '../../src/notifications/listeners.js';
import { NotificationService } from '../../src/notifications/service.js';
import { NOTIFICATION_POLICY_SECTION } from '../../src/notifications/settings.js';
import { createLogger } from '../../src/observability/logger.js';
import { metrics } from '../../src/observability/metrics.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';
import { ciRun, NOW, pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
/** A Wednesday, 12:00 in London, after the digest time. */
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

interface World {
  h: BotHarness;
  db: Db;
  clock: { now: Date };
  notifications: NotificationService;
  signals: SignalEngine;
  policies: PolicyBook;
  dir: string;
  lena: string;
  dmsTo(user: string): { text: string; ts: string; channel: string; blocks?: unknown[] }[];
}

async function startWorld(db: Db): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-notify2-'));
  for (const sub of ['rules', 'policies']) mkdirSync(path.join(dir, sub));
  writeFileSync(
    path.join(dir, 'rules', 'rules.yml'),
    [
      '- { name: review_requested, kind: review_requested, severity: info, schedule: 1 minute }',
      '- { name: stale_pr, kind: stale_pr, older_than_hours: 24, severity: warning, schedule: 1 minute }',
      '- { name: red_main, kind: failing_main, red_minutes: 10, severity: warning, schedule: 1 minute }',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'policies', 'default.yml'),
    [
      'policies:',
      '  - { name: nudges, action: slack.dm, mode: auto }',
      '  - { name: comments, action: github.comment, mode: approve, approvers: ["@eng-leads"] }',
      'notifications:',
      '  escalate_after_days: 5',
      '  rules:',
      '    stale_pr: { escalate_after_days: 1 }',
    ].join('\n'),
  );
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
  const lena = ws.addUser({ name: 'lena', real_name: 'Lena Lead', email: 'lena@acme.dev' }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [lena] });
  for (const [name, slack] of [
    ['alice', h.users.alice],
    ['bob', h.users.bob],
  ] as const)
    await recordIdentity(db, { email: `${name}@acme.dev`, github: name, slack, displayName: name }, true);
  const clock = { now: NOW };
  const policies = new PolicyBook(path.join(dir, 'policies'), {
    ...INCIDENT_POLICY_SECTION,
    ...NOTIFICATION_POLICY_SECTION,
  }).reload();
  expect(policies.problems).toEqual([]);
  const approvals = new ApprovalService({ db, logger, policies, clients: { slack: h.bot.app.client } });
  const notifications = new NotificationService({
    db,
    logger,
    slack: () => h.bot.app.client,
    policies,
    expand: (a) => approvals.expandApprovers(a),
    scopes: 0,
    // The environment's NOTIFY_ESCALATE_AFTER_DAYS: the policy file overrides it.
    settings: { realtimeCap: 3, escalateAfterDays: 3 },
    clock: () => clock.now,
  });
  notifications.feeds = [actionItemsFeed(db)];
  service = notifications;
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
  return { h, db, clock, notifications, signals, policies, dir, lena, dmsTo };
}

describeEachEngine('notifications: action items, red main, policy escalation, metrics', ({ freshDb }) => {
  let w: World;
  const evaluate = () => w.signals.evaluate({ all: true, now: w.clock.now });
  const titles = async (user: string) => (await w.notifications.digestFor(user)).lines.map((l) => l.title).join('\n');
  beforeAll(async () => {
    w = await startWorld(await freshDb());
    // Main was green when em-agent first looked: every rule's first evaluation (the backfill) has run.
    await ciRun(w.db, 'acme/api', 1, 'success', 180);
    await ciRun(w.db, 'acme/web', 11, 'success', 180);
    await evaluate();
  }, 120_000);
  afterAll(async () => {
    await w?.h.stop();
    if (w) rmSync(w.dir, { recursive: true, force: true });
  });

  test("an incident action item is one line in its owner's digest, under its own group, and leaves it when done", async () => {
    const { alice, bob } = w.h.users;
    const incidents = new IncidentService({
      db: w.db,
      logger,
      slack: () => w.h.bot.app.client,
      policies: w.policies,
      timezone: 'UTC',
    });
    const claimed = await claimIncident(w.db, {
      requestKey: 'req-1',
      title: 'Checkout down',
      severity: 'SEV2',
      service: null,
      description: null,
      declaredBy: alice,
      commander: alice,
      openedAt: NOW,
    });
    // Alice adds it and names Bob as its owner; one she adds naming nobody is hers.
    await incidents.addActionItem(
      claimed.incident,
      alice,
      `<@${bob}> add an alert on checkout 5xx due 2026-12-04`,
      NOW,
    );
    await incidents.addActionItem(claimed.incident, alice, 'write the <runbook> & link it', NOW);
    await w.notifications.sendDigests();
    await w.h.emulator.settle();
    const digest = w.dmsTo(bob).at(-1)?.text ?? '';
    expect(w.dmsTo(bob)).toHaveLength(1);
    expect(digest).toContain('*Incident action items* (1)');
    const label = `INC-${claimed.incident.number}`;
    expect(digest.split('\n').filter((l) => l.includes(`${label}:`))).toHaveLength(1);
    expect(digest).toMatch(new RegExp(`${label}: .*add an alert on checkout 5xx.*action item due 2026-12-04`));
    const aliceDigest = w.dmsTo(alice).at(-1)?.text ?? '';
    expect(aliceDigest).toContain('*Incident action items* (1)');
    expect(aliceDigest).toContain('write the &lt;runbook&gt; &amp; link it'); // escaped once, as typed
    expect(aliceDigest).not.toContain('add an alert');

    // Bob clicks Done on his line: gone from his digest, and done on the incident's timeline.
    const line = (await w.notifications.digestFor(bob)).lines.find((l) => l.group === 'incidents');
    const dm = w.dmsTo(bob).at(-1);
    await w.h.emulator.click({
      user: bob,
      actionId: NOTIFY_ACTIONS.done,
      value: String(line?.id),
      where: { channel: dm?.channel as string, ts: dm?.ts as string },
    });
    await w.h.emulator.waitFor(() =>
      w.h.emulator.ephemeralsFor(bob).find((e) => String(e.text).includes('Marked done')),
    );
    await w.notifications.syncFeeds();
    expect(await titles(bob)).not.toContain(label);
    expect(await titles(alice)).toContain(`${label}: write the`);
    const done = await w.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incident_timeline WHERE kind = 'action_item' AND done_at IS NOT NULL`,
    );
    expect(done.rows[0]?.n).toBe(1);
    expect((await timelineOf(w.db, claimed.incident.id)).filter((e) => e.kind === 'action_item')).toHaveLength(2);
  });

  test('a red main: one real-time DM with the buttons to whoever merged the breaking change; the lead waits for the digest', async () => {
    const { alice, bob } = w.h.users;
    const before = { alice: w.dmsTo(alice).length, bob: w.dmsTo(bob).length, lena: w.dmsTo(w.lena).length };
    // Alice wrote PR #40, Bob merged it (merge commit sha2); the first red run built sha2, another failed after.
    await pr(w.db, {
      number: 40,
      author: 'alice',
      title: 'Cache checkout totals',
      ageHours: 5,
      state: 'merged',
      mergedHoursAgo: 1.5,
      mergeCommitSha: 'sha2',
      mergedBy: 'bob',
    });
    await ciRun(w.db, 'acme/api', 2, 'failure', 60);
    await ciRun(w.db, 'acme/api', 3, 'failure', 30);
    await evaluate();
    await w.h.emulator.settle();
    const bobs = w.dmsTo(bob).slice(before.bob);
    expect(bobs).toHaveLength(1);
    expect(bobs[0]?.text).toContain('acme/api#40 Cache checkout totals');
    expect(bobs[0]?.text).toContain('"CI" on the default branch fails since your merge (sha2)');
    for (const label of ['Snooze 1 day', 'Snooze until Monday', 'Mute this rule for me', 'Done'])
      expect(JSON.stringify(bobs[0]?.blocks)).toContain(label);
    // Not the author, not in real time to the lead: the lead has the team's red main in the digest.
    expect(w.dmsTo(alice)).toHaveLength(before.alice);
    expect(w.dmsTo(w.lena)).toHaveLength(before.lena);
    expect(await titles(w.lena)).toContain('acme/api default branch is red');
    // The same signal on the next evaluations: nothing more.
    await evaluate();
    await w.h.emulator.settle();
    expect(w.dmsTo(bob).slice(before.bob)).toHaveLength(1);
  });

  test('"Main fails after my merge" switched off: no real-time DM, the line waits in the digest', async () => {
    const { bob } = w.h.users;
    await w.notifications.savePrefs(bob, {
      digestTime: '09:30',
      realtimeOff: ['main_failed'],
      quietStart: null,
      quietEnd: null,
    });
    const before = w.dmsTo(bob).length;
    // No merge commit matches the red run (sha12): the last PR merged into main before it is the one.
    await pr(w.db, { repo: 'acme/web', number: 60, author: 'bob', ageHours: 9, state: 'merged', mergedHoursAgo: 3 });
    await pr(w.db, { repo: 'acme/web', number: 61, author: 'alice', ageHours: 9, state: 'merged', mergedHoursAgo: 8 });
    await ciRun(w.db, 'acme/web', 12, 'failure', 90);
    await evaluate();
    await w.h.emulator.settle();
    expect(w.dmsTo(bob)).toHaveLength(before);
    const line = (await w.notifications.digestFor(bob)).lines.find((l) => l.title.startsWith('acme/web#60'));
    expect(line?.reasons.map((r) => r.text)).toEqual([
      '"CI" on the default branch fails since shortly after your merge',
    ]);
    expect(await titles(w.h.users.alice)).not.toContain('acme/web#61');
  });

  test('escalation days come from the policy file: per rule, else for every rule, before NOTIFY_ESCALATE_AFTER_DAYS', async () => {
    await pr(w.db, { number: 50, author: 'alice', ageHours: 30, title: 'Stale one' });
    await pr(w.db, { number: 51, author: 'bob', reviewers: ['alice'], ageHours: 2, title: 'Please review' });
    await evaluate();
    const escalated = async () =>
      (await w.notifications.digestFor(w.lena)).lines
        .filter((l) => l.group === 'escalations')
        .map((l) => l.title)
        .join('\n');
    // Thursday: one working day; stale_pr escalates after 1 (its rule's setting).
    w.clock.now = days(1);
    await w.notifications.escalate();
    expect(await escalated()).toContain('acme/api#50 Stale one');
    expect(await escalated()).not.toContain('acme/api#51');
    // Monday: three working days, which NOTIFY_ESCALATE_AFTER_DAYS (3) would escalate; the policy says 5.
    w.clock.now = days(5);
    await w.notifications.escalate();
    expect(await escalated()).not.toContain('acme/api#51');
    // Next Wednesday: five working days (Thu, Fri, Mon, Tue, Wed).
    w.clock.now = days(7);
    await w.notifications.escalate();
    expect(await escalated()).toMatch(/acme\/api#51 Please review/);
    expect((await w.notifications.digestFor(w.lena)).lines.find((l) => l.title.includes('#51'))?.reasons[0]?.text).toBe(
      `waiting on alice for 5 working days`,
    );
    w.clock.now = NOW;
  });

  test('/metrics: DMs per person over the last working day, p50 / p95 / max, from the notifications log', async () => {
    // Tuesday (the working day before Wednesday): 21 people got 1, 2, … 20 and 40 DMs; Monday's and today's do not
    // count. Nearest rank: p50 is the 11th of 21 (11), p95 the ceil(0.95·21) = 20th (20), max 40.
    await w.db.query(
      `INSERT INTO notification_sends (recipient, kind, realtime, local_day)
       SELECT 'U' || p, 'review_requested', true, '2026-11-24'::date FROM generate_series(1, 20) p, generate_series(1, 20) k
        WHERE k <= p
       UNION ALL SELECT 'U21', 'report', true, '2026-11-24'::date FROM generate_series(1, 40)
       UNION ALL SELECT 'U1', 'review_requested', true, '2026-11-23'::date FROM generate_series(1, 90)`,
    );
    await notificationsJob(w.notifications).run(
      { db: w.db, logger, touch: async () => {}, signal: new AbortController().signal } as never,
      undefined as never,
    );
    const text = await metrics.metrics();
    expect(text).toContain('notifications_dms_per_person_day{stat="p50"} 11');
    expect(text).toContain('notifications_dms_per_person_day{stat="p95"} 20');
    expect(text).toContain('notifications_dms_per_person_day{stat="max"} 40');
    expect(text).toContain('notifications_sent_total{kind="main_failed"}');
  });
});
