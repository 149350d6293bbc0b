// A proposal reaches its approvers, or its requester is told why not: Slack refusing the approvers' lookup or the
// policy's channel, through the service's own doors (the REST API with a token made in Slack, the emulator's buttons).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';
import { tokenMadeInSlack } from '../support/slack-token.js';

const POLICIES = [
  'policies:',
  '  - { name: posts, action: slack.post, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads" }',
  '  - { name: dms, action: slack.dm, mode: approve, approvers: ["@eng-leads"] }',
  '  - { name: tickets, action: jira.comment, mode: approve, approvers: ["@eng-leads"], channel: "#nowhere" }',
].join('\n');

let emulator: SlackEmulator;
let app: App;
let dir: string;
const u = { alice: '', carol: '', maya: '', bob: '' };
let ops = '';
let leads = '';
let bobToken = '';

const tokenFor = (user: string) => tokenMadeInSlack(emulator, user, ops, 'delivery', 'propose');

const propose = async (body: unknown) => {
  const res = await fetch(`http://127.0.0.1:${app.http.port}/v1/approvals/propose`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bobToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { outcome: string; approvalId: number; message: string } };
};

beforeAll(async () => {
  emulator = await new SlackEmulator().start();
  const ws = emulator.workspace;
  for (const n of Object.keys(u) as (keyof typeof u)[]) u[n] = ws.addUser({ name: n, email: `${n}@acme.dev` }).id;
  leads = ws.addChannel('eng-leads', { members: [u.alice, u.carol, u.maya, ws.botUserId] }).id;
  ops = ws.addChannel('ops', { members: [u.bob, u.alice, ws.botUserId] }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [u.alice, u.carol, u.maya] });
  dir = mkdtempSync(path.join(tmpdir(), 'em-proposal-delivery-'));
  app = await startServiceOnEmulator(emulator, dir, { policies: POLICIES });
  bobToken = await tokenFor(u.bob);
}, 120_000);

afterAll(async () => {
  await app.stop();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('when Slack cannot say who the approvers are', () => {
  test('a DM proposal tells its requester nobody was notified and why; an Approve click is answered, not lost', async () => {
    emulator.revokeScope('usergroups:read');
    try {
      const dm = await propose({
        action: 'slack.dm',
        params: { to: { slack: u.maya }, text: 'hi' },
        summary: 'DM maya: hi',
      });
      expect(dm.status).toBe(200);
      expect(dm.body.outcome).toBe('proposed');
      expect(dm.body.message).toContain('Nobody was told about it');
      expect(dm.body.message).toContain('missing_scope');

      // A proposal posted to its channel: the approver's click needs the lookup too, and is told it failed.
      const post = await propose({
        action: 'slack.post',
        params: { channel: ops, text: 'release notes' },
        summary: 'post: release notes',
      });
      expect(post.body.outcome).toBe('proposed');
      const msg = await emulator.waitFor(
        () => emulator.messagesIn(leads).find((m) => visibleText(m).includes('post: release notes')),
        20_000,
      );
      const before = emulator.ephemeralsFor(u.carol).length;
      await emulator.click({ user: u.carol, actionId: 'approval_approve', where: { channel: leads, ts: msg.ts } });
      const told = await emulator.waitFor(
        () =>
          emulator
            .ephemeralsFor(u.carol)
            .slice(before)
            .find((e) => visibleText(e).includes('could not be handled')),
        20_000,
      );
      expect(visibleText(told)).toContain('Nothing was decided');
      const { rows } = await app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
        post.body.approvalId,
      ]);
      expect(rows[0]?.status).toBe('proposed');
    } finally {
      emulator.grantScope('usergroups:read');
    }
  }, 60_000);
});

describe("when the policy's channel cannot be posted to", () => {
  test('the approvers get the proposal by DM instead, and the requester is told why', async () => {
    const res = await propose({
      action: 'jira.comment',
      params: { key: 'PAY-7', body: 'shipping Friday' },
      summary: 'comment on PAY-7: shipping Friday',
    });
    expect(res.body.outcome).toBe('proposed');
    expect(res.body.message).toContain('#nowhere could not be posted to');
    expect(res.body.message).toContain('sent it by DM instead');
    for (const approver of [u.alice, u.carol, u.maya]) {
      const dm = emulator.workspace.imWith(approver).id;
      const msg = await emulator.waitFor(
        () => emulator.messagesIn(dm).find((m) => visibleText(m).includes('comment on PAY-7')),
        20_000,
      );
      expect(JSON.stringify(msg.blocks)).toContain('approval_approve');
    }
    // and the DM's button decides it
    const carolDm = emulator.workspace.imWith(u.carol).id;
    const msg = emulator.messagesIn(carolDm).find((m) => visibleText(m).includes('comment on PAY-7'));
    await emulator.click({
      user: u.carol,
      actionId: 'approval_approve',
      where: { channel: carolDm, ts: msg?.ts as string },
    });
    await emulator.settle();
    const { rows } = await app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
      res.body.approvalId,
    ]);
    expect(rows[0]?.status).not.toBe('proposed');
  }, 60_000);
});
