// The welcome checklist as the new hire gets it, through the real bot and the Slack emulator, on both engines:
// - a plan longer than one message holds (Slack: 50 blocks) shows every task, each ticked where it is shown; until
//   2026-12-09 tasks after the 40th never appeared, could not be ticked, and were skipped when the plan ended;
// - a welcome DM that failed can be sent again from the new hire's Home ("Send me my checklist"); until 2026-12-09
//   the warning said "the checklist is on their Home tab", where only a one-line summary was, and nothing re-sent it;
// - "already has a running onboarding plan" names the new hire as a mention; until 2026-12-09 it showed `<@U…>`
//   escaped, as typed text.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ONBOARDING_CHECK_ACTION, ONBOARDING_RESEND_ACTION } from '../../blocks/onboarding.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { runTool } from '../../src/capabilities/tool.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { onboardingCapability } from '../../src/onboarding/capability.js';
import { OnboardingService } from '../../src/onboarding/service.js';
import { TemplateBook } from '../../src/onboarding/templates.js';
import { onboardingProgressTool } from '../../src/onboarding/tools.js';
import type { SlackBot } from '../../src/slack/bot.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';
import { startCapabilityBot } from '../support/slack/capability-bot.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

type Block = {
  type: string;
  block_id?: string;
  accessory?: { type: string; options?: { value: string }[]; initial_options?: { value: string }[] };
};

