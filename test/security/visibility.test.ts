import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { channelMembership } from '../../src/slack/membership.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

const SECRET = 'QZ7731XK';
const engines: [string, () => Record<string, string>][] = [
  ['pglite', () => ({})],
  ...(serverUp
    ? ([['postgres', () => ({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: uniqueSchema('sec') })]] as [
        string,
        () => Record<string, string>,
      ][])
    : []),
];

describe.each(engines)('private incidents stay with their channel [%s]', (_engine, storeEnv) => {
  let emulator: SlackEmulator;
  let app: App;
  let dir: string;
  let schema: string | undefined;
  let alice: string;
  let bob: string;
  let eng: string;
  let room: string;
  beforeAll(async () => {
    channelMembership.clear(); // each emulator is a new workspace whose channel ids repeat the last one's
    emulator = await new SlackEmulator().start();
    const ws = emulator.workspace;
    alice = ws.addUser({ name: 'alice' }).id;
    bob = ws.addUser({ name: 'bob' }).id;
    eng = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;
    dir = mkdtempSync(path.join(tmpdir(), 'em-sec-vis-'));
    const env = storeEnv();
    schema = env.DATABASE_SCHEMA;
    app = await startServiceOnEmulator(emulator, dir, {
      policies: 'policies: []\nincidents:\n  private_channels: true\n',
      env: { ...env, INCIDENTS_TICK_MS: '600000', ASK_INDEX_TICK_MS: '600000' },
    });
    // alice declares; the room is private with alice in it.
    const declared = await app.incidents.declare({
      title: 'Recon outage',
      severity: 'SEV2',
      service: null,
      description: null,
      declaredBy: alice,
      commander: alice,
      requestKey: 'sec-vis-1',
    });
    if (declared.outcome !== 'declared') throw new Error(`not declared: ${JSON.stringify(declared)}`);
    room = declared.incident.channelId as string;
    expect(ws.channels.get(room)?.is_private).toBe(true);
    await emulator.command({ user: alice, channel: room, text: `incident note the recon key is ${SECRET}` });
    await emulator.waitFor(async () => (await app.incidents.timeline(declared.incident.id)).length >= 3);
    const incident = await app.incidents.byChannel(room);
    if (!incident) throw new Error('no incident');
    await app.incidents.resolve(incident, alice, 'rotated the recon key');
    await app.ask.index();
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
    if (schema) await dropSchemas([schema]);
  });

  const replyTo = async (user: string, channel: string, text: string, marker: RegExp) => {
    const before = emulator.responseUrlPosts.length;
    await emulator.command({ user, channel, text });
    return emulator.waitFor(() =>
      emulator.responseUrlPosts
        .slice(before)
        .map((p) => visibleText(p.body as never))
        .find((t) => marker.test(t)),
    );
  };

  test('`/em ask` finds the note for a member of the room, and not for anyone else', async () => {
    const forAlice = await replyTo(alice, eng, 'ask what is the recon key?', /asked:/);
    expect(forAlice).toContain(SECRET);
    const forBob = await replyTo(bob, eng, 'ask what is the recon key?', /asked:/);
    expect(forBob).not.toContain(SECRET);
    expect(forBob).not.toContain('Recon outage');
  });

  test('posting the answer to a public channel leaves the private note out, even for a member', async () => {
    await emulator.command({ user: alice, channel: eng, text: 'ask post #eng what is the recon key?' });
    const posted = await emulator.waitFor(() => emulator.messagesIn(eng).find((m) => visibleText(m).includes('asked')));
    expect(visibleText(posted)).not.toContain(SECRET);
  });

  test('`/em incident list` shows the private incident to members only', async () => {
    expect(await replyTo(alice, eng, 'incident list', /INC-|incidents/i)).toContain('Recon outage');
    expect(await replyTo(bob, eng, 'incident list', /INC-|incidents/i)).not.toContain('Recon outage');
  });

  test('the Home tab shows the private incident to members only', async () => {
    await emulator.openHome(alice);
    const forAlice = await emulator.waitFor(() => emulator.homeOf(alice));
    expect(visibleText({ blocks: forAlice.blocks })).toContain('Recon outage');
    await emulator.openHome(bob);
    const forBob = await emulator.waitFor(() => emulator.homeOf(bob));
    expect(visibleText({ blocks: forBob.blocks })).not.toContain('Recon outage');
  });

  test('`/em standup history` shows standups posted to a private channel to its members only', async () => {
    await app.db.query(
      `INSERT INTO standup_entries (team, person, person_slack, summary, visible_in)
       VALUES ('core', 'alice', $1, 'merged acme/api#1 public work', NULL),
              ('core', 'alice', $1, 'reviewed acme/recon#7 secret work', $2)`,
      [alice, room],
    );
    const forAlice = await replyTo(alice, eng, `standup history <@${alice}>`, /public work/);
    expect(forAlice).toContain('secret work');
    const forBob = await replyTo(bob, eng, `standup history <@${alice}>`, /public work/);
    expect(forBob).not.toContain('secret work');
  });

  test('someone who leaves the room stops seeing it at once (member_left_channel)', async () => {
    await emulator.userLeaves({ user: alice, channel: room });
    expect(await replyTo(alice, eng, 'ask what is the recon key?', /asked:/)).not.toContain(SECRET);
    expect(await replyTo(alice, eng, 'incident list', /INC-|incidents/i)).not.toContain('Recon outage');
  });
});
