// Nobody is asked to decide what they cannot decide: a person who proposes an action, and is among its approvers
// where the policy does not let a requester approve their own request, gets no "waits for your decision" DM or digest
// line for it; the other approvers do. A proposal already decided is not escalated as waiting on an approver away on
// a pause. The whole service on the Slack emulator.
import type { App } from '../../src/app.js';
import { SERVICE_ENGINES, type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';
import { visibleText } from '../support/slack/harness.js';

describe.each(SERVICE_ENGINES)('approvals are not sent to their own requester [%s]', (_engine, storeEnv) => {
  let workspace: SecurityWorkspace<{ alice: string; bob: string; carol: string; eng: string }>;
  let app: App;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'notify-own',
      storeEnv: storeEnv(),
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const bob = ws.addUser({ name: 'bob' }).id;
        const carol = ws.addUser({ name: 'carol' }).id;
        ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [alice, carol] });
        return { alice, bob, carol, eng: ws.addChannel('eng', { members: [alice, bob, carol, ws.botUserId] }).id };
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

  test('an approval decided by one approver is not escalated as waiting on another, away on a pause', async () => {
    const { alice, bob, carol, eng } = workspace.people;
    const { emulator } = workspace;
    // Carol is on holiday: paused, so no digest of hers runs (and clears her line) while she is away.
    await app.notifications.savePrefs(carol, {
      digestTime: '09:30',
      realtimeOff: [],
      quietStart: null,
      quietEnd: null,
      pauseDays: 14,
    });
    const outcome = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: eng, text: 'standup moves to 10' },
      summary: 'Post the new standup time in #eng',
      requestedBy: bob,
      idempotencyKey: 'notify-own-2',
    });
    if (outcome.outcome !== 'proposed') throw new Error(`not proposed: ${outcome.outcome}`);
    const id = outcome.approval.id;
    await emulator.waitFor(async () =>
      (await app.notifications.digestFor(alice)).lines.some((l) => l.title.includes(`#${id}:`)),
    );
    expect((await app.approvals.decide(id, alice, 'approve')).outcome).toBe('approved');
    // A week later, carol's line is still open (her digest is paused); the escalation runs.
    await app.db.query(`UPDATE notification_items SET created_at = now() - interval '7 days' WHERE subject = $1`, [
      `approval:${id}`,
    ]);
    await app.notifications.escalate();
    const escalated = (await app.notifications.digestFor(alice)).lines.filter((l) => l.group === 'escalations');
    expect(escalated.map((l) => l.title)).not.toContainEqual(expect.stringContaining(`#${id}:`));
  });

  test('an escalation names an approver with no linked accounts by their Slack name, not their user id', async () => {
    const { alice, bob, carol, eng } = workspace.people;
    const { emulator } = workspace;
    const outcome = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: eng, text: 'retro moves to Friday' },
      summary: 'Post the retro day in #eng',
      requestedBy: bob,
      idempotencyKey: 'notify-own-3',
    });
    if (outcome.outcome !== 'proposed') throw new Error(`not proposed: ${outcome.outcome}`);
    const id = outcome.approval.id;
    await emulator.waitFor(async () =>
      (await app.notifications.digestFor(alice)).lines.some((l) => l.title.includes(`#${id}:`)),
    );
    // carol is in Slack only: no GitHub, Jira or directory record names her.
    const { rows } = await app.db.query('SELECT 1 FROM people WHERE slack_user = $1', [carol]);
    expect(rows).toEqual([]);
    await app.db.query(
      `UPDATE notification_items SET created_at = now() - interval '7 days' WHERE subject = $1 AND recipient = $2`,
      [`approval:${id}`, carol],
    );
    await app.notifications.escalate();
    const line = (await app.notifications.digestFor(alice)).lines.find(
      (l) => l.group === 'escalations' && l.title.includes(`#${id}:`),
    );
    expect(line?.reasons[0]?.text).toMatch(/^waiting on carol for \d+ working days$/);
    expect(JSON.stringify(line)).not.toContain(carol);
  });
});
