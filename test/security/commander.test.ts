import type { App } from '../../src/app.js';
import { SERVICE_ENGINES, type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';

describe.each(SERVICE_ENGINES)('handing over the commander role [%s]', (_engine, storeEnv) => {
  let workspace: SecurityWorkspace<{ alice: string; bob: string; carol: string }>;
  let app: App;
  let users: { alice: string; bob: string; carol: string };
  let room: string;
  let incidentId: string;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'cmd',
      storeEnv: storeEnv(),
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const bob = ws.addUser({ name: 'bob' }).id;
        const carol = ws.addUser({ name: 'carol' }).id;
        ws.addChannel('eng', { members: [alice, bob, carol, ws.botUserId] });
        ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [carol] });
        return { alice, bob, carol };
      },
      policies: 'policies: []\nincidents:\n  commander_handover: ["@eng-leads"]\n',
      env: { INCIDENTS_TICK_MS: '600000' },
    });
    ({ app, people: users } = workspace);
    const ws = workspace.emulator.workspace;
    const declared = await app.incidents.declare({
      title: 'Checkout errors',
      severity: 'SEV2',
      service: null,
      description: null,
      declaredBy: users.alice,
      commander: users.alice,
      requestKey: 'sec-cmd-1',
    });
    if (declared.outcome !== 'declared') throw new Error('not declared');
    room = declared.incident.channelId as string;
    incidentId = declared.incident.id;
    for (const u of [users.bob, users.carol]) ws.channels.get(room)?.members.add(u);
  }, 90_000);
  afterAll(() => workspace?.stop());

  const roles = (actor: string, who: string) =>
    workspace.replyTo(actor, room, `incident roles commander <@${who}>`, /commander/i);
  const commander = async () => (await app.incidents.get(incidentId))?.commander;
  const audited = async () =>
    (
      await app.db.query<{ actor: string; event: string }>(
        "SELECT actor, event FROM audit_log WHERE action = 'incident.commander' ORDER BY id",
      )
    ).rows;

  test('a responder cannot make themselves commander (so cannot then confirm the cause)', async () => {
    expect(await roles(users.bob, users.bob)).toContain('Only the commander');
    expect(await commander()).toBe(users.alice);
    expect(await audited()).toEqual([{ actor: users.bob, event: 'incident_commander_refused' }]);
  });

  test('someone in commander_handover may hand it over, then the new commander may; every change is audited', async () => {
    expect(await roles(users.carol, users.bob)).toContain('is now Incident commander');
    expect(await commander()).toBe(users.bob);
    expect(await roles(users.alice, users.alice)).toContain('Only the commander'); // no longer hers to give
    expect(await roles(users.bob, users.alice)).toContain('is now Incident commander');
    expect(await commander()).toBe(users.alice);
    expect((await audited()).map((r) => `${r.actor}:${r.event}`)).toEqual([
      `${users.bob}:incident_commander_refused`,
      `${users.carol}:incident_commander_changed`,
      `${users.alice}:incident_commander_refused`,
      `${users.bob}:incident_commander_changed`,
    ]);
  });
});
