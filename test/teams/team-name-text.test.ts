// A team's name is text a person typed (its managers may rename it in the Edit team modal): wherever the bot sends
// it, the notification text included, it pings and links nothing. Through the real bot and the Slack emulator, on
// both engines. Until 2026-12-08 the team's line in front of every scoped report put the name raw into the message's
// text, so a team renamed "Payments <!channel>" pinged its whole channel with each scheduled standup.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutorClients } from '../../src/approvals/executors.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { ownSubcommand } from '../../src/capabilities/capability.js';
import { createLogger } from '../../src/observability/logger.js';
import { scheduledReportsJob } from '../../src/reports/jobs.js';
import { schedulesSchema } from '../../src/reports/schedules.js';
import type { Db } from '../../src/store/db.js';
import { teamSyntax } from '../../src/teams/args.js';
import { teamCommand, teamsHomeSection, teamsSurface } from '../../src/teams/listeners.js';
import { teamAdminsFromPolicies } from '../../src/teams/permissions.js';
import { getTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';
import { LIVE } from '../support/hostile-text.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');
const HOSTILE_NAME = 'Payments <!channel> <@U0EVIL>';

describeEachEngine("a team's name in what the bot sends", ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let carol: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-team-name-'));
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(
      path.join(dir, 'policies', 'teams.yml'),
      `policies:\n  - { action: teams.edit, mode: approve, approvers: ['@eng-leads'] }\n`,
    );
    const policies = new PolicyBook(path.join(dir, 'policies'));
    const clients: ExecutorClients = {};
    const admins = teamAdminsFromPolicies(policies, new ApprovalService({ db, logger: silent, policies, clients }));
    h = await startBotHarness({
      db,
      surfaces: [teamsSurface(admins)],
      register: (commands) =>
        commands.registerAll([ownSubcommand({ ...teamSyntax, handler: teamCommand(), tools: ['teams.list'] })]),
    });
    clients.slack = h.bot.app.client;
    h.deps.home.splice(0, h.deps.home.length, teamsHomeSection(admins));
    const ws = h.emulator.workspace;
    carol = ws.addUser({ name: 'carol', real_name: 'Carol Diaz', email: 'carol@acme.dev' }).id;
    ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [h.users.alice] });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a manager renames the team with markup: the scheduled standup and /em team show ping nobody', async () => {
    const { alice, bob } = h.users;
    // Alice (a team admin) creates Payments with carol as its manager and #eng as its channel.
    await h.emulator.openHome(alice);
    await h.emulator.waitFor(() => visibleText(h.emulator.homeOf(alice)).includes('Team'), 30_000, 'Home');
    await h.emulator.click({ user: alice, actionId: 'team_new', where: 'home' });
    await h.emulator.waitFor(() => h.emulator.topModalOf(alice), 10_000, 'the New team modal');
    const created = await h.emulator.submitView({
      user: alice,
      values: { key: 'payments', name: 'Payments', members: [bob], managers: [carol], channel: h.channels.eng },
    });
    expect(created.ack).toEqual({});

    // Carol, its manager, renames it.
    await h.emulator.openHome(carol);
    await h.emulator.waitFor(() => visibleText(h.emulator.homeOf(carol)).includes('Showing *Payments*'), 30_000);
    await h.emulator.click({ user: carol, actionId: 'team_edit', value: 'payments', where: 'home' });
    await h.emulator.waitFor(() => h.emulator.topModalOf(carol), 10_000, 'the Edit team modal');
    const edited = await h.emulator.submitView({
      user: carol,
      values: { name: HOSTILE_NAME, members: [bob], managers: [carol], channel: h.channels.eng },
    });
    expect(edited.ack).toEqual({});
    expect((await getTeam(db, 'payments'))?.name).toBe(HOSTILE_NAME);

    // reports.yml's standup for the team goes to its channel.
    const job = scheduledReportsJob({
      schedules: schedulesSchema.parse({ standups: [{ team: 'payments', times: ['09:30'] }] }),
      slack: () => h.bot.app.client,
      logger: silent,
      clock: () => NOW,
    });
    await job.run({ db, logger: silent, touch: async () => {}, signal: new AbortController().signal }, {});
    await h.emulator.settle();
    const [standup] = h.emulator.messagesIn(h.channels.eng);
    expect(visibleText(standup)).toContain('Team *Payments &lt;!channel&gt; &lt;@U0EVIL&gt;*');
    expect(standup?.text).toContain('Payments &lt;!channel&gt;');
    expect(standup?.text).not.toMatch(LIVE);

    await h.emulator.command({ user: bob, channel: h.channels.eng, text: 'team show payments' });
    const card = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(bob).find((e) => visibleText(e).includes('(`payments`)')),
    );
    expect(card.text).not.toMatch(LIVE);
    expect(JSON.stringify(card.blocks)).not.toMatch(LIVE);
  }, 120_000);
});
