// What the notification pipeline tells whom, through the whole service on the Slack emulator: a private incident's
// action item stays with its room when it is escalated or when its owner asks for their digest in a public channel,
// and "An incident pages me" switched off holds incident pages.
import type { App } from '../../src/app.js';
import { SERVICE_ENGINES, type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';
import { visibleText } from '../support/slack/harness.js';

const SECRET = 'ZK9907';

describe.each(SERVICE_ENGINES)('notifications keep private material and preferences [%s]', (_engine, storeEnv) => {
  let workspace: SecurityWorkspace<{ alice: string; lena: string; sam: string; eng: string }>;
  let app: App;
  let room: string;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'notify-private',
      storeEnv: storeEnv(),
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const lena = ws.addUser({ name: 'lena' }).id;
        const sam = ws.addUser({ name: 'sam' }).id;
        ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [lena] });
        ws.userGroups.set('S0ONCALL', { id: 'S0ONCALL', handle: 'sre-oncall', users: [sam] });
        return {
          alice,
          lena,
          sam,
          eng: ws.addChannel('eng', { members: [alice, lena, sam, ws.botUserId] }).id,
        };
      },
      policies: [
        'policies:',
        '  - { action: jira.create, mode: approve, approvers: ["@eng-leads"] }',
        'incidents:',
        '  private_channels: true',
        '  oncall: { SEV1: ["@sre-oncall"] }',
        '  action_items: { action: jira.create, project: OPS }',
        '',
      ].join('\n'),
      env: { INCIDENTS_TICK_MS: '600000', ASK_INDEX_TICK_MS: '600000', NOTIFY_TICK_MS: '600000' },
    });
    ({ app } = workspace);
    const { alice } = workspace.people;
    const declared = await app.incidents.declare({
      title: 'Ledger drift',
      severity: 'SEV2',
      service: null,
      description: null,
      declaredBy: alice,
      commander: alice,
      requestKey: 'notify-private-1',
    });
    if (declared.outcome !== 'declared') throw new Error(`not declared: ${JSON.stringify(declared)}`);
    room = declared.incident.channelId as string;
    expect(workspace.emulator.workspace.channels.get(room)?.is_private).toBe(true);
    await workspace.emulator.command({
      user: alice,
      channel: room,
      text: `incident action rotate ledger key ${SECRET}`,
    });
    await workspace.emulator.waitFor(async () =>
      (await app.incidents.timeline(declared.incident.id)).some((e) => e.kind === 'action_item'),
    );
    await app.notifications.syncFeeds();
    // Alice, in the room, has it in her digest as written.
    const mine = (await app.notifications.digestFor(alice)).lines.map((l) => l.title).join('\n');
    expect(mine).toContain(SECRET);
  }, 90_000);
  afterAll(() => workspace?.stop());

  test("an action item escalated to the lead, who is not in the private room, reaches the lead's digest without its text", async () => {
    const { lena } = workspace.people;
    // Open for ten days: past NOTIFY_ESCALATE_AFTER_DAYS (3 working days).
    await app.db.query(
      `UPDATE notification_items SET created_at = now() - interval '10 days' WHERE subject LIKE 'incident_action:%'`,
    );
    expect(await app.notifications.escalate()).toBe(1);
    const escalated = (await app.notifications.digestFor(lena)).lines.filter((l) => l.group === 'escalations');
    expect(escalated).toHaveLength(1);
    expect(JSON.stringify(escalated)).not.toContain(SECRET);
    expect(JSON.stringify(escalated)).not.toContain('rotate ledger key');
  });

  test('asked in a public channel, the agent does not post the digest there (it holds a private room’s action item)', async () => {
    const { alice, eng } = workspace.people;
    const { emulator } = workspace;
    const bot = emulator.workspace.botUserId;
    const asked = await emulator.userPosts({ user: alice, channel: eng, text: `<@${bot}> what's in my digest?` });
    const answer = visibleText(
      await emulator.waitFor(() => emulator.messagesIn(eng).find((m) => m.thread_ts === asked.ts && m.user === bot)),
    );
    expect(answer).not.toContain(SECRET);
    // In her DM she reads it.
    const dm = emulator.workspace.imWith(alice).id;
    const inDm = await emulator.userPosts({ user: alice, channel: dm, text: "what's in my digest?" });
    const dmAnswer = visibleText(
      await emulator.waitFor(() => emulator.messagesIn(dm).find((m) => m.thread_ts === inDm.ts && m.user === bot)),
    );
    expect(dmAnswer).toContain(SECRET);
  });

  test('"An incident pages me" switched off: a page invites the on-call person but sends no DM', async () => {
    const { alice, sam } = workspace.people;
    const { emulator } = workspace;
    await app.notifications.savePrefs(sam, {
      digestTime: '09:30',
      realtimeOff: ['incident_page'],
      quietStart: null,
      quietEnd: null,
    });
    const declared = await app.incidents.declare({
      title: 'Payments down',
      severity: 'SEV1',
      service: null,
      description: null,
      declaredBy: alice,
      commander: alice,
      requestKey: 'notify-private-2',
    });
    if (declared.outcome !== 'declared') throw new Error(`not declared: ${JSON.stringify(declared)}`);
    const channel = declared.incident.channelId as string;
    await emulator.waitFor(() => emulator.workspace.channels.get(channel)?.members.has(sam), 10_000, 'sam invited');
    await emulator.settle();
    const pages = emulator
      .messagesIn(emulator.workspace.imWith(sam).id)
      .filter((m) => visibleText(m).includes('You are on call'));
    expect(pages).toHaveLength(0);
  });
});
