// Every /em report scoped to a team, through the emulated Slack, on a hand-made org where two teams share one
// repository (acme/shared) and one person (lee) is in both. Each figure is worked out next to its assertion.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { doraSyntax, sprintSyntax, standupSyntax, triageSyntax } from '../../src/reports/args.js';
import { doraEvidence, doraMetrics } from '../../src/reports/dora.js';
import { scheduledReportsJob } from '../../src/reports/jobs.js';
import { doraCommand, sprintCommand, standupCommand, triageCommand } from '../../src/reports/listeners.js';
import { schedulesSchema } from '../../src/reports/schedules.js';
import { signalsSyntax } from '../../src/signals/args.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { signalsCommand } from '../../src/signals/listeners.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { teamSyntax } from '../../src/teams/args.js';
import { teamCommand } from '../../src/teams/listeners.js';
import { teamInput } from '../../src/teams/model.js';
import { scopeFor } from '../../src/teams/scope.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { hoursBefore, NOW, pr, ticket } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');

/** The rules run on the reports' clock (NOW), as they would have at that moment. */
class EngineAtNow extends SignalEngine {
  override evaluate(options: { all?: boolean; now?: Date } = {}) {
    return super.evaluate({ ...options, now: NOW });
  }
}

async function deploy(db: Db, id: string, repo: string, at: string) {
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     VALUES ('github', $1, $2, 'production', $1, 'main', $3, $3, 'success')`,
    [id, repo, at],
  );
}
/** A merged PR that shipped at `deployedAt` (the sync keeps deployed_at; here it is set as the sync would). */
async function shipped(db: Db, repo: string, number: number, firstCommit: string, deployedAt: string) {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, created_at, updated_at, merged_at, first_commit_at, deployed_at)
     VALUES ($1, $2, $3, 'dev', 'merged', $4, $4, $4, $4, $5)`,
    [repo, number, `PR ${number}`, firstCommit, deployedAt],
  );
}

/**
 * Payments: maya and lee; repos acme/pay-* and acme/shared; Jira PAY, board 1. Platform: lee and raj (bob is a
 * member too, so it is bob's only team); repos acme/platform and acme/shared; Jira PLAT, board 2. Alice manages both.
 */
