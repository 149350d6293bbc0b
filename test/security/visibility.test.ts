import type { App } from '../../src/app.js';
import { upsertDoc } from '../../src/ask/docs-store.js';
import { runTool } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import { SERVICE_ENGINES, type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';
import { visibleText } from '../support/slack/harness.js';

const SECRET = 'QZ7731XK';

describe.each(SERVICE_ENGINES)('private incidents stay with their channel [%s]', (_engine, storeEnv) => {
  let workspace: SecurityWorkspace<{ alice: string; bob: string; eng: string; incidents: string }>;
  let emulator: SecurityWorkspace<unknown>['emulator'];
  let app: App;
  let alice: string;
  let bob: string;
  let eng: string;
  let room: string;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'vis',
      storeEnv: storeEnv(),
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const bob = ws.addUser({ name: 'bob' }).id;
        return {
          alice,
          bob,
          eng: ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id,
          incidents: ws.addChannel('incidents', { members: [alice, bob, ws.botUserId] }).id,
        };
      },
      policies: [
        'policies:',
        '  - { action: jira.create, mode: approve, approvers: ["@eng-leads"] }',
        'incidents:',
        '  private_channels: true',
        '  announce_channel: "#incidents"',
        '  action_items: { action: jira.create, project: OPS }',
        '',
      ].join('\n'),
      env: { INCIDENTS_TICK_MS: '600000', ASK_INDEX_TICK_MS: '600000' },
    });
    ({ emulator, app } = workspace);
    ({ alice, bob, eng } = workspace.people);
    const ws = emulator.workspace;
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
    // A public runbook that answers the rest of a question about the key.
    await upsertDoc(app.db, {
      source: 'confluence',
      externalId: 'runbook-recon',
      space: 'OPS',
      title: 'Rotating the recon key',
      updatedAt: new Date(),
      body: '# Rotating the recon key\n\nTo rotate the recon key, open the vault and run rotate-recon, then tell the ops channel.',
      format: 'markdown',
    });
    await app.ask.index();
  }, 90_000);
  afterAll(() => workspace?.stop());

  const replyTo = (user: string, channel: string, text: string, marker: RegExp) =>
    workspace.replyTo(user, channel, text, marker);

  test('`/em ask` finds the note for a member of the room, and not for anyone else', async () => {
    const forAlice = await replyTo(alice, eng, 'ask what is the recon key?', /asked:/);
    expect(forAlice).toContain(SECRET);
    // The postmortem it quotes names people by name; Slack's markup is not shown as text.
    const passages = forAlice.split('\n').slice(1).join('\n');
    expect(passages).toContain('Commander: @alice');
    expect(passages).not.toMatch(/&lt;@|&amp;lt;|<@U|@U0/);
    const forBob = await replyTo(bob, eng, 'ask what is the recon key?', /asked:/);
    expect(forBob).not.toContain(SECRET);
    expect(forBob).not.toContain('Recon outage');
  });

  test('a word only a private note holds reads to a non-member exactly like a word nobody wrote', async () => {
    const ask = async (word: string) =>
      (await replyTo(bob, eng, `ask how do we rotate the recon key ${word}?`, /asked:/)).replaceAll(word, 'WORD');
    const absent = await ask('WV5520PL');
    expect(absent).toMatch(/couldn't find|could not find|not find/i);
    expect(await ask(SECRET)).toBe(absent);
    // A member still gets the note (its text, not just the question echoed back).
    const forAlice = await replyTo(alice, eng, `ask how do we rotate the recon key ${SECRET}?`, /asked:/);
    expect(forAlice.replaceAll('*', '')).toContain(`recon key is ${SECRET}`);
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

  test('the incidents.timeline tool (every door but /em) gives the private room to members only', async () => {
    const timeline = app.tools.find((t) => t.name === 'incidents.timeline');
    if (!timeline) throw new Error('incidents.timeline is not registered');
    const incident = await app.incidents.byChannel(room);
    const as = (user: string) => ({
      person: { slackId: user },
      db: app.db,
      logger: createLogger('silent'),
      slack: app.slack?.app.client,
    });
    const forAlice = await runTool(timeline, as(alice), { number: incident?.number });
    expect(timeline.output.safeParse(forAlice).success).toBe(true);
    expect(JSON.stringify(forAlice)).toContain(SECRET);
    const forBob = await runTool(timeline, as(bob), { number: incident?.number });
    expect(forBob).toEqual({ found: false, message: `There is no incident INC-${incident?.number}.` });
    // Exactly what a number nobody declared reads like.
    expect(await runTool(timeline, as(bob), { number: 9999 })).toEqual({
      found: false,
      message: 'There is no incident INC-9999.',
    });
  });

  test('`/em triage` shows an open private incident to its members only, and never when posted to a channel', async () => {
    const declared = await app.incidents.declare({
      title: 'Ledger export leaking data',
      severity: 'SEV1',
      service: null,
      description: null,
      declaredBy: alice,
      commander: alice,
      requestKey: 'sec-vis-triage',
    });
    if (declared.outcome !== 'declared') throw new Error(`not declared: ${JSON.stringify(declared)}`);
    expect(await replyTo(alice, eng, 'triage', /attention|incidents|Nothing/i)).toContain('Ledger export leaking data');
    expect(await replyTo(bob, eng, 'triage', /attention|incidents|Nothing/i)).not.toContain('Ledger export');
    await emulator.command({ user: alice, channel: eng, text: 'triage post #eng' });
    const posted = await emulator.waitFor(() =>
      emulator.messagesIn(eng).find((m) => /attention|incidents|Nothing/i.test(visibleText(m))),
    );
    expect(visibleText(posted)).not.toContain('Ledger export');
    // Nor is it announced where everyone reads.
    expect(emulator.messagesIn(workspace.people.incidents).map((m) => visibleText(m))).toEqual([]);
    // An action item filed as a ticket goes to approvals, which people outside the room see: without its text.
    const room = declared.incident.channelId as string;
    await emulator.command({ user: alice, channel: room, text: 'incident action rotate the export key XJ5520' });
    const incident = await app.incidents.byChannel(room);
    if (!incident) throw new Error('no incident');
    await emulator.waitFor(async () =>
      (await app.incidents.timeline(incident.id)).some((e) => e.kind === 'action_item'),
    );
    await app.incidents.resolve(incident, alice, 'export disabled');
    const postmortem = await emulator.waitFor(() =>
      emulator.messagesIn(room).find((m) => JSON.stringify(m.blocks ?? []).includes('incident_action_ticket')),
    );
    await emulator.click({
      user: alice,
      actionId: 'incident_action_ticket',
      where: { channel: room, ts: postmortem.ts },
    });
    const proposed = await emulator.waitFor(async () => {
      const { rows } = await app.db.query<{ summary: string; evidence: unknown }>(
        "SELECT summary, evidence FROM approvals WHERE idempotency_key LIKE 'incident-action-item:%'",
      );
      return rows[0];
    });
    expect(proposed.summary).toContain('a private incident');
    expect(JSON.stringify(proposed)).not.toContain('XJ5520');
  });

  test('an @mention in a public channel is answered for everyone there (nothing private); a DM for the person', async () => {
    const bot = emulator.workspace.botUserId;
    const answerTo = async (channel: string, text: string) => {
      const asked = await emulator.userPosts({ user: alice, channel, text });
      return visibleText(
        await emulator.waitFor(() =>
          emulator.messagesIn(channel).find((m) => m.thread_ts === asked.ts && m.user === bot),
        ),
      );
    };
    // alice is in the private room, but everyone in #eng reads the thread.
    const inChannel = await answerTo(eng, `<@${bot}> any incidents this week?`);
    expect(inChannel).toContain('I looked at incidents');
    expect(inChannel).not.toContain('Recon outage');
    const timeline = await answerTo(eng, `<@${bot}> what happened in INC-1?`);
    expect(timeline).not.toContain(SECRET);
    const docs = await answerTo(eng, `<@${bot}> search the docs for the recon key`);
    expect(docs).not.toContain(SECRET);
    // In her DM the same question shows her the private incident.
    const inDm = await answerTo(emulator.workspace.imWith(alice).id, 'any incidents this week?');
    expect(inDm).toContain('Recon outage');
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

  test('an action item naming someone outside the private room reaches their digest without its text', async () => {
    const incident = await app.incidents.byChannel(room);
    if (!incident) throw new Error('no incident');
    await emulator.command({ user: alice, channel: room, text: `incident action <@${bob}> revoke key ZK4410` });
    await emulator.command({ user: alice, channel: room, text: 'incident action audit key ZK4411' });
    await emulator.waitFor(
      async () => (await app.incidents.timeline(incident.id)).filter((e) => e.kind === 'action_item').length >= 2,
    );
    await app.notifications.syncFeeds();
    const titles = async (user: string) =>
      (await app.notifications.digestFor(user)).lines.filter((l) => l.group === 'incidents').map((l) => l.title);
    const bobs = await titles(bob);
    expect(bobs).toEqual([expect.stringContaining('a private incident you are not in')]);
    expect(bobs.join('\n')).not.toContain('ZK4410');
    // The room's member reads hers as written.
    expect(await titles(alice)).toContainEqual(expect.stringContaining('INC-1: audit key ZK4411'));
  });

  test('someone who leaves the room stops seeing it at once (member_left_channel)', async () => {
    await emulator.userLeaves({ user: alice, channel: room });
    expect(await replyTo(alice, eng, 'ask what is the recon key?', /asked:/)).not.toContain(SECRET);
    expect(await replyTo(alice, eng, 'incident list', /INC-|incidents/i)).not.toContain('Recon outage');
  });
});
