// "Start onboarding" on the Home tab, through the real bot and the Slack emulator, on both engines: the button is
// shown to a team's manager and not to a member; its modal runs onboarding.start (the new hire gets the welcome DM,
// the manager the same answer as `/em onboard` in a DM); refusals show next to their field and keep the modal open.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ONBOARDING_START_OPEN, START_FIELDS } from '../../blocks/onboarding.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { onboardingCapability } from '../../src/onboarding/capability.js';
import { OnboardingService } from '../../src/onboarding/service.js';
import { TemplateBook } from '../../src/onboarding/templates.js';
import type { SlackBot } from '../../src/slack/bot.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';
import { startCapabilityBot } from '../support/slack/capability-bot.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

const TEMPLATE = `description: Payments onboarding
ends_after_days: 30
tasks:
  - { title: Set up your laptop, kind: text, day: 1 }
  - { title: Pair on a review, kind: text, owner: buddy, week: 1 }
  - { title: Agree on goals, kind: text, owner: manager, week: 2 }
`;

describeEachEngine('Start onboarding from the Home tab', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let bot: SlackBot;
  let alice: string;
  let bob: string;
  let dana: string;
  let carol: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-onboarding-home-'));
    mkdirSync(path.join(dir, 'onboarding'));
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(path.join(dir, 'onboarding', 'payments.yml'), TEMPLATE);
    writeFileSync(path.join(dir, 'onboarding', 'default.yml'), 'tasks:\n  - { title: Hello, kind: text }\n');
    const policies = new PolicyBook(path.join(dir, 'policies')).reload();

    h = await startBotHarness({ db });
    await h.bot.stop();
    ({ alice, bob } = h.users);
    const ws = h.emulator.workspace;
    dana = ws.addUser({ name: 'dana', real_name: 'Dana Doe', email: 'dana@acme.dev' }).id;
    carol = ws.addUser({ name: 'carol', real_name: 'Carol Chief', email: 'carol@acme.dev' }).id;
    const team = (key: string, name: string, members: string[], managers: string[]) =>
      saveTeam(db, teamInput.parse({ key, name, members, managers }), { actor: 'test' });
    await team('payments', 'Payments', [bob, dana], [alice]);
    await team('mobile', 'Mobile', [carol], [carol]);

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
    const service = new OnboardingService({
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

  const dmsTo = (user: string) => {
    const im = h.emulator.workspace.imWith(user);
    return h.emulator
      .messagesIn(im.id)
      .filter((m) => m.user === h.emulator.workspace.botUserId)
      .map((m) => visibleText(m));
  };
  const homeOf = async (user: string) => {
    const before = h.emulator.homeOf(user)?.hash;
    await h.emulator.openHome(user);
    return h.emulator.waitFor(() => {
      const home = h.emulator.homeOf(user);
      return home && home.hash !== before && visibleText(home).includes('Onboarding') && JSON.stringify(home.blocks);
    });
  };
  /** The Start onboarding modal the person sees once they clicked the button on their Home. */
  async function openModal(user: string) {
    const before = h.emulator.topModalOf(user)?.id;
    await h.emulator.click({ user, actionId: ONBOARDING_START_OPEN, where: 'home' });
    return h.emulator.waitFor(() => {
      const modal = h.emulator.topModalOf(user);
      return modal && modal.id !== before && modal;
    });
  }

  test('the button is shown to a team manager, not to a member; its modal offers the teams they manage and the templates', async () => {
    expect(await homeOf(alice)).toContain(ONBOARDING_START_OPEN);
    expect(await homeOf(bob)).not.toContain(ONBOARDING_START_OPEN);
    expect(() => h.emulator.click({ user: bob, actionId: ONBOARDING_START_OPEN, where: 'home' })).toThrow('no button');

    const modal = await openModal(alice);
    const selects = (modal.blocks as { block_id: string; element: { options?: { value: string }[] } }[]).map((b) => [
      b.block_id,
      b.element?.options?.map((o) => o.value) ?? null,
    ]);
    // alice manages Payments only (not Mobile); the templates are the two files in onboarding/.
    expect(selects).toEqual([
      [START_FIELDS.person, null],
      [START_FIELDS.team, ['payments']],
      [START_FIELDS.buddy, null],
      [START_FIELDS.template, ['default', 'payments']],
    ]);
  }, 120_000);

  test('submitting starts the plan: the new hire gets the welcome DM, the manager the answer of /em onboard', async () => {
    await openModal(alice);
    const submitted = await h.emulator.submitView({
      user: alice,
      values: { [START_FIELDS.person]: dana, [START_FIELDS.team]: 'payments', [START_FIELDS.buddy]: bob },
    });
    expect(submitted.ack?.response_action).toBeUndefined();
    const welcome = await h.emulator.waitFor(() => dmsTo(dana).find((t) => t.includes('onboarding checklist')));
    // No template picked: the team's own (payments.yml), three tasks, none done yet.
    expect(welcome).toContain('Welcome to Payments');
    expect(welcome).toContain('0 of 3 done');
    const answer = await h.emulator.waitFor(() => dmsTo(alice).find((t) => t.includes('Onboarding started')));
    expect(answer).toContain('from template `payments`: *3* tasks, 0 access request(s)');
    // The plan is on the Home of its buddy.
    expect(visibleText(JSON.parse(`{"blocks":${await homeOf(bob)}}`))).toContain('*0 of 3* done');
  }, 120_000);

  test('a refused submission shows its reason next to the field and starts nothing', async () => {
    // dana's plan is running: a second one is refused on the new hire's field.
    await openModal(alice);
    const again = await h.emulator.submitView({
      user: alice,
      values: { [START_FIELDS.person]: dana, [START_FIELDS.team]: 'payments' },
    });
    expect(again.ack).toEqual({
      response_action: 'errors',
      // Slack shows a form's errors as plain text: the new hire reads as a name, not as `<@U…>`.
      errors: { [START_FIELDS.person]: '@Dana Doe already has a running onboarding plan.' },
    });

    // alice opens the modal, then is no longer Payments's manager: the same check as /em onboard refuses it.
    await openModal(alice);
    await saveTeam(
      db,
      teamInput.parse({ key: 'payments', name: 'Payments', members: [bob, dana], managers: [carol] }),
      {
        actor: 'test',
      },
    );
    const dmsBefore = dmsTo(bob).length;
    const refused = await h.emulator.submitView({
      user: alice,
      values: { [START_FIELDS.person]: bob, [START_FIELDS.team]: 'payments' },
    });
    expect(refused.ack).toEqual({
      response_action: 'errors',
      errors: {
        [START_FIELDS.team]:
          "Only Payments's managers, or whoever a policy names for `onboarding.start`, can start onboarding there.",
      },
    });
    expect(dmsTo(bob)).toHaveLength(dmsBefore);
    // And the button is gone from her Home.
    expect(await homeOf(alice)).not.toContain(ONBOARDING_START_OPEN);
  }, 120_000);
});
