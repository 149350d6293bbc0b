// "New objective" on Home makes a new objective; it never replaces one the team already has for that quarter.
// Through the real bot and the Slack emulator, on both engines. Until 2026-12-08 a manager who gave a new objective
// the title of an existing one replaced it: its key results that the modal did not list were deleted, with every
// check-in their owners had made, and nobody was told.
import { OBJECTIVE_FIELDS, OKR_NEW_ACTION } from '../../blocks/okrs/okrs.js';
import { createLogger } from '../../src/observability/logger.js';
import { okrsHomeSection, okrsSurface } from '../../src/okrs/listeners.js';
import { checkinsOf, listObjectives } from '../../src/okrs/store.js';
import { okrsCheckinTool } from '../../src/okrs/tools.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { NOW } from '../support/fixtures.js';
import { type BotHarness, startBotHarness } from '../support/slack/harness.js';

const logger = createLogger('silent');

describeEachEngine('New objective with the title of an existing one', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;

  beforeAll(async () => {
    db = await freshDb();
    const options = { clock: () => NOW };
    h = await startBotHarness({ db, surfaces: [okrsSurface(options)] });
    h.deps.home.push(okrsHomeSection(options));
    const { alice, bob } = h.users;
    await saveTeam(
      db,
      teamInput.parse({ key: 'payments', name: 'Payments', members: [alice], managers: [alice, bob] }),
      { actor: 'test' },
    );
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  async function newObjective(user: string, values: Record<string, string>) {
    await h.emulator.openHome(user);
    await h.emulator.waitFor(() => JSON.stringify(h.emulator.homeOf(user)?.blocks ?? []).includes(OKR_NEW_ACTION));
    const before = h.emulator.topModalOf(user)?.id;
    await h.emulator.click({ user, actionId: OKR_NEW_ACTION, value: 'payments', where: 'home' });
    await h.emulator.waitFor(() => {
      const modal = h.emulator.topModalOf(user);
      return modal && modal.id !== before && modal;
    });
    return h.emulator.submitView({ user, values });
  }

  test("is refused on the title field; the existing objective's key results and check-ins stay", async () => {
    const { alice, bob } = h.users;
    // Alice, a manager of Payments, makes an objective; its key result's owner checks in.
    const first = await newObjective(alice, {
      [OBJECTIVE_FIELDS.title]: 'Reliable checkout',
      [OBJECTIVE_FIELDS.krTitle(1)]: 'Ship the new checkout flow',
      [OBJECTIVE_FIELDS.krOwner(1)]: alice,
      [OBJECTIVE_FIELDS.krTarget(1)]: 'jira labels checkout',
    });
    expect(first.ack?.response_action).toBeUndefined();
    const [made] = await eventually(async () => {
      const list = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
      return list.length === 1 && list;
    });
    const kr = made?.keyResults[0]?.id as number;
    const checkin = await okrsCheckinTool(() => NOW).run(
      { person: { slackId: alice }, db, logger, via: 'slack' },
      { key_result: kr, confidence: 7, note: 'on track' },
    );
    expect(checkin.ok).toBe(true);

    // Bob, the other manager, starts a "new" objective with the same title.
    const second = await newObjective(bob, {
      [OBJECTIVE_FIELDS.title]: 'Reliable checkout',
      [OBJECTIVE_FIELDS.krTitle(1)]: 'CFR below 10%',
      [OBJECTIVE_FIELDS.krOwner(1)]: bob,
      [OBJECTIVE_FIELDS.krTarget(1)]: 'metric change_failure_rate 20 -> 10',
    });
    expect(second.ack).toMatchObject({
      response_action: 'errors',
      errors: { [OBJECTIVE_FIELDS.title]: expect.stringContaining('already') },
    });
    const after = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
    expect(after).toHaveLength(1);
    expect(after[0]?.keyResults.map((k) => k.title)).toEqual(['Ship the new checkout flow']);
    expect(await checkinsOf(db, [kr])).toHaveLength(1);

    // Another title is a new objective beside it.
    const third = await newObjective(bob, {
      [OBJECTIVE_FIELDS.title]: 'Fewer incidents',
      [OBJECTIVE_FIELDS.krTitle(1)]: 'CFR below 10%',
      [OBJECTIVE_FIELDS.krOwner(1)]: bob,
      [OBJECTIVE_FIELDS.krTarget(1)]: 'metric change_failure_rate 20 -> 10',
    });
    expect(third.ack?.response_action).toBeUndefined();
    await eventually(async () => (await listObjectives(db, { team: 'payments', quarter: '2026Q4' })).length === 2);
  }, 120_000);

  test('two key results with one title are refused on the second, not merged into one', async () => {
    const { alice, bob } = h.users;
    const refused = await newObjective(bob, {
      [OBJECTIVE_FIELDS.title]: 'Faster reviews',
      [OBJECTIVE_FIELDS.krTitle(1)]: 'Review within a day',
      [OBJECTIVE_FIELDS.krOwner(1)]: alice,
      [OBJECTIVE_FIELDS.krTarget(1)]: 'metric pr_cycle_time_hours 48 -> 24',
      [OBJECTIVE_FIELDS.krTitle(2)]: 'Review within a day',
      [OBJECTIVE_FIELDS.krOwner(2)]: bob,
      [OBJECTIVE_FIELDS.krTarget(2)]: 'github labels review-sla',
    });
    expect(refused.ack).toMatchObject({
      response_action: 'errors',
      errors: { [OBJECTIVE_FIELDS.krTitle(2)]: expect.stringContaining('Review within a day') },
    });
    const made = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
    expect(made.find((o) => o.title === 'Faster reviews')).toBeUndefined();
  }, 120_000);
});