describeEachEngine('the welcome checklist', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let bot: SlackBot;
  let service: OnboardingService;
  let dana: string;
  let erin: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-onboarding-checklist-'));
    mkdirSync(path.join(dir, 'onboarding'));
    mkdirSync(path.join(dir, 'policies'));
    h = await startBotHarness({ db });
    await h.bot.stop();
    const { alice, bob } = h.users;
    const ws = h.emulator.workspace;
    dana = ws.addUser({ name: 'dana', real_name: 'Dana Doe', email: 'dana@acme.dev' }).id;
    erin = ws.addUser({ name: 'erin', real_name: 'Erin Ng', email: 'erin@acme.dev' }).id;
    // The most tasks a template holds (60), one of them listing three channels: 62 tasks.
    const channels = [h.channels.eng, h.channels.leads, h.channels.privateOps];
    const big = [
      'tasks:',
      `  - { title: Join the channels, kind: access, owner: manager, day: 1, access: { slack_channels: [${channels.join(', ')}] } }`,
      ...Array.from({ length: 59 }, (_, i) => `  - { title: Task ${i + 2}, kind: text, day: ${(i % 20) + 1} }`),
    ];
    writeFileSync(path.join(dir, 'onboarding', 'big.yml'), `${big.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'onboarding', 'default.yml'),
      'tasks:\n  - { title: Set up your laptop, kind: text }\n',
    );
    writeFileSync(path.join(dir, 'policies', 'invite.yml'), 'policies:\n  - { action: slack.invite, mode: auto }\n');
    const policies = new PolicyBook(path.join(dir, 'policies')).reload();
    await saveTeam(db, teamInput.parse({ key: 'payments', name: 'Payments', members: [bob], managers: [alice] }), {
      actor: 'test',
    });
    const approvals = new ApprovalService({ db, logger, policies, clients: {} });
    const notifications = new NotificationService({
      db,
      logger,
      slack: () => bot?.app.client,
      policies,
      expand: (a) => approvals.expandApprovers(a),
      scopes: 0,
      clock: () => NOW,
    });
    service = new OnboardingService({
      db,
      logger,
      slack: () => bot?.app.client,
      templates: new TemplateBook(path.join(dir, 'onboarding')),
      policies,
      approvals,
      notifications,
      clock: () => NOW,
    });
    const capability = onboardingCapability(service);
    bot = await startCapabilityBot(h.emulator, { db, logger }, capability);
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await h?.emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function reply(user: string, text: string): Promise<{ text: string; raw: string }> {
    const before = h.emulator.ephemeralsFor(user).length;
    await h.emulator.command({ user, channel: h.channels.eng, text });
    return h.emulator.waitFor(
      () => {
        const found = h.emulator
          .ephemeralsFor(user)
          .slice(before)
          .find((e) => !visibleText(e).includes('Working on'));
        return found && { text: visibleText(found), raw: JSON.stringify(found.blocks) };
      },
      60_000,
      `/em ${text}`,
    );
  }
  /** The bot's messages in the person's DM, oldest first. */
  const dmsTo = (user: string) =>
    h.emulator
      .messagesIn(h.emulator.workspace.imWith(user).id)
      .filter((m) => m.user === h.emulator.workspace.botUserId);
  /** The checkbox of each task shown in those messages, with where it is and whether it is ticked. */
  const boxes = (user: string) =>
    dmsTo(user).flatMap((m) =>
      ((m.blocks ?? []) as Block[])
        .filter((b) => b.accessory?.type === 'checkboxes')
        .map((b) => ({
          task: Number(b.accessory?.options?.[0]?.value),
          ts: m.ts,
          ticked: Boolean(b.accessory?.initial_options?.length),
        })),
    );
  const plan = async (person: string) => {
    const found = await runTool(onboardingProgressTool(service), { person: { slackId: person }, db, logger }, {});
    if (!found) throw new Error('no plan');
    return found;
  };

  test('a plan of 62 tasks: every task has its checkbox, and the last one ticks like the first', async () => {
    const { alice } = h.users;
    const answer = await reply(alice, `onboard <@${dana}> payments template big`);
    expect(answer.text).toContain('*62* tasks');
    expect(answer.text).toContain('The welcome DM is sent.');
    const tasks = (await plan(dana)).tasks;
    expect(tasks).toHaveLength(62);

    await h.emulator.waitFor(() => boxes(dana).length === 62, 30_000, 'every checkbox');
    expect(boxes(dana).map((b) => b.task)).toEqual(tasks.map((t) => t.id));
    // Slack's limit holds for each message (the emulator refuses more, as Slack does).
    for (const m of dmsTo(dana)) expect(m.blocks?.length).toBeLessThanOrEqual(50);
    expect(visibleText(dmsTo(dana)[0])).toContain('Welcome to Payments');

    const last = tasks.at(-1);
    const box = boxes(dana).find((b) => b.task === last?.id);
    if (!last || !box) throw new Error('no last task');
    expect(last.title).toBe('Task 60');
    await h.emulator.check({
      user: dana,
      actionId: ONBOARDING_CHECK_ACTION,
      value: String(last.id),
      checked: true,
      where: { channel: h.emulator.workspace.imWith(dana).id, ts: box.ts },
    });
    await h.emulator.waitFor(
      async () => (await plan(dana)).tasks.at(-1)?.status === 'done',
      30_000,
      'the last task done',
    );
    // Redrawn in place: ticked where it is, and counted on the first message.
    await h.emulator.waitFor(
      () => boxes(dana).find((b) => b.task === last.id)?.ticked && visibleText(dmsTo(dana)[0]).includes('of 62 done'),
      30_000,
      'the redrawn checklist',
    );
    expect(boxes(dana)).toHaveLength(62);
  }, 120_000);

  test('"already has a running onboarding plan" names the new hire as a mention', async () => {
    const answer = await reply(h.users.alice, `onboard <@${dana}> payments`);
    expect(answer.text).toContain(`<@${dana}> already has a running onboarding plan.`);
    expect(answer.raw).not.toContain('&lt;@');
  }, 60_000);

  test("a welcome DM that failed is sent again from the new hire's Home, and ticks", async () => {
    const { alice } = h.users;
    // The app was reinstalled without chat:write: the welcome DM cannot be posted.
    h.emulator.revokeScope('chat:write');
    const answer = await reply(alice, `onboard <@${erin}> payments`);
    h.emulator.grantScope('chat:write');
    expect(answer.text).toContain('The welcome DM could not be sent (missing_scope)');
    expect(answer.text).toContain('Send me my checklist');
    expect(answer.text).not.toContain('The welcome DM is sent.');
    expect(boxes(erin)).toHaveLength(0);

    await h.emulator.openHome(erin);
    await h.emulator.waitFor(
      () => JSON.stringify(h.emulator.homeOf(erin)?.blocks ?? []).includes(ONBOARDING_RESEND_ACTION),
      30_000,
      "the button on erin's Home",
    );
    await h.emulator.click({ user: erin, actionId: ONBOARDING_RESEND_ACTION, where: 'home' });
    await h.emulator.waitFor(() => boxes(erin).length === 1, 30_000, 'the checklist sent again');
    const [task] = (await plan(erin)).tasks;
    expect(visibleText(dmsTo(erin)[0])).toContain('Set up your laptop');

    // Sent again once more: the earlier copy goes, so one checklist is kept up to date.
    const first = dmsTo(erin)[0]?.ts;
    await h.emulator.click({ user: erin, actionId: ONBOARDING_RESEND_ACTION, where: 'home' });
    await h.emulator.waitFor(
      () => dmsTo(erin).length === 1 && dmsTo(erin)[0]?.ts !== first,
      30_000,
      'one checklist, the new one',
    );
    await h.emulator.settle();
    expect(dmsTo(erin)).toHaveLength(1);
    const [box] = boxes(erin);
    await h.emulator.check({
      user: erin,
      actionId: ONBOARDING_CHECK_ACTION,
      value: String(task?.id),
      checked: true,
      where: { channel: h.emulator.workspace.imWith(erin).id, ts: box?.ts as string },
    });
    await h.emulator.waitFor(() => boxes(erin)[0]?.ticked, 30_000, "erin's task ticked");
    // Her only task done: the plan is over and her manager has the summary.
    expect((await plan(erin)).finishedAt).not.toBeNull();
  }, 120_000);
});
