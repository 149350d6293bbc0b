// The onboarding autopilot through the real bot, the Slack emulator and the GitHub stand-in, on both engines: a plan
// from a template with every task kind, the checklist's state surviving a restart, an access request approved and
// executed, an overdue task nudged in the digest, the manager's summary at the end, and templates' file:line errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APPROVE_ACTION } from '../../blocks/approvals/messages.js';
import { ONBOARDING_CHECK_ACTION, onboardingTakeAction } from '../../blocks/onboarding.js';
import { GitHubStandIn } from '../../dev/github/server.js';
import { approvalsCapability } from '../../src/approvals/capability.js';
import { type ExecutorClients, execute } from '../../src/approvals/executors.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { upsertDoc } from '../../src/ask/docs-store.js';
import { runTool } from '../../src/capabilities/tool.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { recordIdentity } from '../../src/identity/store.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { onboardingCapability } from '../../src/onboarding/capability.js';
import { OnboardingService } from '../../src/onboarding/service.js';
import { TemplateBook } from '../../src/onboarding/templates.js';
import { onboardingProgressTool } from '../../src/onboarding/tools.js';
import { createSlackBot, type SlackBot } from '../../src/slack/bot.js';
import { CommandRegistry } from '../../src/slack/commands.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { YamlFileError } from '../../src/yaml-file.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW, pr, ticket } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
/** The fixtures' now: Wednesday 25 November 2026, 12:00 UTC (noon in London, the emulator's time zone). */
const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

const TEMPLATE = `description: Payments onboarding
reading_list: auto
ends_after_days: 30
tasks:
  - { title: Join the team channel, kind: access, owner: manager, day: 1, access: { slack_channels: team } }
  - { title: Join the payments GitHub team, kind: access, owner: manager, day: 1, access: { github_team: acme/payments } }
  - { title: VPN account, kind: access, owner: manager, day: 2, access: { system: VPN } }
  - title: Read the runbooks
    kind: read
    day: 2
    links: [https://wiki.acme.dev/pay/runbook, https://wiki.acme.dev/pay/missing]
  - { title: Meet your manager and buddy, kind: meet, day: 1, people: [manager, buddy] }
  - { title: Pick a first issue, kind: first_issue, week: 1 }
  - { title: Set up your laptop, kind: text, day: 1 }
  - { title: Pair on a review, kind: text, owner: buddy, week: 2 }
`;

const POLICIES = `policies:
  - { action: slack.invite, mode: auto }
  - { action: github.assign, mode: auto }
  - { action: github.team_add, mode: approve, approvers: ['@eng-leads'] }
`;

