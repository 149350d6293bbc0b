// Proposals and votes through the service's own doors (the REST API with a token made in Slack, the buttons in the
// Slack emulator): which policy a proposal matches, whose votes count, and when the same proposal may come again.
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
  '  - { name: two, action: slack.post, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads", min_approvals: 2 }',
  '  - { name: tickets, action: jira.*, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads" }',
  '  - { name: sandbox, action: jira.comment, repo: "acme/sandbox", mode: auto }',
  '  - { name: brief, action: linear.comment, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads", ttl: 1 second }',
].join('\n');

let emulator: SlackEmulator;
let app: App;
let dir: string;
const u = { alice: '', carol: '', maya: '', bob: '' };
let ops = '';
let leads = '';
const LEADS = ['alice', 'carol', 'maya'] as const;

let tokens = 0;
function tokenFor(user: string): Promise<string> {
  tokens += 1;
  return tokenMadeInSlack(emulator, user, ops, `rules${tokens}`, 'propose');
}

const propose = (token: string, body: unknown) =>
  fetch(`http://127.0.0.1:${app.http.port}/v1/approvals/propose`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const setLeads = (names: readonly (keyof typeof u)[]) =>
  emulator.workspace.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: names.map((n) => u[n]) });

/** The proposal's message in #eng-leads, and a click on one of its buttons. */
async function proposalMessage(summary: string) {
  return emulator.waitFor(() => emulator.messagesIn(leads).find((m) => visibleText(m).includes(summary)), 20_000);
}
async function click(user: string, summary: string, actionId: 'approval_approve' | 'approval_reject') {
  const msg = await proposalMessage(summary);
  await emulator.click({ user, actionId, where: { channel: leads, ts: msg.ts } });
  await emulator.settle();
}
const statusOf = async (id: number) =>
  (await app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [id])).rows[0]?.status;

beforeAll(async () => {
  emulator = await new SlackEmulator().start();
  const ws = emulator.workspace;
  for (const n of Object.keys(u) as (keyof typeof u)[]) u[n] = ws.addUser({ name: n, email: `${n}@acme.dev` }).id;
  leads = ws.addChannel('eng-leads', { members: [u.alice, u.carol, u.maya, ws.botUserId] }).id;
  ops = ws.addChannel('ops', { members: [u.bob, u.alice, ws.botUserId] }).id;
  setLeads(LEADS);
  dir = mkdtempSync(path.join(tmpdir(), 'em-proposal-rules-'));
  app = await startServiceOnEmulator(emulator, dir, { policies: POLICIES });
}, 120_000);

