// The welcome DM names the new hire's team: a name its managers typed, so it pings and links nothing there, in the
// notification text as in the blocks. Through the real bot and the Slack emulator, on both engines. Until
// 2026-12-08 the welcome DM's text carried the team's name raw ("Welcome to Payments <!channel>: …").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import { LIVE } from '../support/hostile-text.js';
import { startCapabilityBot } from '../support/slack/capability-bot.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

describeEachEngine("the welcome DM and a team's name", ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let bot: SlackBot;
  let dana: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-onboarding-text-'));
    mkdirSync(path.join(dir, 'onboarding'));
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(path.join(dir, 'onboarding', 'default.yml'), 'tasks:\n  - { title: Hello, kind: text }\n');
    const policies = new PolicyBook(path.join(dir, 'policies')).reload();

    h = await startBotHarness({ db });
    await h.bot.stop();
    const { alice, bob } = h.users;
    dana = h.emulator.workspace.addUser({ name: 'dana', real_name: 'Dana Doe', email: 'dana@acme.dev' }).id;
    await saveTeam(
      db,
      teamInput.parse({ key: 'payments', name: 'Payments <!channel> <@U0EVIL>', members: [bob], managers: [alice] }),
      { actor: 'test' },
    );
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
    const capability = onboardingCapability(
      new OnboardingService({
        db,
        logger,
        slack: () => bot?.app.client,
        templates: new TemplateBook(path.join(dir, 'onboarding')),
        policies,
        approvals,
        notifications,
        clock: () => NOW,
      }),
    );
    bot = await startCapabilityBot(h.emulator, { db, logger }, capability);
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await h?.emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/em onboard: the welcome DM shows the name as typed and pings nobody', async () => {
    const { alice } = h.users;
    await h.emulator.command({ user: alice, channel: h.channels.eng, text: `onboard <@${dana}> payments` });
    const im = h.emulator.workspace.imWith(dana).id;
    const welcome = await h.emulator.waitFor(() =>
      h.emulator.messagesIn(im).find((m) => visibleText(m).includes('onboarding checklist')),
    );
    expect(visibleText(welcome)).toContain('Welcome to Payments &lt;!channel&gt; &lt;@U0EVIL&gt;');
    expect(welcome.text).toContain('Welcome to Payments &lt;!channel&gt;');
    expect(welcome.text).not.toMatch(LIVE);
    expect(JSON.stringify(welcome.blocks)).not.toMatch(LIVE);
  }, 120_000);
});
