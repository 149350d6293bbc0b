// Who gets the weekly OKR check-in DM, through the real bot and the Slack emulator, on both engines: the key result's
// owner at the time the DM goes out, and nobody for an archived team. Until 2026-12-09 the request kept the owner
// recorded on the week's first tick (a new owner was never asked that week, and the old one was asked about a key
// result only the new owner may check in on), and an archived team's key results were still asked about every week.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import { applyOkrsFile, loadOkrsFile } from '../../src/okrs/file.js';
import { sendCheckinRequests } from '../../src/okrs/jobs.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { archiveTeam, saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

describeEachEngine('who is asked for the weekly OKR check-in', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let file: string;
  let carol: string;

  const writeOkrs = (gatewayOwner: string, checkoutOwner: string) => {
    const { alice } = h.users;
    writeFileSync(
      file,
      [
        'okrs:',
        '  - { team: payments, quarter: 2026Q4, objectives: [{ title: Reliable checkout, key_results: [',
        `      { title: Retire the old gateway, owner: ${gatewayOwner}, work: { jira: { labels: [gateway] } } },`,
        `      { title: Ship the new checkout flow, owner: ${checkoutOwner}, work: { jira: { labels: [checkout] } } } ] }] }`,
        '  - { team: mobile, quarter: 2026Q4, objectives: [{ title: Faster releases, key_results: [',
        `      { title: Weekly app releases, owner: ${alice}, work: { jira: { labels: [release] } } } ] }] }`,
      ].join('\n'),
    );
    return applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
  };

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-okr-owners-'));
    file = path.join(dir, 'okrs.yml');
    h = await startBotHarness({ db });
    const { alice, bob } = h.users;
    carol = h.emulator.workspace.addUser({ name: 'carol', real_name: 'Carol Diaz', email: 'carol@acme.dev' }).id;
    for (const [key, name] of [
      ['payments', 'Payments'],
      ['mobile', 'Mobile'],
    ] as const)
      await saveTeam(db, teamInput.parse({ key, name, members: [alice], managers: [bob] }), { actor: 'test' });
    await archiveTeam(db, 'mobile', 'test');
    await writeOkrs(alice, bob);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The check-in requests a person got, as they read them. */
  const requests = (user: string) =>
    h.emulator
      .messagesIn(h.emulator.workspace.imWith(user).id)
      .map((m) => visibleText(m))
      .filter((t) => t.includes('Weekly OKR check-in'));

  test("the owner when the DM goes out is asked, and an archived team's key results are not", async () => {
    const { alice, bob } = h.users;
    // It is not yet bob's time of day: alice is asked now, bob later.
    const ready = new Set([alice]);
    const send = () =>
      sendCheckinRequests({
        db,
        slack: () => h.bot.app.client,
        dmGate: async () => true,
        due: async (owner) => ready.has(owner),
        clock: () => NOW,
        logger,
      });

    expect(await send()).toEqual([alice]);
    await h.emulator.settle();
    expect(requests(alice)).toHaveLength(1);
    expect(requests(alice)[0]).toContain('Retire the old gateway');
    // Mobile is archived: its key result is not asked about.
    expect(requests(alice)[0]).not.toContain('Weekly app releases');

    // Mid-week, both key results change hands: the gateway (alice was asked already) and checkout (bob was not yet).
    await writeOkrs(carol, carol);
    ready.add(bob).add(carol);
    expect(await send()).toEqual([carol]);
    await h.emulator.settle();
    expect(requests(carol)).toHaveLength(1);
    expect(requests(carol)[0]).toContain('Retire the old gateway');
    expect(requests(carol)[0]).toContain('Ship the new checkout flow');
    expect(requests(bob)).toHaveLength(0);
    expect(requests(alice)).toHaveLength(1);
    // Once for the week.
    expect(await send()).toEqual([]);
  }, 120_000);
});
