import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

const engines: [string, () => Record<string, string>][] = [
  ['pglite', () => ({})],
  ...(serverUp
    ? ([['postgres', () => ({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: uniqueSchema('sec') })]] as [
        string,
        () => Record<string, string>,
      ][])
    : []),
];

describe.each(engines)('handing over the commander role [%s]', (_engine, storeEnv) => {
  let emulator: SlackEmulator;
  let app: App;
  let dir: string;
  let schema: string | undefined;
  const users = { alice: '', bob: '', carol: '' };
  let room: string;
  let incidentId: string;
  beforeAll(async () => {
    emulator = await new SlackEmulator().start();
    const ws = emulator.workspace;
    users.alice = ws.addUser({ name: 'alice' }).id;
    users.bob = ws.addUser({ name: 'bob' }).id;
    users.carol = ws.addUser({ name: 'carol' }).id;
    ws.addChannel('eng', { members: [users.alice, users.bob, users.carol, ws.botUserId] });
    ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [users.carol] });
    dir = mkdtempSync(path.join(tmpdir(), 'em-sec-cmd-'));
    const env = storeEnv();
    schema = env.DATABASE_SCHEMA;
    app = await startServiceOnEmulator(emulator, dir, {
      policies: 'policies: []\nincidents:\n  commander_handover: ["@eng-leads"]\n',
      env: { ...env, INCIDENTS_TICK_MS: '600000' },
    });
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
  afterAll(async () => {
    await app?.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
    if (schema) await dropSchemas([schema]);
  });

  const roles = async (actor: string, who: string) => {
    const before = emulator.responseUrlPosts.length;
    await emulator.command({ user: actor, channel: room, text: `incident roles commander <@${who}>` });
    return emulator.waitFor(() =>
      emulator.responseUrlPosts
        .slice(before)
        .map((p) => visibleText(p.body as never))
        .find((t) => /commander/i.test(t) && !/Working on/.test(t)),
    );
  };
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