afterAll(async () => {
  await app.stop();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('which policy a proposal matches', () => {
  test('a proposer cannot name a repository for an action that acts on none (a milder policy): refused, nothing runs', async () => {
    const token = await tokenFor(u.bob);
    const res = await propose(token, {
      action: 'jira.comment',
      params: { key: 'PAY-1', body: 'hello from bob' },
      summary: 'comment on PAY-1',
      repo: 'acme/sandbox',
    });
    const body = (await res.json()) as { outcome: string; approvalId: number | null; message: string };
    expect(body).toMatchObject({ outcome: 'invalid', approvalId: null });
    expect(body.message).toContain('does not act on a repository');
    const { rows } = await app.db.query("SELECT count(*)::int AS n FROM approvals WHERE action = 'jira.comment'");
    expect(rows[0]).toEqual({ n: 0 });

    // Without it, the Jira policy holds: it waits for @eng-leads.
    const plain = await propose(token, {
      action: 'jira.comment',
      params: { key: 'PAY-1', body: 'hello from bob' },
      summary: 'comment on PAY-1',
    });
    expect(await plain.json()).toMatchObject({ outcome: 'proposed', approvers: ['@eng-leads'] });
  }, 60_000);
});

describe('whose votes count', () => {
  test('min_approvals 2: a vote of an approver since taken out of the group no longer counts at the deciding click', async () => {
    const proposed = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: ops, text: 'freeze lifted' },
      summary: 'post: freeze lifted',
      requestedBy: u.bob,
      idempotencyKey: 'votes-removed',
    });
    if (proposed.outcome !== 'proposed') throw new Error(proposed.outcome);
    const id = proposed.approval.id;
    // Each click is waited for by what it answers (a quiet moment is no proof on a loaded machine).
    const recorded = (user: string) =>
      emulator.waitFor(
        () => emulator.ephemeralsFor(user).find((e) => visibleText(e).includes(`approval of #${id} is recorded`)),
        20_000,
      );
    await click(u.alice, 'post: freeze lifted', 'approval_approve');
    await recorded(u.alice);
    expect(await statusOf(id)).toBe('proposed');
    // An admin takes alice out of @eng-leads.
    setLeads(['carol', 'maya']);
    try {
      await click(u.carol, 'post: freeze lifted', 'approval_approve');
      await recorded(u.carol);
      expect(await statusOf(id)).toBe('proposed');
      expect(emulator.messagesIn(ops).filter((m) => visibleText(m).includes('freeze lifted'))).toHaveLength(0);
      // A second approver who is one now decides it.
      await click(u.maya, 'post: freeze lifted', 'approval_approve');
      await emulator.waitFor(async () => ((await statusOf(id)) !== 'proposed' ? true : undefined), 20_000);
      await emulator.waitFor(() => emulator.messagesIn(ops).find((m) => visibleText(m).includes('freeze lifted')));
    } finally {
      setLeads(LEADS);
    }
  }, 60_000);
});

describe('the same proposal again', () => {
  test('while it waits it is a duplicate naming the earlier one; once rejected or expired, asking again is a new proposal', async () => {
    const token = await tokenFor(u.bob);
    const ask = async (body: unknown) =>
      (await (await propose(token, body)).json()) as { outcome: string; approvalId: number | null; message: string };
    const comment = { action: 'jira.comment', params: { key: 'PAY-2', body: 'ship it?' }, summary: 'ask on PAY-2' };

    const first = await ask(comment);
    expect(first.outcome).toBe('proposed');
    const again = await ask(comment);
    expect(again).toMatchObject({ outcome: 'duplicate', approvalId: first.approvalId });
    expect(again.message).toContain(`#${first.approvalId} (proposed)`);

    // carol rejects it with a reason; bob may ask again, and it is a new proposal.
    await click(u.carol, 'ask on PAY-2', 'approval_reject');
    await emulator.submitView({ user: u.carol, values: { reason: 'not this sprint' } });
    await emulator.settle();
    expect(await statusOf(first.approvalId as number)).toBe('rejected');
    const afterReject = await ask(comment);
    expect(afterReject.outcome).toBe('proposed');
    expect(afterReject.approvalId).not.toBe(first.approvalId);

    // A proposal that expired (ttl 1 second) holds nothing back either.
    const brief = { action: 'linear.comment', params: { issue: 'ENG-1', body: 'status?' }, summary: 'ask on ENG-1' };
    const expiring = await ask(brief);
    expect(expiring.outcome).toBe('proposed');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const afterExpiry = await ask(brief);
    expect(afterExpiry.outcome).toBe('proposed');
    expect(afterExpiry.approvalId).not.toBe(expiring.approvalId);
    expect(await statusOf(expiring.approvalId as number)).toBe('expired');
  }, 60_000);
});

