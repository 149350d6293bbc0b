// Nobody is asked to decide what they cannot decide: a person who proposes an action, and is among its approvers
// where the policy does not let a requester approve their own request, gets no "waits for your decision" DM or digest
// line for it; the other approvers do. The whole service on the Slack emulator.
import type { App } from '../../src/app.js';
import { SERVICE_ENGINES, type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';
import { visibleText } from '../support/slack/harness.js';

describe.each(SERVICE_ENGINES)('approvals are not sent to their own requester [%s]', (_engine, storeEnv) => {
  let workspace: SecurityWorkspace<{ alice: string; carol: string; eng: string }>;
  let app: App;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'notify-own',
      storeEnv: storeEnv(),
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const carol = ws.addUser({ name: 'carol' }).id;
        ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [alice, carol] });
        return { alice, carol, eng: ws.addChannel('eng', { members: [alice, carol, ws.botUserId] }).id };
      },
      policies: ['policies:', '  - { action: slack.post, mode: approve, approvers: ["@eng-leads"] }', ''].join('\n'),
      env: { NOTIFY_TICK_MS: '600000' },
    });
    ({ app } = workspace);
  }, 60_000);
  afterAll(() => workspace?.stop());

  test('alice proposes, carol is asked; alice is not asked to approve her own request', async () => {
    const { alice, carol, eng } = workspace.people;
    const { emulator } = workspace;
    const outcome = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: eng, text: 'release train leaves at 3' },
      summary: 'Post the release train time in #eng',
      requestedBy: alice,
      idempotencyKey: 'notify-own-1',
    });
    expect(outcome.outcome).toBe('proposed');
    const dmsOf = (user: string) => emulator.messagesIn(emulator.workspace.imWith(user).id).map((m) => visibleText(m));
    await emulator.waitFor(() => dmsOf(carol).find((t) => t.includes('release train')), 10_000, 'carol asked');
    await emulator.settle();
    expect(dmsOf(alice).filter((t) => t.includes('release train'))).toEqual([]);
    const waiting = (await app.notifications.digestFor(alice)).lines.filter((l) => l.group === 'approvals');
    expect(waiting).toEqual([]);
  });
});