async function seed(db: Db, users: { alice: string; bob: string }, channels: { eng: string; leads: string }) {
  await recordIdentity(db, { email: 'maya@acme.dev', github: 'maya', jira: 'acc-maya', slack: 'U0MAYA' }, true);
  await recordIdentity(db, { email: 'lee@acme.dev', github: 'lee', slack: 'U0LEE' }, true);
  await recordIdentity(db, { email: 'raj@acme.dev', github: 'raj', slack: 'U0RAJ' }, true);
  const team = (fields: unknown) => saveTeam(db, teamInput.parse(fields), { actor: 'test' });
  await team({
    key: 'payments',
    name: 'Payments',
    members: ['U0MAYA', 'U0LEE'],
    managers: [users.alice],
    repos: ['acme/pay-*', 'acme/shared'],
    jira_projects: ['PAY'],
    jira_boards: [1],
    channel: channels.eng,
  });
  await team({
    key: 'platform',
    name: 'Platform',
    members: ['U0LEE', 'U0RAJ', users.bob],
    managers: [users.alice],
    repos: ['acme/platform', 'acme/shared'],
    jira_projects: ['PLAT'],
    jira_boards: [2],
    channel: channels.leads,
  });

  // DORA, 14 days to NOW (2026-11-25 12:00Z): weeks [11-11 12:00, 11-18 12:00) and [11-18 12:00, 11-25 12:00).
  await deploy(db, 'd1', 'acme/pay-api', '2026-11-12T10:00:00Z');
  await deploy(db, 'd2', 'acme/pay-api', '2026-11-20T10:00:00Z');
  await deploy(db, 'd3', 'acme/shared', '2026-11-13T10:00:00Z');
  await deploy(db, 'd4', 'acme/platform', '2026-11-14T10:00:00Z');
  await deploy(db, 'd5', 'acme/platform', '2026-11-15T10:00:00Z');
  await deploy(db, 'd6', 'acme/platform', '2026-11-21T10:00:00Z');
  await shipped(db, 'acme/pay-api', 1, '2026-11-12T04:00:00Z', '2026-11-12T10:00:00Z'); // 6 h
  await shipped(db, 'acme/shared', 2, '2026-11-12T22:00:00Z', '2026-11-13T10:00:00Z'); // 12 h
  await shipped(db, 'acme/platform', 3, '2026-11-14T00:00:00Z', '2026-11-14T10:00:00Z'); // 10 h
  // INC-1 was confirmed against d2 (pay-api); INC-2 (still open, Jira project PAY) counts against the latest
  // deployment before it opened, d6 (acme/platform).
  await db.query(
    `INSERT INTO incidents (source, external_id, scope, title, status, opened_at, resolved_at, caused_by_source, caused_by_id)
     VALUES ('jira', 'INC-1', 'PAY', 'Card payments failing', 'resolved', '2026-11-20T11:00:00Z', '2026-11-20T13:00:00Z', 'github', 'd2'),
            ('jira', 'INC-2', 'PAY', 'Refunds slow', 'open', $1, NULL, NULL, NULL)`,
    [hoursBefore(1)],
  );

  // Standup, the last 24 hours: maya opened pay-api#10, lee opened shared#12, raj merged platform#11.
  await pr(db, { repo: 'acme/pay-api', number: 10, author: 'maya', ageHours: 2 });
  await pr(db, { repo: 'acme/shared', number: 12, author: 'lee', ageHours: 1 });
  await pr(db, { repo: 'acme/platform', number: 11, author: 'raj', ageHours: 30, state: 'merged', mergedHoursAgo: 3 });
  // Stale (open 48 h, unreviewed): by repository and by author.
  await pr(db, { repo: 'acme/pay-api', number: 20, author: 'maya', ageHours: 48 });
  await pr(db, { repo: 'acme/shared', number: 21, author: 'lee', ageHours: 48 });
  await pr(db, { repo: 'acme/platform', number: 22, author: 'raj', ageHours: 48 });
  await pr(db, { repo: 'other/tool', number: 23, author: 'zed', ageHours: 48 });
  await pr(db, { repo: 'other/tool', number: 24, author: 'maya', ageHours: 48 });

  // Sprints: Payments' board 1 and Platform's board 2, both started 4 days ago.
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at)
     VALUES ('jira', 'p1', '1', 'Pay Sprint 3', 'active', $1, $2), ('jira', 'q1', '2', 'Plat Sprint 9', 'active', $1, $2)`,
    [hoursBefore(96), hoursBefore(-144)],
  );
  const old = { ageHours: 240 };
  await ticket(db, { key: 'PAY-1', sprintIds: ['p1'], points: 3, status: 'Done', statusCategory: 'done', ...old });
  await ticket(db, {
    key: 'PAY-2',
    sprintIds: ['p1'],
    points: 5,
    status: 'In Progress',
    statusCategory: 'indeterminate',
    ...old,
  });
  for (const n of [1, 2, 3]) await ticket(db, { key: `PLAT-${n}`, sprintIds: ['q1'], points: 2, ...old });
}

describeEachEngine('reports scoped to a team, through Slack', ({ freshDb }) => {
  let h: BotHarness | undefined;
  let rulesDir: string | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  });

  async function start(db: Db) {
    rulesDir = mkdtempSync(path.join(tmpdir(), 'em-team-rules-'));
    writeFileSync(path.join(rulesDir, 'r.yml'), '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n');
    const engine = new EngineAtNow({ db, logger: silent, rules: new RuleBook(rulesDir) });
    const settings = { bandSet: '2023' as const, timezone: 'UTC', now: () => NOW };
    h = await startBotHarness({
      db,
      register: (commands) =>
        commands
          .registerOwn(doraSyntax, doraCommand(settings))
          .registerOwn(triageSyntax, triageCommand(engine))
          .registerOwn(
            standupSyntax,
            standupCommand(undefined, () => NOW),
          )
          .registerOwn(
            sprintSyntax,
            sprintCommand(undefined, () => NOW),
          )
          .registerOwn(signalsSyntax, signalsCommand(engine))
          .registerOwn(teamSyntax, teamCommand()),
    });
    return h;
  }

  /** What `user` sees for `/em <text>`: the reply that replaced "Working on…". */
  async function ask(harness: BotHarness, user: string, text: string): Promise<string> {
    const before = harness.emulator.ephemeralsFor(user).length;
    await harness.emulator.command({ user, channel: harness.channels.eng, text });
    const reply = await harness.emulator.waitFor(
      () =>
        harness.emulator
          .ephemeralsFor(user)
          .slice(before)
          .map((e) => visibleText(e))
          .find((t) => !t.includes('Working on')),
      60_000,
      `/em ${text}`,
    );
    // Links as their labels, as a person reads them.
    return reply.replace(/<[^|>@#]+\|([^>]+)>/g, '$1');
  }

  test('DORA 2021 time to restore per team: the incidents its own deployments caused, with their evidence', async () => {
    const db = await freshDb();
    await seed(db, { alice: 'U0ALICE', bob: 'U0BOB' }, { eng: 'C0ENG', leads: 'C0LEADS' });
    const window = { from: new Date(NOW.getTime() - 14 * 86_400_000), to: NOW };
    const restoreOf = async (team?: string) => {
      const scope = team ? await scopeFor(db, 'U0ALICE', team) : null;
      const repos = scope?.repos;
      const metrics = await doraMetrics(db, { ...window, repos });
      const evidence = await doraEvidence(db, 'time_to_restore_hours', { ...window, repos });
      return { hours: metrics.timeToRestoreHours, evidence: evidence.map((e) => e.label) };
    };
    // INC-1 (opened 11:00, resolved 13:00 = 2 h) was caused by d2 on acme/pay-api: Payments' and the org's.
    // INC-2 is still open. Platform restored nothing its deployments broke.
    expect(await restoreOf('payments')).toEqual({ hours: 2, evidence: ['INC-1 Card payments failing'] });
    expect(await restoreOf('platform')).toEqual({ hours: null, evidence: [] });
    expect(await restoreOf()).toEqual({ hours: 2, evidence: ['INC-1 Card payments failing'] });
  }, 180_000);

  test('DORA per team: each team from its repositories, the shared one in both', async () => {
    const db = await freshDb();
    const harness = await start(db);
    await seed(db, harness.users, harness.channels);
    const { alice } = harness.users;

    const pay = await ask(harness, alice, 'dora 14d payments');
    expect(pay).toContain('Team *Payments* (`payments`)');
    // Payments: d1 (11-12), d3 (11-13) in week 1; d2 (11-20) in week 2 → days 2 and 1, median 1.5; 3 deployments.
    expect(pay).toContain('*Deployment frequency*: 1.5 deployment days/week, 3 deployments');
    // PRs shipped from its repositories: 6 h (pay-api#1) and 12 h (shared#2) → 9 h.
    expect(pay).toContain('*Lead time for changes*: 9.0 h');
    // INC-1 was confirmed against d2: 1 of 3. Recovery: 13:00 − d2's 10:00 = 3 h.
    expect(pay).toContain('*Change failure rate*: 33% (1 of 3)');
    expect(pay).toContain('*Failed deployment recovery time*: 3.0 h');
    expect(pay).toContain('`acme/pay-api`');
    expect(pay).toContain('`acme/shared`');
    expect(pay).not.toContain('`acme/platform`');

    const plat = await ask(harness, alice, 'dora 14d platform');
    // Platform: d3 (11-13), d4 (11-14), d5 (11-15) in week 1; d6 (11-21) in week 2 → 3 and 1, median 2; 4 in all.
    expect(plat).toContain('*Deployment frequency*: 2 deployment days/week, 4 deployments');
    // 12 h (shared#2) and 10 h (platform#3) → 11 h.
    expect(plat).toContain('*Lead time for changes*: 11.0 h');
    // INC-2 opened after d6 (platform), the latest deployment before it: 1 of 4 = 25%.
    expect(plat).toContain('*Change failure rate*: 25% (1 of 4)');
    expect(plat).not.toContain('`acme/pay-api`');

    // The org: six deployments, days {12, 13, 14, 15} and {20, 21} → median (4 + 2) / 2 = 3; lead 6, 10, 12 → 10 h.
    const org = await ask(harness, alice, 'dora 14d org');
    expect(org).not.toContain('Team *');
    expect(org).toContain('*Deployment frequency*: 3 deployment days/week, 6 deployments');
    expect(org).toContain('*Lead time for changes*: 10.0 h');
    expect(org).toContain('*Change failure rate*: 33% (2 of 6)');
    // Alice manages two teams: without a team she sees the org.
    expect(await ask(harness, alice, 'dora 14d')).toContain('3 deployment days/week, 6 deployments');
    // A misspelt team is matched; a name no team has is answered in one line, escaped.
    expect(await ask(harness, alice, 'dora 14d paymnts')).toContain('1.5 deployment days/week, 3 deployments');
    const unknown = await ask(harness, alice, 'dora 14d <!channel> zzz');
    expect(unknown).toContain('No team is called "&lt;!channel&gt; zzz"');
  }, 180_000);

  test('standup, sprint, triage and signals per team; a person in one team gets it by default', async () => {
    const db = await freshDb();
    const harness = await start(db);
    await seed(db, harness.users, harness.channels);
    const { alice, bob } = harness.users;

    // Standup: Payments = maya and lee (raj's merge is Platform's); Platform = lee and raj; lee is in both.
    const payStandup = await ask(harness, alice, 'standup 24 payments');
    expect(payStandup).toContain('<@U0MAYA>');
    expect(payStandup).toContain('<@U0LEE>');
    expect(payStandup).not.toContain('<@U0RAJ>');
    expect(payStandup).toContain('*Team*: 0 merged · 2 opened');
    const platStandup = await ask(harness, alice, 'standup platform');
    expect(platStandup).toContain('<@U0LEE>');
    expect(platStandup).toContain('<@U0RAJ>');
    expect(platStandup).not.toContain('<@U0MAYA>');
    expect(platStandup).toContain('*Team*: 1 merged · 1 opened');
    expect(await ask(harness, alice, 'standup')).toContain('*Team*: 1 merged · 2 opened'); // the org

    // Sprint: each team's board. Payments: PAY-1 (3, done) and PAY-2 (5) = 2 items, 8 points; 3 done.
    const paySprint = await ask(harness, alice, 'sprint payments');
    expect(paySprint).toContain('Pay Sprint 3');
    expect(paySprint).toContain('*Committed*: 2 items, 8 points · *completed*: 1 items, 3 points');
    // Bob is in Platform alone: his default. PLAT-1..3, 2 points each, none done.
    const bobSprint = await ask(harness, bob, 'sprint');
    expect(bobSprint).toContain('Team *Platform*');
    expect(bobSprint).toContain('Plat Sprint 9');
    expect(bobSprint).toContain('*Committed*: 3 items, 6 points · *completed*: 0 items, 0 points');

    // Triage: stale PRs by repository or author. Payments: pay-api#20, shared#21 (shared repo), other/tool#24
    // (maya's) = 3; Platform: shared#21, platform#22 = 2; the org: 5. INC-2 (project PAY) is Payments' alone.
    const payTriage = await ask(harness, alice, 'triage payments');
    expect(payTriage).toContain('Open incidents* (1)');
    expect(payTriage).toContain('Stale pull requests* (3)');
    for (const ref of ['acme/pay-api#20', 'acme/shared#21', 'other/tool#24']) expect(payTriage).toContain(ref);
    const platTriage = await ask(harness, alice, 'triage platform');
    expect(platTriage).not.toContain('Open incidents');
    expect(platTriage).toContain('Stale pull requests* (2)');
    expect(platTriage).toContain('acme/platform#22');
    expect(await ask(harness, alice, 'triage org')).toContain('Stale pull requests* (5)');

    // Signals: the same open signals, filtered the same way.
    expect(await ask(harness, alice, 'signals payments')).toContain('*Signals* (3 open)');
    expect(await ask(harness, bob, 'signals')).toContain('*Signals* (2 open)'); // bob's team: Platform
    expect(await ask(harness, bob, 'signals all')).toContain('*Signals* (5 open)');

    // The teams themselves.
    const list = await ask(harness, alice, 'team list');
    expect(list).toContain('*Payments* (`payments`) — 2 members');
    expect(list).toContain('*Platform* (`platform`) — 3 members');
    const card = await ask(harness, alice, 'team show plat');
    expect(card).toContain('`acme/platform`, `acme/shared`');
    expect(card).toContain('Managed in Slack');
  }, 180_000);

  test('reports.yml: a standup and a sprint report by team (its members, channel and board); the people: form still works', async () => {
    const db = await freshDb();
    const harness = await start(db);
    await seed(db, harness.users, harness.channels);
    const ws = harness.emulator.workspace;
    ws.channels.get(harness.channels.leads)?.members.add(ws.botUserId);
    const webChannel = ws.addChannel('web', { members: [ws.botUserId] }).id;
    const job = (clock: Date) =>
      scheduledReportsJob({
        schedules: schedulesSchema.parse({
          standups: [
            { team: 'payments', times: ['12:00'] }, // the team's channel (#eng) and calendar (UTC, Mon–Fri)
            { team: 'web', channel: webChannel, times: ['12:00'], people: ['raj'] }, // no such team
          ],
          sprint: { team: 'platform', at: ['midpoint'] }, // to Platform's channel (#eng-leads)
        }),
        slack: () => harness.bot.app.client,
        logger: silent,
        clock: () => clock,
      });
    const ctx = { db, logger: silent, touch: async () => {}, signal: new AbortController().signal };
    // Wednesday 12:00: the 12:00 slot is due (its standup covers the 24 hours to it); the sprint's mid-point
    // (NOW + 24 h) is not.
    await job(NOW).run(ctx, {});
    await harness.emulator.settle();
    const standups = harness.emulator.messagesIn(harness.channels.eng).map((m) => visibleText(m));
    expect(standups).toHaveLength(1);
    expect(standups[0]).toContain('Team *Payments*');
    expect(standups[0]).toContain('<@U0MAYA>');
    expect(standups[0]).toContain('<@U0LEE>');
    expect(standups[0]).not.toContain('<@U0RAJ>');
    const web = harness.emulator.messagesIn(webChannel).map((m) => visibleText(m));
    expect(web).toHaveLength(1);
    expect(web[0]).toContain('<@U0RAJ>');
    expect(web[0]).not.toContain('<@U0MAYA>');
    expect(harness.emulator.messagesIn(harness.channels.leads)).toHaveLength(0);

    // A day later the mid-point of Platform's sprint (board 2) has passed: its report goes to Platform's channel.
    await job(new Date(NOW.getTime() + 25 * 3_600_000)).run(ctx, {});
    await harness.emulator.settle();
    const sprint = harness.emulator.messagesIn(harness.channels.leads).map((m) => visibleText(m));
    expect(sprint).toHaveLength(1);
    expect(sprint[0]).toContain('Team *Platform*');
    expect(sprint[0]).toContain('Plat Sprint 9');
  }, 120_000);
});