describeEachEngine('onboarding autopilot', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let gh: GitHubStandIn;
  let bot: SlackBot;
  const clock = { now: NOW };
  const clients: ExecutorClients = {};
  let service: OnboardingService;
  let notifications: NotificationService;
  let approvals: ApprovalService;
  let policies: PolicyBook;
  let templates: TemplateBook;
  let dana: string;
  let lena: string;
  let payments: string;
  let issueNumber: number;
  let alice: string;
  let bob: string;

  /** The service and the bot's Slack surface as src/app.ts wires them; called again to "restart". */
  function startService(): { service: OnboardingService; deps: SlackDeps } {
    const s = new OnboardingService({
      db,
      logger,
      slack: () => clients.slack,
      templates,
      policies,
      approvals,
      notifications,
      clock: () => clock.now,
    });
    const capability = onboardingCapability(s);
    const commands = new CommandRegistry().registerAll(capability.commands ?? []);
    const deps: SlackDeps = {
      db,
      logger,
      commands,
      home: capability.home ?? [],
      surfaces: [capability.slack, approvalsCapability(approvals).slack].filter((x) => x !== undefined),
    };
    return { service: s, deps };
  }

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-onboarding-'));
    mkdirSync(path.join(dir, 'onboarding'));
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(path.join(dir, 'onboarding', 'payments.yml'), TEMPLATE);
    writeFileSync(path.join(dir, 'policies', 'onboarding.yml'), POLICIES);
    policies = new PolicyBook(path.join(dir, 'policies')).reload();
    templates = new TemplateBook(path.join(dir, 'onboarding'));

    gh = await new GitHubStandIn().start();
    gh.addInstallation(7, ['acme/pay']);
    gh.addTeam('acme', 'payments', ['maya']);
    issueNumber = gh.addIssue('acme/pay', {
      title: 'Fix the typo in refunds',
      author: 'maya',
      labels: ['good first issue'],
    }).number;
    const app = createGitHubApp({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: gh.url,
      logger,
      retryBaseMs: 5,
    });
    clients.github = () => app.getInstallationOctokit(7);

    h = await startBotHarness({ db });
    await h.bot.stop();
    ({ alice, bob } = h.users);
    const ws = h.emulator.workspace;
    dana = ws.addUser({ name: 'dana', real_name: 'Dana Doe', email: 'dana@acme.dev' }).id;
    lena = ws.addUser({ name: 'lena', real_name: 'Lena Lead', email: 'lena@acme.dev' }).id;
    ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [lena] });
    payments = ws.addChannel('payments', { members: [alice, bob, ws.botUserId] }).id;

    await saveTeam(
      db,
      teamInput.parse({
        key: 'payments',
        name: 'Payments',
        members: [bob, dana],
        managers: [alice],
        // Written by name, as the New team form takes it: the invitation resolves it to the channel.
        channel: '#payments',
        repos: ['acme/pay'],
      }),
      { actor: 'test' },
    );
    await recordIdentity(db, { email: 'dana@acme.dev', github: 'dana-gh', slack: dana, displayName: 'Dana Doe' }, true);
    const doc = (id: string, title: string, url: string) =>
      upsertDoc(db, {
        source: 'confluence',
        externalId: id,
        title,
        url,
        updatedAt: at(-10),
        body: title,
        format: 'text',
      });
    await doc('1', 'Payments architecture', 'https://wiki.acme.dev/pay/arch');
    await doc('2', 'Runbook: card refunds', 'https://wiki.acme.dev/pay/runbook');
    await doc('3', 'Mobile release guide', 'https://wiki.acme.dev/mobile/release');
    // A private channel's document (as a private incident's postmortem is): never on a reading list.
    await doc('4', 'Payments outage postmortem', 'https://wiki.acme.dev/pay/private-postmortem');
    await db.query("UPDATE docs SET visible_in = 'G0PRIVATE' WHERE external_id = '4'");
    // The stand-in's issue as the GitHub sync stores it; an assigned one and a closed one are not offered.
    await ticket(db, {
      source: 'github',
      key: `acme/pay#${issueNumber}`,
      project: 'acme/pay',
      title: 'Fix the typo in refunds',
      labels: ['good first issue'],
      url: `https://github.com/acme/pay/issues/${issueNumber}`,
    });
    await ticket(db, {
      source: 'github',
      key: 'acme/pay#9',
      project: 'acme/pay',
      labels: ['good first issue'],
      assignee: 'maya',
    });
    await ticket(db, {
      source: 'github',
      key: 'acme/pay#8',
      project: 'acme/pay',
      labels: ['good first issue'],
      statusCategory: 'done',
    });

    approvals = new ApprovalService({ db, logger, policies, clients });
    notifications = new NotificationService({
      db,
      logger,
      slack: () => clients.slack,
      policies,
      expand: (a) => approvals.expandApprovers(a),
      scopes: 0,
      settings: { realtimeCap: 3 },
      clock: () => clock.now,
    });
    const started = startService();
    service = started.service;
    bot = createSlackBot(
      {
        botToken: h.emulator.botToken,
        appToken: h.emulator.appToken,
        apiUrl: h.emulator.apiUrl,
        clientPingTimeoutMs: 1000,
      },
      started.deps,
    );
    await bot.start();
    clients.slack = bot.app.client;
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await h?.emulator.stop();
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const dmsTo = (user: string) => {
    const im = h.emulator.workspace.imWith(user);
    return h.emulator.messagesIn(im.id).filter((m) => m.user === h.emulator.workspace.botUserId);
  };
  /** The welcome DM as dana sees it now (it is redrawn in place). */
  const welcome = () => {
    const found = dmsTo(dana).find((m) => visibleText(m).includes('onboarding checklist'));
    if (!found) throw new Error('no welcome DM');
    return {
      ts: found.ts,
      channel: h.emulator.workspace.imWith(dana).id,
      text: visibleText(found),
      blocks: found.blocks,
    };
  };
  async function reply(user: string, text: string): Promise<string> {
    const before = h.emulator.ephemeralsFor(user).length;
    await h.emulator.command({ user, channel: h.channels.eng, text });
    return h.emulator.waitFor(
      () =>
        h.emulator
          .ephemeralsFor(user)
          .slice(before)
          .map((e) => visibleText(e))
          .find((t) => !t.includes('Working on')),
      60_000,
      `/em ${text}`,
    );
  }
  /** The checklist is redrawn after each tick: waits until it shows `text`. */
  const welcomeShows = (text: string) =>
    h.emulator.waitFor(() => welcome().text.includes(text), 30_000, `the checklist showing ${text}`);
  const progress = async () => {
    const plan = await runTool(onboardingProgressTool(service), { person: { slackId: dana }, db, logger }, {});
    if (!plan) throw new Error('no plan');
    return plan;
  };
  const taskId = async (title: string) => {
    const found = (await progress()).tasks.find((t) => t.title === title);
    if (!found) throw new Error(`no task ${title}`);
    return found.id;
  };
  async function tick(user: string, title: string, checked = true) {
    const id = await taskId(title);
    const w = welcome();
    await h.emulator.check({
      user,
      actionId: ONBOARDING_CHECK_ACTION,
      value: String(id),
      checked,
      where: { channel: w.channel, ts: w.ts },
    });
    await h.emulator.waitFor(
      async () => (await progress()).tasks.find((t) => t.id === id)?.status === (checked ? 'done' : 'open'),
      30_000,
      `${title} ticked`,
    );
  }

  test('a plan from a template with every task kind: the welcome checklist, the channel invitation done, the GitHub team proposed', async () => {
    // Only the team's managers (or whoever policy names for onboarding.start) may start one.
    expect(await reply(bob, `onboard <@${dana}> payments buddy <@${bob}>`)).toContain("Only Payments's managers");

    // Someone who is not in the workspace is refused before anything starts (no plan, no "welcome DM is sent").
    expect(await reply(alice, 'onboard <@U9NOBODY> payments')).toContain('There is no Slack user U9NOBODY');
    const answer = await reply(alice, `onboard <@${dana}|dana> payments buddy <@${bob}> template payments`);
    expect(answer).toContain('The welcome DM is sent.');
    // 8 tasks in the template + the automatic reading list = 9; two access requests em-agent can perform.
    expect(answer).toContain('*9* tasks, 2 access request(s)');
    expect(answer).toContain('https://wiki.acme.dev/pay/missing is not in the ask index');

    const plan = await progress();
    expect(plan.tasks.map((t) => [t.kind, t.title, t.ownerRole, t.dueAt?.toISOString().slice(0, 10) ?? null])).toEqual([
      // week 1 = working day 5: Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1 Dec.
      ['read', "Read the team's most useful documents", 'new_hire', '2026-12-01'],
      ['access', 'Join the team channel', 'manager', '2026-11-25'],
      ['access', 'Join the payments GitHub team', 'manager', '2026-11-25'],
      ['access', 'VPN account', 'manager', '2026-11-26'],
      ['read', 'Read the runbooks', 'new_hire', '2026-11-26'],
      ['meet', 'Meet your manager and buddy', 'new_hire', '2026-11-25'],
      ['first_issue', 'Pick a first issue', 'new_hire', '2026-12-01'],
      ['text', 'Set up your laptop', 'new_hire', '2026-11-25'],
      // week 2 = working day 10: Tue 8 Dec.
      ['text', 'Pair on a review', 'buddy', '2026-12-08'],
    ]);
    const [auto, channel, githubTeam, vpn, read, meet, issue] = plan.tasks;
    // The team's most useful documents: the one whose title names the team (no answer was marked helpful yet).
    expect(auto?.links).toEqual([
      { url: 'https://wiki.acme.dev/pay/arch', title: 'Payments architecture', indexed: true },
    ]);
    expect(read?.links).toEqual([
      { url: 'https://wiki.acme.dev/pay/runbook', title: 'Runbook: card refunds', indexed: true },
      { url: 'https://wiki.acme.dev/pay/missing', title: null, indexed: false },
    ]);
    expect(meet?.people).toEqual([alice, bob]);
    // Only the open, unassigned issue labelled for newcomers.
    expect(issue?.issues?.map((i) => i.key)).toEqual([`acme/pay#${issueNumber}`]);
    expect(vpn?.system).toBe('VPN');
    // slack.invite is auto by policy: dana is in the team channel already, and the task is done.
    expect(channel?.status).toBe('done');
    expect(h.emulator.workspace.channels.get(payments)?.members.has(dana)).toBe(true);
    // github.team_add needs @eng-leads: proposed, not done.
    expect([githubTeam?.status, githubTeam?.approval?.status]).toEqual(['open', 'proposed']);
    expect(gh.teams.get('acme/payments')?.has('dana-gh')).toBe(false);

    const w = welcome();
    expect(w.text).toContain('Welcome to Payments');
    expect(w.text).toContain('1 of 9 done');
    for (const shown of [
      'Payments architecture',
      'Runbook: card refunds',
      '(not in the ask index)',
      'Fix the typo in refunds',
      'VPN',
      "em-agent's request: *proposed*",
    ])
      expect(w.text).toContain(shown);
    // One checkbox per task, the done one ticked.
    const boxes = (w.blocks as { accessory?: { type: string; initial_options?: unknown[] } }[]).filter(
      (b) => b.accessory?.type === 'checkboxes',
    );
    expect(boxes).toHaveLength(9);
    expect(boxes.filter((b) => b.accessory?.initial_options?.length)).toHaveLength(1);

    expect(await reply(alice, 'onboarding')).toContain('*1 of 9* done');
    // Progress is for those taking part (and the team's managers): lena, an approver, does not see dana's plan.
    const asLena = await runTool(
      onboardingProgressTool(service),
      { person: { slackId: lena }, db, logger },
      { person: dana },
    );
    expect(asLena).toBeNull();
    const asAlice = await runTool(
      onboardingProgressTool(service),
      { person: { slackId: alice }, db, logger },
      { person: dana },
    );
    expect(asAlice?.tasks).toHaveLength(9);
  }, 120_000);

  test('ticked boxes are stored: after a restart the checklist and Home still show them', async () => {
    await tick(dana, 'Set up your laptop');
    await tick(dana, 'Meet your manager and buddy');
    await welcomeShows('3 of 9 done');

    // Restart: a new bot process and a new service over the same database; Slack keeps the DM.
    await bot.stop();
    const restarted = startService();
    service = restarted.service;
    bot = createSlackBot(
      {
        botToken: h.emulator.botToken,
        appToken: h.emulator.appToken,
        apiUrl: h.emulator.apiUrl,
        clientPingTimeoutMs: 1000,
      },
      restarted.deps,
    );
    await bot.start();
    clients.slack = bot.app.client;

    await h.emulator.openHome(bob);
    const home = await h.emulator.waitFor(
      () => visibleText(h.emulator.homeOf(bob)).includes('3 of 9') && visibleText(h.emulator.homeOf(bob)),
      30_000,
      "bob's Home",
    );
    expect(home).toContain('Onboarding');
    // Unticking one and ticking it again after the restart: still 3 (the stored two plus nothing new).
    await tick(dana, 'Set up your laptop', false);
    await welcomeShows('2 of 9 done');
    await tick(dana, 'Set up your laptop');
    await welcomeShows('3 of 9 done');
  }, 120_000);

  test('an access request approved by @eng-leads is executed: dana joins the GitHub team and the task is done', async () => {
    const proposal = await h.emulator.waitFor(
      () => dmsTo(lena).find((m) => visibleText(m).includes('payments GitHub team')),
      30_000,
      'the proposal to lena',
    );
    await h.emulator.click({
      user: lena,
      actionId: APPROVE_ACTION,
      where: { channel: h.emulator.workspace.imWith(lena).id, ts: proposal.ts },
    });
    await h.emulator.waitFor(() => gh.teams.get('acme/payments')?.has('dana-gh'), 30_000, 'dana in acme/payments');
    expect(
      gh.calls.filter((c) => c.method === 'PUT' && c.path === '/orgs/acme/teams/payments/memberships/dana-gh'),
    ).toHaveLength(1);
    // The approval is marked executed once GitHub answered: the plan's next refresh (the job's tick) sees it.
    const task = await h.emulator.waitFor(
      async () => {
        await service.refresh((await progress()).id);
        const t = (await progress()).tasks.find((x) => x.title === 'Join the payments GitHub team');
        return t?.status === 'done' && t;
      },
      30_000,
      'the GitHub team task done',
    );
    expect(task.approval?.status).toBe('executed');
    await welcomeShows('4 of 9 done');
  }, 120_000);

  test('granting twice changes nothing: an invitation to a channel the person is in, a GitHub team they are in', async () => {
    const ctx = { db, clients, idempotencyKey: 'onboarding:again', attempt: 1 };
    expect(await execute('slack.invite', { channel: payments, users: [dana] }, ctx)).toEqual({
      channel: payments,
      already: true,
    });
    const again = await execute(
      'github.team_add',
      { repo: 'acme/pay', org: 'acme', team: 'payments', username: 'dana-gh' },
      ctx,
    );
    expect(again).toEqual({ team: 'acme/payments', username: 'dana-gh', state: 'active' });
    expect([...(gh.teams.get('acme/payments') ?? [])]).toEqual(['maya', 'dana-gh']);
    // A team GitHub does not have fails for good (no retry can fix it).
    await expect(
      execute('github.team_add', { repo: 'acme/pay', org: 'acme', team: 'nope', username: 'dana-gh' }, ctx),
    ).rejects.toThrow('GitHub has no team acme/nope or no user dana-gh');
  }, 60_000);

  test('overdue tasks wait for the digest of their owner, and leave it once done', async () => {
    // Friday 27 November, noon: the tasks due on Thursday 26 are overdue (VPN: alice's; the runbooks: dana's).
    clock.now = at(2);
    const dmsBefore = dmsTo(dana).length;
    expect(await service.nudgeOverdue()).toBe(2);
    // Not a DM of its own: the pipeline holds it for the digest.
    expect(dmsTo(dana)).toHaveLength(dmsBefore);
    expect(await notifications.sendDigests()).toBe(2);
    const digest = await h.emulator.waitFor(
      () =>
        dmsTo(dana)
          .slice(dmsBefore)
          .map(visibleText)
          .find((t) => t.includes('Onboarding of Dana Doe')),
      30_000,
      "dana's digest",
    );
    expect(digest).toContain('Onboarding of Dana Doe: Read the runbooks');
    expect(dmsTo(alice).map(visibleText).join('\n')).toContain('Onboarding of Dana Doe: VPN account');

    await tick(dana, 'Read the runbooks');
    expect((await notifications.digestFor(dana)).lines).toHaveLength(0);
    expect((await notifications.digestFor(alice)).lines.map((l) => l.title)).toEqual([
      'Onboarding of Dana Doe: VPN account',
    ]);
  }, 120_000);

  test('at the end the manager gets a summary: done, late, skipped, and the days to the first merged PR', async () => {
    // dana's first PR merged on Friday 27 November, noon: two days after the start.
    await pr(db, {
      repo: 'acme/pay',
      number: 41,
      author: 'dana-gh',
      ageHours: 0,
      state: 'merged',
      mergedHoursAgo: -48,
    });
    // She takes the offered issue (github.assign is auto by policy) and ticks the reading list on time.
    const w = welcome();
    await h.emulator.click({ user: dana, actionId: onboardingTakeAction(0), where: { channel: w.channel, ts: w.ts } });
    await h.emulator.waitFor(
      () => gh.repos.get('acme/pay')?.issues.find((i) => i.number === issueNumber)?.assignee === 'dana-gh',
      30_000,
      'issue assigned',
    );
    await tick(dana, "Read the team's most useful documents");
    // The first issue on Wednesday 2 December: a day after its due day (late). Bob pairs on Monday 7 December.
    clock.now = at(7);
    await tick(dana, 'Pick a first issue');
    clock.now = at(12);
    await tick(bob, 'Pair on a review');
    // Thirty days on, the plan ends: the VPN task, never ticked, is skipped; the job summarises it to alice.
    clock.now = at(31);
    await service.nudgeOverdue();
    const summary = await h.emulator.waitFor(
      () =>
        dmsTo(alice)
          .map(visibleText)
          .find((t) => t.includes('is over')),
      30_000,
      'the summary',
    );
    // Done: reading list, channel, GitHub team, runbooks (late: Fri for Thu), meet, first issue (late), laptop, pair = 8.
    expect(summary).toContain('8 of 9 tasks done, 2 late, 1 skipped; first merged pull request after *2* day(s)');
    expect(summary).toContain('• VPN account');
    expect(await reply(alice, 'onboarding')).toContain('No onboarding plan is running');
  }, 120_000);
});