describe('what a requester and an approver see', () => {
  test('the same approver clicking Approve three times is one vote and one audit entry', async () => {
    const proposed = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: ops, text: 'on-call swap' },
      summary: 'post: on-call swap',
      requestedBy: u.bob,
      idempotencyKey: 'votes-thrice',
    });
    if (proposed.outcome !== 'proposed') throw new Error(proposed.outcome);
    for (let i = 0; i < 3; i += 1) await click(u.alice, 'post: on-call swap', 'approval_approve');
    const { rows } = await app.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE approval_id = $1 AND event = 'approval_vote'",
      [proposed.approval.id],
    );
    expect(rows).toEqual([{ actor: u.alice }]);
    expect(await statusOf(proposed.approval.id)).toBe('proposed');
  }, 60_000);

  test('a requester clicking Reject on their own proposal is refused at once, without a modal to type a reason into', async () => {
    const proposed = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: ops, text: 'alice asks' },
      summary: 'post: alice asks for herself',
      requestedBy: u.alice,
      idempotencyKey: 'own-reject',
    });
    if (proposed.outcome !== 'proposed') throw new Error(proposed.outcome);
    const before = emulator.ephemeralsFor(u.alice).length;
    await click(u.alice, 'post: alice asks for herself', 'approval_reject');
    const told = await emulator.waitFor(
      () =>
        emulator
          .ephemeralsFor(u.alice)
          .slice(before)
          .find((e) => visibleText(e).includes('an action you asked for')),
      20_000,
    );
    expect(told).toBeDefined();
    expect(emulator.topModalOf(u.alice)).toBeUndefined();
    expect(await statusOf(proposed.approval.id)).toBe('proposed');
  }, 60_000);

  test('Home\'s "Waiting for you" lists what the approver may decide, not their own requests', async () => {
    for (const [who, summary] of [
      [u.alice, 'post: asked by alice herself'],
      [u.bob, 'post: asked by bob for alice'],
    ] as const) {
      const p = await app.approvals.propose({
        action: 'slack.post',
        params: { channel: ops, text: summary },
        summary,
        requestedBy: who,
        idempotencyKey: `home-${summary}`,
      });
      expect(p.outcome).toBe('proposed');
    }
    await emulator.openHome(u.alice);
    const home = await emulator.waitFor(() => {
      const view = emulator.homeOf(u.alice);
      return view && visibleText({ blocks: view.blocks }).includes('asked by bob for alice') ? view : undefined;
    }, 20_000);
    expect(visibleText({ blocks: home.blocks })).not.toContain('asked by alice herself');
  }, 60_000);

  test('"Waiting for you" finds a proposal older than the newest 50 pending, and counts what it cannot show', async () => {
    const proposeAs = async (who: string, summary: string) => {
      const p = await app.approvals.propose({
        action: 'slack.post',
        params: { channel: ops, text: summary },
        summary,
        requestedBy: who,
        idempotencyKey: `home-old-${summary}`,
      });
      expect(p.outcome).toBe('proposed');
    };
    await proposeAs(u.bob, 'post: an old one for alice');
    // 55 newer proposals alice asked for herself: none is hers to decide.
    for (let i = 0; i < 55; i += 1) await proposeAs(u.alice, `post: alice's own ${i}`);
    const homeText = async (until: (text: string) => boolean) => {
      await emulator.openHome(u.alice);
      return emulator.waitFor(() => {
        const view = emulator.homeOf(u.alice);
        const text = view ? visibleText({ blocks: view.blocks }) : '';
        return until(text) ? text : undefined;
      }, 20_000);
    };
    expect(await homeText((t) => t.includes('an old one for alice'))).not.toContain("alice's own");

    for (let i = 0; i < 9; i += 1) await proposeAs(u.bob, `post: newer for alice ${i}`);
    const { rows } = await app.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM approvals WHERE status = 'proposed' AND requested_by <> $1",
      [u.alice],
    );
    const waiting = rows[0]?.n as number;
    expect(waiting).toBeGreaterThan(10);
    const text = await homeText((t) => t.includes('newer for alice 8'));
    // Seven proposals and a line that counts the others (a Home section shows eight lines).
    expect(text).toContain(`…and ${waiting - 7} more (${waiting} in all wait for you): see \`/em approvals\``);
    expect(text).toContain('newer for alice 2');
    expect(text).not.toContain('newer for alice 1\n');
    expect(text).not.toContain('an old one for alice');
  }, 120_000);
});
