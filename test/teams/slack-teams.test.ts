// Teams managed in Slack: the Home tab's picker and its create / edit / archive modals, who may edit (the group a
// policy names for teams.edit, and each team's managers), a teams.yml team shown read-only, and teams.yml's errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutorClients } from '../../src/approvals/executors.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { applyTeamsFile, loadTeamsFile } from '../../src/teams/file.js';
import { teamsHomeSection, teamsSurface } from '../../src/teams/listeners.js';
import { teamAdminsFromPolicies } from '../../src/teams/permissions.js';
import { getTeam, listTeams, teamsForSubject } from '../../src/teams/store.js';
import { YamlFileError } from '../../src/yaml-file.js';
import { describeEachEngine } from '../support/engines.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const silent = createLogger('silent');

describeEachEngine('teams in Slack', ({ freshDb }) => {
  let h: BotHarness | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'em-teams-'));
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The bot with the Team section on Home; alice is in @eng-leads, which policy names for teams.edit. */
  async function start() {
    const db = await freshDb();
    mkdirPolicies(`policies:\n  - { action: teams.edit, mode: approve, approvers: ['@eng-leads'] }\n`);
    const policies = new PolicyBook(path.join(dir, 'policies'));
    // Group membership is read from Slack through the approvals service, once the bot's client exists.
    const clients: ExecutorClients = {};
    const admins = teamAdminsFromPolicies(policies, new ApprovalService({ db, logger: silent, policies, clients }));
    const harness = await startBotHarness({ db, surfaces: [teamsSurface(admins)] });
    h = harness;
    clients.slack = harness.bot.app.client;
    harness.deps.home.splice(0, harness.deps.home.length, teamsHomeSection(admins));
    const ws = harness.emulator.workspace;
    const carol = ws.addUser({ name: 'carol', real_name: 'Carol Diaz', email: 'carol@acme.dev' }).id;
    ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [harness.users.alice] });
    return { ...harness, db, carol };
  }
  function mkdirPolicies(text: string) {
    const p = path.join(dir, 'policies');
    mkdirSync(p, { recursive: true });
    writeFileSync(path.join(p, 'teams.yml'), text);
  }

  const homeText = (harness: BotHarness, user: string) => visibleText(harness.emulator.homeOf(user));
  const homeButtons = (harness: BotHarness, user: string) =>
    JSON.stringify(harness.emulator.homeOf(user)?.blocks ?? []).match(/"action_id":"team_[a-z]+(_\d+)?"/g) ??
    ([] as string[]);
  async function openHome(harness: BotHarness, user: string, shows: string) {
    await harness.emulator.openHome(user);
    return harness.emulator.waitFor(
      () => homeText(harness, user).includes(shows) && homeText(harness, user),
      30_000,
      shows,
    );
  }
  /**
   * Picks a team (or 'org') in the person's Home picker as they would: from the drop-down's options, or, for an
   * external_select, from what the bot offers when they type the team's name.
   */
  async function pick(harness: BotHarness, user: string, value: string, typed = value) {
    const elements = ((harness.emulator.homeOf(user)?.blocks ?? []) as { elements?: Element[] }[]).flatMap(
      (b) => b.elements ?? [],
    );
    const button = elements.find(
      (e) => e.type === 'button' && e.action_id?.startsWith('team_pick') && e.value === value,
    );
    if (button?.action_id) return harness.emulator.click({ user, actionId: button.action_id, value, where: 'home' });
    const select = elements.find((e) => e.action_id === 'team_pick');
    if (select?.type === 'static_select') {
      if (!select.options?.some((o) => o.value === value)) throw new Error(`no picker entry for ${value}`);
      return harness.emulator.select({ user, actionId: 'team_pick', value });
    }
    if (select?.type === 'external_select') {
      const offered = await harness.emulator.suggest({ user, actionId: 'team_pick', value: typed });
      const option = offered.find((o) => o.value === value) as { text: unknown; value: string } | undefined;
      if (!option) throw new Error(`no picker entry for ${value} when typing ${typed}`);
      return harness.emulator.select({ user, actionId: 'team_pick', value, option });
    }
    throw new Error(`no picker entry for ${value}`);
  }
  type Element = { type?: string; action_id?: string; value?: string; options?: { value: string }[] };

  test('create, pick, edit and archive a team from Home; a non-manager cannot edit it', async () => {
    const w = await start();
    const { alice, bob } = w.users;

    // Alice (in @eng-leads) may create teams; bob may not, and is not offered to.
    expect(await openHome(w, alice, 'No teams yet')).toContain('create one with New team');
    await openHome(w, bob, 'No teams yet');
    expect(homeButtons(w, bob)).not.toContain('"action_id":"team_new"');

    await w.emulator.click({ user: alice, actionId: 'team_new', where: 'home' });
    await w.emulator.waitFor(() => w.emulator.topModalOf(alice), 10_000, 'the New team modal');
    // A bad key is shown on its field and nothing is saved.
    const refused = await w.emulator.submitView({ user: alice, values: { key: 'Pay ments', name: 'Payments' } });
    expect(refused.ack).toMatchObject({
      response_action: 'errors',
      errors: { key: expect.stringContaining('lower-case') },
    });
    expect(await listTeams(w.db)).toEqual([]);
    const saved = await w.emulator.submitView({
      user: alice,
      values: {
        key: 'payments',
        name: 'Payments',
        members: [bob, w.carol],
        managers: [w.carol],
        repos: 'acme/pay-*, acme/shared',
        jira_projects: 'pay',
        timezone: 'Europe/Berlin',
      },
    });
    expect(saved.ack).toEqual({});
    // Alice's Home now shows the team she created, with its figures and card.
    await w.emulator.waitFor(() => homeText(w, alice).includes('Showing *Payments*'), 30_000, 'Payments on Home');
    expect(await getTeam(w.db, 'payments')).toMatchObject({
      members: [bob, w.carol],
      managers: [w.carol],
      repos: ['acme/pay-*', 'acme/shared'],
      jiraProjects: ['PAY'],
      timezone: 'Europe/Berlin',
      managedByFile: null,
    });

    // Bob is a member, not a manager: his Home shows his team (his only one), without Edit, and says who may.
    const bobHome = await openHome(w, bob, 'Showing *Payments*');
    expect(bobHome).toContain('Only its managers and team admins can edit it.');
    expect(homeButtons(w, bob)).not.toContain('"action_id":"team_edit"');
    // The picker remembers his choice: the org, then again after reopening Home.
    await pick(w, bob, 'org');
    await w.emulator.waitFor(() => homeText(w, bob).includes('Showing *the whole org*'), 30_000, 'the org on Home');
    expect(await openHome(w, bob, 'Showing *the whole org*')).not.toContain('Showing *Payments*');
    await pick(w, bob, 'payments');
    await w.emulator.waitFor(() => homeText(w, bob).includes('Showing *Payments*'), 30_000, 'Payments again');

    // Carol manages it: she edits it. Then, while her Edit modal is open, alice takes her off the managers:
    // carol's next save is refused on the server, whatever her screen showed.
    await openHome(w, w.carol, 'Showing *Payments*');
    await w.emulator.click({ user: w.carol, actionId: 'team_edit', value: 'payments', where: 'home' });
    await w.emulator.waitFor(() => w.emulator.topModalOf(w.carol), 10_000, 'the Edit modal');
    const edited = await w.emulator.submitView({
      user: w.carol,
      values: { name: 'Payments & Billing', members: [bob, w.carol], managers: [w.carol], repos: 'acme/pay-*' },
    });
    expect(edited.ack).toEqual({});
    expect(await getTeam(w.db, 'payments')).toMatchObject({ name: 'Payments & Billing', repos: ['acme/pay-*'] });
    await w.emulator.waitFor(() => homeText(w, w.carol).includes('Payments &amp; Billing'), 30_000, 'the new name');

    await w.emulator.click({ user: w.carol, actionId: 'team_edit', value: 'payments', where: 'home' });
    await w.emulator.waitFor(() => w.emulator.topModalOf(w.carol), 10_000, 'the Edit modal again');
    await w.emulator.openHome(alice);
    await w.emulator.waitFor(() => homeButtons(w, alice).includes('"action_id":"team_edit"'), 30_000, 'alice may edit');
    await w.emulator.click({ user: alice, actionId: 'team_edit', value: 'payments', where: 'home' });
    await w.emulator.waitFor(() => w.emulator.topModalOf(alice), 10_000, "alice's Edit modal");
    await w.emulator.submitView({
      user: alice,
      values: { name: 'Payments & Billing', members: [bob, w.carol], managers: [alice], repos: 'acme/pay-*' },
    });
    const late = await w.emulator.submitView({
      user: w.carol,
      values: { name: 'Carol was here', members: [w.carol], managers: [w.carol] },
    });
    expect(late.ack).toMatchObject({
      response_action: 'errors',
      errors: { name: expect.stringContaining("Only Payments & Billing's managers and team admins") },
    });
    expect(await getTeam(w.db, 'payments')).toMatchObject({ name: 'Payments & Billing', managers: [alice] });

    // Alice archives it: everyone's Home goes back to the org; the record and its audit trail stay.
    await w.emulator.click({ user: alice, actionId: 'team_archive', value: 'payments', where: 'home' });
    await w.emulator.waitFor(
      () => w.emulator.topModalOf(alice)?.callback_id === 'team_archive_modal',
      10_000,
      'archive',
    );
    expect((await w.emulator.submitView({ user: alice, values: {} })).ack).toEqual({});
    await w.emulator.waitFor(() => homeText(w, alice).includes('No teams yet'), 30_000, 'no teams');
    expect((await getTeam(w.db, 'payments'))?.archivedAt).toBeInstanceOf(Date);
    const { rows } = await w.db.query<{ actor: string; event: string }>(
      "SELECT actor, event FROM audit_log WHERE action = 'team' ORDER BY id",
    );
    expect(rows).toEqual([
      { actor: alice, event: 'team.created' },
      { actor: w.carol, event: 'team.updated' },
      { actor: alice, event: 'team.updated' },
      { actor: alice, event: 'team.archived' },
    ]);
  }, 180_000);

  test('a teams.yml team is read-only in Slack and says so; the file is applied declaratively', async () => {
    const w = await start();
    const { alice, bob } = w.users;
    const file = path.join(dir, 'teams.yml');
    writeFileSync(
      file,
      `teams:\n  - key: sre\n    name: SRE\n    members: [${bob}]\n    managers: [${alice}]\n    repos: [acme/infra-*]\n` +
        `    oncall_group: '@sre-oncall'\n  - { key: data, name: Data, jira_projects: [DATA] }\n`,
    );
    expect(await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? [])).toEqual({
      created: 2,
      updated: 0,
      archived: 0,
    });
    // Applying the same file again changes nothing (and audits nothing new).
    expect(await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? [])).toEqual({
      created: 0,
      updated: 0,
      archived: 0,
    });

    // Alice is a team admin and sre's manager, yet the file owns it: no Edit or Archive, and Home says where to edit.
    await w.emulator.openHome(alice);
    await w.emulator.waitFor(() => homeButtons(w, alice).includes('"action_id":"team_pick"'), 30_000, 'the picker');
    await pick(w, alice, 'sre');
    await w.emulator.waitFor(() => homeText(w, alice).includes('Showing *SRE*'), 30_000, 'SRE on Home');
    expect(homeText(w, alice)).toContain(`:lock: Managed in \`${file}\`: edit the file to change it.`);
    expect(homeButtons(w, alice)).not.toContain('"action_id":"team_edit"');
    expect(homeButtons(w, alice)).not.toContain('"action_id":"team_archive"');

    // The file drops data and renames sre: data is archived, sre updated; both audited as the file's doing.
    writeFileSync(file, `teams:\n  - { key: sre, name: Site Reliability, members: [${bob}], managers: [${alice}] }\n`);
    expect(await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? [])).toEqual({
      created: 0,
      updated: 1,
      archived: 1,
    });
    expect((await listTeams(w.db)).map((t) => t.name)).toEqual(['Site Reliability']);
    const { rows } = await w.db.query<{ actor: string; event: string }>(
      "SELECT actor, event FROM audit_log WHERE action = 'team' ORDER BY id",
    );
    expect(rows.map((r) => r.event)).toEqual(['team.created', 'team.created', 'team.updated', 'team.archived']);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([`file:${file}`]));

    // Routing for notifications: who owns a subject, by repository, project or person.
    writeFileSync(
      file,
      `teams:\n  - { key: sre, name: SRE, members: [${bob}], managers: [${alice}], channel: '#sre', repos: ['acme/infra-*'] }\n`,
    );
    await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? []);
    expect(await teamsForSubject(w.db, { repo: 'acme/infra-dns' })).toEqual([
      { key: 'sre', name: 'SRE', managers: [alice], members: [bob], channel: '#sre', oncallGroup: null },
    ]);
    expect(await teamsForSubject(w.db, { person: { slack: bob } })).toHaveLength(1);
    expect(await teamsForSubject(w.db, { repo: 'acme/web' })).toEqual([]);
  }, 120_000);

  test('every team can be picked on Home: a drop-down of 40 teams, and one that asks as you type past 99', async () => {
    const w = await start();
    const { alice } = w.users;
    const file = path.join(dir, 'teams.yml');
    const teamsFile = (n: number) =>
      `teams:\n${Array.from({ length: n }, (_, i) => `  - { key: t${i + 1}, name: Team ${String(i + 1).padStart(3, '0')} }`).join('\n')}\n`;
    writeFileSync(file, teamsFile(40));
    await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? []);
    await openHome(w, alice, 'Showing *the whole org*');
    // The last of 40 (until 2026-12-09 the picker had buttons for the first 15 teams only).
    await pick(w, alice, 't40');
    await w.emulator.waitFor(() => homeText(w, alice).includes('Showing *Team 040*'), 30_000, 'Team 040 on Home');
    await pick(w, alice, 'org');
    await w.emulator.waitFor(() => homeText(w, alice).includes('Showing *the whole org*'), 30_000, 'the org again');

    // 150 teams: more than a drop-down holds; the options come from the bot as alice types.
    writeFileSync(file, teamsFile(150));
    await applyTeamsFile(w.db, file, loadTeamsFile(file) ?? []);
    await openHome(w, alice, 'Showing *the whole org*');
    await w.emulator.waitFor(
      () => JSON.stringify(w.emulator.homeOf(alice)?.blocks ?? []).includes('"external_select"'),
      30_000,
      'the picker that asks',
    );
    expect(await w.emulator.suggest({ user: alice, actionId: 'team_pick', value: '' })).toHaveLength(100);
    await pick(w, alice, 't150', 'team 150');
    await w.emulator.waitFor(() => homeText(w, alice).includes('Showing *Team 150*'), 30_000, 'Team 150 on Home');
    expect(await w.emulator.suggest({ user: alice, actionId: 'team_pick', value: 'Team 14' })).toEqual(
      [140, 141, 142, 143, 144, 145, 146, 147, 148, 149].map((n) => expect.objectContaining({ value: `t${n}` })),
    );
  }, 120_000);

  test('an invalid teams.yml is refused with file:line: field: problem for each mistake', () => {
    const file = path.join(dir, 'teams.yml');
    writeFileSync(
      file,
      [
        'teams:',
        '  - key: payments',
        '    name: Payments',
        '    members: [maya]',
        '  - key: payments',
        '    name: Payments again',
        '    timezone: Mars/Olympus',
        '    repos: [not-a-repo]',
        '    colour: blue',
        '',
      ].join('\n'),
    );
    let problems: string[] = [];
    try {
      loadTeamsFile(file);
    } catch (err) {
      expect(err).toBeInstanceOf(YamlFileError);
      problems = (err as YamlFileError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        `${file}:4: teams.0.members.0: must be a Slack user id such as U012AB3CD`,
        `${file}:7: teams.1.timezone: must be an IANA time zone such as Europe/Berlin`,
        `${file}:8: teams.1.repos.0: must look like owner/name or owner/*`,
        expect.stringMatching(
          new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: teams\\.1(\\.key)?: .*(colour|payments)`),
        ),
      ]),
    );
    expect(loadTeamsFile(path.join(dir, 'missing.yml'))).toBeNull();
  });
});
