// Edit team on Home changes what its modal shows and nothing else. Through the real bot and the Slack emulator, on
// both engines. The modal has no field for the work days (teams.save sets them: the REST API, MCP, the agent), and
// until 2026-12-08 saving it reset them to Monday to Friday: a Sunday-to-Thursday team edited in Slack had its
// standups, onboarding due days and sprint figures moved to the wrong days. And a new team's key may not be a word
// that means the whole org in every report (`/em dora 30d all`): until 2026-12-08 such a team could be made, and then
// named in no report, `/em team show` or (for `org`) the Home picker.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutorClients } from '../../src/approvals/executors.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { runTool } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { teamsHomeSection, teamsSurface } from '../../src/teams/listeners.js';
import { type TeamAdmins, teamAdminsFromPolicies } from '../../src/teams/permissions.js';
import { getTeam } from '../../src/teams/store.js';
import { teamsSaveTool } from '../../src/teams/tools.js';
import { describeEachEngine } from '../support/engines.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');

describeEachEngine('Edit team keeps the fields its modal does not show', ({ freshDb }) => {
  let h: BotHarness;
  let db: Db;
  let dir: string;
  let carol: string;
  let admins: TeamAdmins;

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-team-edit-'));
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(
      path.join(dir, 'policies', 'teams.yml'),
      `policies:\n  - { action: teams.edit, mode: approve, approvers: ['@eng-leads'] }\n`,
    );
    const policies = new PolicyBook(path.join(dir, 'policies'));
    const clients: ExecutorClients = {};
    admins = teamAdminsFromPolicies(policies, new ApprovalService({ db, logger: silent, policies, clients }));
    h = await startBotHarness({ db, surfaces: [teamsSurface(admins)] });
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

  test('a Sunday-to-Thursday team keeps its work days when its manager edits it', async () => {
    const { alice, bob } = h.users;
    // Made through teams.save (as the REST API or MCP would) by alice, a team admin, with carol as its manager.
    const made = await runTool(
      teamsSaveTool(admins),
      { person: { slackId: alice }, db, logger: silent },
      {
        key: 'payments',
        name: 'Payments',
        members: [bob],
        managers: [carol],
        timezone: 'Asia/Jerusalem',
        work_days: [7, 1, 2, 3, 4],
      },
    );
    expect(made.ok).toBe(true);

    // Carol renames it in the Edit team modal.
    await h.emulator.openHome(carol);
    await h.emulator.waitFor(() => visibleText(h.emulator.homeOf(carol)).includes('Showing *Payments*'), 30_000);
    await h.emulator.click({ user: carol, actionId: 'team_edit', value: 'payments', where: 'home' });
    const modal = await h.emulator.waitFor(() => h.emulator.topModalOf(carol), 10_000, 'the Edit team modal');
    expect(JSON.stringify(modal.blocks)).not.toContain('work_days'); // nothing to set them with here
    const edited = await h.emulator.submitView({
      user: carol,
      values: { name: 'Payments & Billing', members: [bob], managers: [carol], timezone: 'Asia/Jerusalem' },
    });
    expect(edited.ack).toEqual({});
    expect(await getTeam(db, 'payments')).toMatchObject({ name: 'Payments & Billing', workDays: [7, 1, 2, 3, 4] });
  }, 120_000);

  test('a new team cannot take a key that means the whole org in every report', async () => {
    const { alice } = h.users;
    await h.emulator.openHome(alice);
    await h.emulator.waitFor(() => JSON.stringify(h.emulator.homeOf(alice)?.blocks ?? []).includes('team_new'));
    await h.emulator.click({ user: alice, actionId: 'team_new', where: 'home' });
    await h.emulator.waitFor(() => h.emulator.topModalOf(alice), 10_000, 'the New team modal');
    // A refused Save keeps the modal open: each key is tried in it in turn.
    for (const key of ['org', 'all', 'everyone', 'company']) {
      const refused = await h.emulator.submitView({ user: alice, values: { key, name: 'Company website' } });
      expect(refused.ack).toMatchObject({ response_action: 'errors', errors: { key: expect.stringContaining(key) } });
      expect(await getTeam(db, key)).toBeUndefined();
    }
  }, 120_000);
});