describe('onboarding templates', () => {
  test('the shipped onboarding/default.yml is valid and has every owner', () => {
    const book = new TemplateBook(path.resolve('onboarding')).reload();
    expect(book.problems).toEqual([]);
    const template = book.templates.get('default');
    expect(new Set(template?.tasks.map((t) => t.owner))).toEqual(new Set(['new_hire', 'buddy', 'manager']));
  });

  test('errors name the file, the line and the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'em-onboarding-yaml-'));
    try {
      const file = path.join(dir, 'broken.yml');
      writeFileSync(
        file,
        [
          'reading_list: sometimes',
          'tasks:',
          '  - { title: Laptop, kind: laptop }',
          '  - { title: Read, kind: read, day: 2, week: 1 }',
          '  - title: GitHub',
          '    kind: access',
          '    access: { github_team: not-a-team }',
        ].join('\n'),
      );
      writeFileSync(path.join(dir, 'default.yml'), 'tasks:\n  - { title: Hello }\n');
      const book = new TemplateBook(dir).reload();
      expect(book.names()).toEqual(['default']);
      const problems = book.problems.join('\n');
      expect(problems).toContain(`${file}:1: reading_list:`);
      expect(problems).toContain(`${file}:3: tasks.0.kind:`);
      expect(problems).toContain(`${file}:4: tasks.1.week: give day or week, not both`);
      expect(problems).toContain(`${file}:4: tasks.1.links: a read task needs links: (addresses, or auto)`);
      expect(problems).toContain(`${file}:7: tasks.2.access.github_team: must look like org/team-slug`);
      writeFileSync(file, 'tasks:\n  - { title: [unclosed\n');
      expect(() => new TemplateBook(dir).reload().templates.get('broken')).not.toThrow();
      expect(new TemplateBook(dir).reload().problems[0]).toMatch(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `),
      );
      expect(YamlFileError).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
