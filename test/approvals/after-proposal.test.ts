// What happens to a proposal after it was made, through the whole service on the Slack emulator: the person who asked
// hears how it ended (the reject modal promises them the reason), a policy that now denies the action stops an old
// message's Approve button and a retry, and approvers Slack does not have (a deleted or empty group, an unknown or
// deactivated user, fewer people than min_approvals) are problems with file:line in /em policy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

let emulator: SlackEmulator;
let app: App;
let dir: string;
const u = { alice: '', carol: '', maya: '', bob: '', dora: '' };
let leads = '';
let ops = '';
let policies = '';
let POLICIES = '';

beforeAll(async () => {
  emulator = await new SlackEmulator().start();
  const ws = emulator.workspace;
  for (const n of ['alice', 'carol', 'maya', 'bob'] as const) u[n] = ws.addUser({ name: n, email: `${n}@acme.dev` }).id;
  u.dora = ws.addUser({ name: 'dora', email: 'dora@acme.dev', deleted: true }).id;
  leads = ws.addChannel('eng-leads', { members: [u.alice, u.carol, u.maya, ws.botUserId] }).id;
  ops = ws.addChannel('ops', { members: [u.bob, u.alice, ws.botUserId] }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [u.alice, u.carol, u.maya] });
  ws.userGroups.set('S0PAIR', { id: 'S0PAIR', handle: 'pair', users: [u.carol] });
  ws.userGroups.set('S0EMPTY', { id: 'S0EMPTY', handle: 'nobody-here', users: [] });
  POLICIES = [
    'policies:',
    '  - { name: posts, action: slack.post, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads" }',
    '  - { name: tickets, action: jira.comment, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads" }',
    '  - { name: brief, action: linear.comment, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads", ttl: 1 second }',
    '  - { name: pair, action: github.label, mode: approve, approvers: ["@pair"], channel: "#eng-leads", min_approvals: 2 }',
    '  - name: ghosts',
    '    action: jira.create',
    '    mode: approve',
    `    approvers: ["@ghosts", "@nobody-here", U0NOSUCH, ${u.dora}]`,
  ].join('\n');
  dir = mkdtempSync(path.join(tmpdir(), 'em-after-proposal-'));
  policies = path.join(dir, 'policies', 'policies.yml');
  app = await startServiceOnEmulator(emulator, dir, { policies: POLICIES, env: { ACTION_RETRY_BASE_MS: '50' } });
}, 120_000);

