// The weekly OKR check-in DM, through the real bot and the Slack emulator, on both engines: an owner Slack cannot
// DM (an id it does not know: a typo in okrs.yml, or an account deleted) costs that owner their DM, and nobody else
// theirs. Until 2026-12-08 the job stopped at the first owner Slack refused, so every owner after them in the list
// went without a check-in request all week, tick after tick.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { applyOkrsFile, loadOkrsFile } from '../../src/okrs/file.js';
import { sendCheckinRequests } from '../../src/okrs/jobs.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
/** A Slack user id no workspace member has; it sorts before the emulator's ids, so it is asked first. */
const GONE = 'U00';

describeEachEngine('OKR check-in requests when Slack refuses one owner', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-okr-delivery-'));
    h = await startBotHarness({ db });
    const { alice, bob } = h.users;
    await saveTeam(db, teamInput.parse({ key: 'payments', name: 'Payments', members: [alice], managers: [bob] }), {
      actor: 'test',
    });
    const file = path.join(dir, 'okrs.yml');
    writeFileSync(
      file,
      [
        'okrs:',
        '  - { team: payments, quarter: 2026Q4, objectives: [{ title: Reliable checkout, key_results: [',
        `      { title: Retire the old gateway, owner: ${GONE}, work: { jira: { labels: [gateway] } } },`,
        `      { title: Ship the new checkout flow, owner: ${alice}, work: { jira: { labels: [checkout] } } } ] }] }`,
      ].join('\n'),
    );
    await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the other owners still get their check-in DM, once', async () => {
    const { alice } = h.users;
    const notifications = new NotificationService({
      db,
      logger,
      slack: () => h.bot.app.client,
      policies: new PolicyBook(path.join(dir, 'policies')).reload(),
      expand: async () => [],
      scopes: 0,
      clock: () => NOW,
    });
    const send = () =>
      sendCheckinRequests({
        db,
        slack: () => h.bot.app.client,
        dmGate: notifications.gate,
        clock: () => NOW,
        logger,
      });
    const requests = () =>
      h.emulator
        .messagesIn(h.emulator.workspace.imWith(alice).id)
        .map((m) => visibleText(m))
        .filter((t) => t.includes('Weekly OKR check-in'));

    expect(await send()).toEqual([alice]);
    expect(await send()).toEqual([]); // alice's is sent for the week; the unknown owner is tried again later
    await h.emulator.settle();
    expect(requests()).toHaveLength(1);
    expect(requests()[0]).toContain('Ship the new checkout flow');
    expect(requests()[0]).not.toContain('Retire the old gateway');
  }, 120_000);
});