afterAll(async () => {
  await app.stop();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

let keys = 0;
async function proposeAsBob(action: string, params: Record<string, unknown>, summary: string) {
  keys += 1;
  const proposed = await app.approvals.propose({
    action,
    params,
    summary,
    requestedBy: u.bob,
    via: 'api',
    idempotencyKey: `after-${keys}`,
  });
  if (proposed.outcome !== 'proposed') throw new Error(`expected a proposal, got ${proposed.outcome}`);
  return proposed;
}
const bobHears = (text: string) =>
  emulator.waitFor(
    () => emulator.messagesIn(emulator.workspace.imWith(u.bob).id).find((m) => visibleText(m).includes(text)),
    20_000,
    `bob hearing "${text}"`,
  );
const statusOf = async (id: number) =>
  (await app.db.query<{ status: string; last_error: string | null }>('SELECT * FROM approvals WHERE id = $1', [id]))
    .rows[0];
/** Writes the policies file and waits until the service reads it (it re-reads files older than a second). */
async function writePolicies(text: string) {
  writeFileSync(policies, text);
  await new Promise((r) => setTimeout(r, 1100));
}

describe('the person who asked hears how it ended', () => {
  test('rejected: with the reason the approver typed (the modal says "The requester sees this")', async () => {
    const { approval } = await proposeAsBob('slack.post', { channel: ops, text: 'all hands' }, 'post: all hands');
    await app.approvals.decide(approval.id, u.carol, 'reject', 'not during the freeze');
    const told = await bobHears(`#${approval.id}`);
    expect(visibleText(told)).toContain(`was rejected by <@${u.carol}>`);
    expect(visibleText(told)).toContain('not during the freeze');
  });

  test('approved but failed: who approved it and why it failed', async () => {
    const { approval } = await proposeAsBob('jira.comment', { key: 'PAY-1', body: 'shipping' }, 'comment on PAY-1');
    expect(await app.approvals.decide(approval.id, u.carol, 'approve')).toMatchObject({ outcome: 'approved' });
    const told = await bobHears(`#${approval.id}`);
    expect(visibleText(told)).toContain(
      `was approved by <@${u.carol}>, but failed after 1 attempt(s): Jira is not configured`,
    );
  });

  test('expired: nothing was done', async () => {
    const { approval } = await proposeAsBob('linear.comment', { issue: 'ENG-1', body: 'hi' }, 'comment on ENG-1');
    await new Promise((r) => setTimeout(r, 1200));
    await app.approvals.expire();
    expect(visibleText(await bobHears(`#${approval.id}`))).toContain('expired without a decision; nothing was done');
  });
});

describe('a policy that now denies the action', () => {
  test("stops an old message's Approve button (refused, audited); rejecting it still closes it", async () => {
    const { approval } = await proposeAsBob(
      'slack.post',
      { channel: ops, text: 'freeze lifted' },
      'post: freeze lifted',
    );
    const message = await emulator.waitFor(() =>
      emulator.messagesIn(leads).find((m) => visibleText(m).includes('post: freeze lifted')),
    );
    await writePolicies(
      POLICIES.replace('name: posts, action: slack.post, mode: approve', 'name: posts, action: slack.post, mode: deny'),
    );
    try {
      await emulator.click({ user: u.carol, actionId: 'approval_approve', where: { channel: leads, ts: message.ts } });
      const refused = await emulator.waitFor(
        () => emulator.ephemeralsFor(u.carol).find((e) => visibleText(e).includes('no longer let this run')),
        20_000,
      );
      expect(visibleText(refused)).toContain('cannot be approved');
      expect((await statusOf(approval.id))?.status).toBe('proposed');
      expect(emulator.messagesIn(ops).filter((m) => visibleText(m).includes('freeze lifted'))).toHaveLength(0);
      const audit = await app.db.query<{ event: string }>(
        'SELECT event FROM audit_log WHERE approval_id = $1 ORDER BY id',
        [approval.id],
      );
      expect(audit.rows.map((r) => r.event)).toEqual(['proposed', 'refused']);
      expect(await app.approvals.decide(approval.id, u.carol, 'reject', 'denied now')).toMatchObject({
        outcome: 'rejected',
      });
    } finally {
      await writePolicies(POLICIES);
    }
  }, 60_000);

  test('stops the retries of an approved action that kept failing, saying why; it never runs', async () => {
    const { approval } = await proposeAsBob('slack.post', { channel: ops, text: 'late news' }, 'post: late news');
    emulator.revokeScope('chat:write');
    try {
      await app.approvals.decide(approval.id, u.carol, 'approve');
      expect((await statusOf(approval.id))?.last_error).toContain('missing_scope');
      await writePolicies(
        POLICIES.replace(
          'name: posts, action: slack.post, mode: approve',
          'name: posts, action: slack.post, mode: deny',
        ),
      );
    } finally {
      emulator.grantScope('chat:write');
    }
    try {
      await app.approvals.runDue();
      await emulator.waitFor(
        async () => ((await statusOf(approval.id))?.status === 'failed' ? true : undefined),
        20_000,
      );
      expect((await statusOf(approval.id))?.last_error).toMatch(
        /^stopped before attempt \d+: the policies no longer let it run/,
      );
      expect(emulator.messagesIn(ops).filter((m) => visibleText(m).includes('late news'))).toHaveLength(0);
      expect(visibleText(await bobHears(`#${approval.id}`))).toContain('the policies no longer let it run');
    } finally {
      await writePolicies(POLICIES);
    }
  }, 60_000);
});

describe('approvers Slack does not have', () => {
  test('each is a problem with its file and line, and /em policy shows them', async () => {
    const problems = await app.approvals.approverProblems(0);
    expect(problems).toEqual([
      `${policies}:5: policies.3.min_approvals: 2 approvals are needed but only 1 person(s) in @pair can give one`,
      `${policies}:9: policies.4.approvers.0: @ghosts is not a user group in Slack (misspelt, disabled or deleted)`,
      `${policies}:9: policies.4.approvers.1: @nobody-here has no members in Slack`,
      `${policies}:9: policies.4.approvers.2: U0NOSUCH is not a user in this Slack workspace`,
      `${policies}:9: policies.4.approvers.3: ${u.dora} is deactivated in Slack`,
      `${policies}:6: policies.4.approvers: nobody in Slack can approve what policy policies.yml:ghosts asks approval for`,
    ]);
    await emulator.command({ user: u.alice, channel: leads, text: 'policy jira.create' });
    const shown = await emulator.waitFor(
      () => emulator.ephemeralsFor(u.alice).find((e) => visibleText(e).includes('Policy files have problems')),
      20_000,
    );
    expect(visibleText(shown)).toContain('@ghosts is not a user group in Slack');
  });

  test('a click after the group was deleted in Slack says nobody can decide now, and why', async () => {
    const { approval } = await proposeAsBob('slack.post', { channel: ops, text: 'group gone' }, 'post: group gone');
    const leadsGroup = emulator.workspace.userGroups.get('S0LEADS');
    emulator.workspace.userGroups.delete('S0LEADS');
    try {
      const refused = await app.approvals.decide(approval.id, u.carol, 'approve');
      expect(refused).toMatchObject({ outcome: 'refused' });
      expect(JSON.stringify(refused)).toContain(
        'Nobody can decide on this now: @eng-leads has no members in Slack (or is no longer a user group)',
      );
    } finally {
      if (leadsGroup) emulator.workspace.userGroups.set('S0LEADS', leadsGroup);
    }
  });

  test('a proposal needing more approvals than the group has people says so at once', async () => {
    keys += 1;
    const proposed = await app.approvals.propose({
      action: 'github.label',
      params: { repo: 'acme/api', number: 1, labels: ['risky'] },
      summary: 'Label acme/api#1 risky',
      requestedBy: u.bob,
      idempotencyKey: `after-${keys}`,
    });
    expect(proposed).toMatchObject({
      outcome: 'proposed',
      stuck: expect.stringContaining('It needs 2 approvals but only 1 person(s) in @pair can give one'),
    });
  });
});
