// Decisions on a proposal when the world moves between proposing and deciding: the approver group changes, the
// policy file changes, and approvers vote at the same moment on a proposal that needs two of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { execute, PermanentActionError } from '../../src/approvals/executors.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { startServiceOnEmulator } from '../support/service.js';

interface World {
  dir: string;
  emulator: SlackEmulator;
  users: { alice: string; carol: string; maya: string; bob: string };
  ops: string;
  policiesFile: string;
}

const TWO_LEADS = [
  'policies:',
  '  - { action: slack.post, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads", min_approvals: 2 }',
].join('\n');

async function world(): Promise<World> {
  const emulator = await new SlackEmulator().start();
  const ws = emulator.workspace;
  const alice = ws.addUser({ name: 'alice', email: 'alice@acme.dev' }).id;
  const carol = ws.addUser({ name: 'carol', email: 'carol@acme.dev' }).id;
  const maya = ws.addUser({ name: 'maya', email: 'maya@acme.dev' }).id;
  const bob = ws.addUser({ name: 'bob', email: 'bob@acme.dev' }).id;
  ws.addChannel('eng-leads', { members: [alice, carol, maya, ws.botUserId] });
  const ops = ws.addChannel('ops', { members: [bob, ws.botUserId] }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [alice, carol, maya] });
  const dir = mkdtempSync(path.join(tmpdir(), 'em-decisions-'));
  return {
    dir,
    emulator,
    users: { alice, carol, maya, bob },
    ops,
    policiesFile: path.join(dir, 'policies', 'policies.yml'),
  };
}

async function start(w: World, env: Record<string, string> = {}): Promise<App> {
  return startServiceOnEmulator(w.emulator, w.dir, { policies: TWO_LEADS, env });
}

let keys = 0;
async function proposePost(app: App, w: World, text: string) {
  keys += 1;
  const proposed = await app.approvals.propose({
    action: 'slack.post',
    params: { channel: w.ops, text },
    summary: `Post "${text}" in #ops`,
    requestedBy: w.users.bob,
    idempotencyKey: `decisions-${keys}-${text}`,
  });
  if (proposed.outcome !== 'proposed') throw new Error(`expected a proposal, got ${proposed.outcome}`);
  return proposed.approval.id;
}

const postsIn = (w: World, text: string) => w.emulator.messagesIn(w.ops).filter((m) => m.text === text);

describe('deciding after the world moved (emulated Slack, embedded store)', () => {
  let w: World;
  let app: App;
  beforeAll(async () => {
    w = await world();
    app = await start(w);
  });
  afterAll(async () => {
    await app.stop();
    await w.emulator.stop();
    rmSync(w.dir, { recursive: true, force: true });
  });

  test('an approver cannot decide on an action they asked for, and is told that, not that it is their work', async () => {
    const proposed = await app.approvals.propose({
      action: 'slack.post',
      params: { channel: w.ops, text: 'asked by a lead' },
      summary: 'Post "asked by a lead" in #ops',
      requestedBy: w.users.alice,
      idempotencyKey: 'decisions-asked-by-alice',
    });
    if (proposed.outcome !== 'proposed') throw new Error(`expected a proposal, got ${proposed.outcome}`);
    const own = await app.approvals.decide(proposed.approval.id, w.users.alice, 'approve');
    expect(own).toMatchObject({ outcome: 'refused' });
    expect(JSON.stringify(own)).toContain('an action you asked for');
    expect(postsIn(w, 'asked by a lead')).toHaveLength(0);
  });

  test('an approver removed from the group after the proposal can no longer decide on it', async () => {
    const id = await proposePost(app, w, 'freeze lifted');
    expect(await app.approvals.decide(id, w.users.alice, 'approve')).toMatchObject({ outcome: 'vote_recorded' });
    // An admin takes carol out of @eng-leads after the proposal went out (and after the bot last looked).
    w.emulator.workspace.userGroups.set('S0LEADS', {
      id: 'S0LEADS',
      handle: 'eng-leads',
      users: [w.users.alice, w.users.maya],
    });
    const carol = await app.approvals.decide(id, w.users.carol, 'approve');
    expect(carol).toMatchObject({ outcome: 'refused' });
    expect(postsIn(w, 'freeze lifted')).toHaveLength(0);
    expect(await app.approvals.decide(id, w.users.maya, 'approve')).toMatchObject({ outcome: 'approved' });
    await w.emulator.waitFor(() => postsIn(w, 'freeze lifted').length === 1);
    w.emulator.workspace.userGroups.set('S0LEADS', {
      id: 'S0LEADS',
      handle: 'eng-leads',
      users: [w.users.alice, w.users.carol, w.users.maya],
    });
  });

  test('a policy file changed between propose and decide: the approvers and count on the proposal still hold', async () => {
    const id = await proposePost(app, w, 'release notes out');
    // The file now asks for one approval from carol alone; the proposal was made under "two of @eng-leads".
    writeFileSync(
      w.policiesFile,
      [
        'policies:',
        `  - { action: slack.post, mode: approve, approvers: ["${w.users.carol}"], min_approvals: 1 }`,
      ].join('\n'),
    );
    await new Promise((r) => setTimeout(r, 1100)); // policies are re-read when older than a second
    try {
      expect(await app.approvals.decide(id, w.users.carol, 'approve')).toMatchObject({ outcome: 'vote_recorded' });
      expect(postsIn(w, 'release notes out')).toHaveLength(0);
      expect(await app.approvals.decide(id, w.users.alice, 'approve')).toMatchObject({ outcome: 'approved' });
      await w.emulator.waitFor(() => postsIn(w, 'release notes out').length === 1);
      // A new proposal follows the new file.
      const next = await proposePost(app, w, 'second post');
      expect(await app.approvals.decide(next, w.users.alice, 'approve')).toMatchObject({ outcome: 'refused' });
      expect(await app.approvals.decide(next, w.users.carol, 'approve')).toMatchObject({ outcome: 'approved' });
    } finally {
      writeFileSync(w.policiesFile, TWO_LEADS);
      await new Promise((r) => setTimeout(r, 1100)); // re-read before the next test proposes
    }
  });

  test.each(['invalid_auth', 'account_inactive'] as const)(
    'the bot token failing with %s at run time: no vote is counted unverified, an action fails at once with the reason',
    async (error) => {
      const text = `maintenance window (${error})`;
      const id = await proposePost(app, w, text);
      expect(await app.approvals.decide(id, w.users.alice, 'approve')).toMatchObject({ outcome: 'vote_recorded' });
      w.emulator.breakBotToken(error);
      try {
        // Membership cannot be checked: the click is not counted (and Slack cannot be told anything either).
        await expect(app.approvals.decide(id, w.users.maya, 'approve')).rejects.toMatchObject({ data: { error } });
        const { rows } = await app.db.query<{ status: string; votes: number }>(
          `SELECT status, (SELECT count(*)::int FROM approval_votes WHERE approval_id = a.id) AS votes
             FROM approvals a WHERE id = $1`,
          [id],
        );
        expect(rows[0]).toEqual({ status: 'proposed', votes: 1 });
        // An approved action that runs now cannot succeed by retrying: it fails at once, saying what to fix.
        const slack = new WebClient(w.emulator.botToken, {
          slackApiUrl: w.emulator.apiUrl,
          retryConfig: { retries: 0 },
        });
        const run = execute(
          'slack.post',
          { channel: w.ops, text },
          {
            db: app.db,
            clients: { slack },
            idempotencyKey: `run-time-${error}`,
            attempt: 1,
          },
        );
        await expect(run).rejects.toThrow(PermanentActionError);
        await expect(run).rejects.toThrow(new RegExp(`${error}.*SLACK_BOT_TOKEN`));
      } finally {
        w.emulator.breakBotToken(undefined);
      }
      // With a working token again, the same click goes through.
      expect(await app.approvals.decide(id, w.users.maya, 'approve')).toMatchObject({ outcome: 'approved' });
      await w.emulator.waitFor(() => postsIn(w, text).length === 1);
    },
  );
});

const onServer = serverUp ? describe : describe.skip;
if (!serverUp) console.warn(`!!! SKIPPED: concurrent votes on PostgreSQL — no server at ${SERVER_URL} !!!`);
onServer('concurrent votes on the PostgreSQL server', () => {
  test('two approvers clicking ten times each at once on a "two approvals" proposal: one decision, one post', async () => {
    const w = await world();
    const schema = uniqueSchema('votes');
    const app = await start(w, { DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema });
    try {
      const id = await proposePost(app, w, 'all clear');
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          app.approvals.decide(id, i % 2 ? w.users.alice : w.users.maya, 'approve').then((o) => o.outcome),
        ),
      );
      expect(outcomes.filter((o) => o === 'approved')).toHaveLength(1);
      expect(outcomes.every((o) => ['approved', 'vote_recorded', 'already_decided'].includes(o))).toBe(true);
      await w.emulator.waitFor(() => postsIn(w, 'all clear').length >= 1);
      const { rows } = await app.db.query<{ event: string; n: number }>(
        `SELECT event, count(*)::int AS n FROM audit_log WHERE approval_id = $1 AND event IN ('approved', 'executed')
          GROUP BY event ORDER BY event`,
        [id],
      );
      expect(rows).toEqual([
        { event: 'approved', n: 1 },
        { event: 'executed', n: 1 },
      ]);
      const votes = await app.db.query<{ user_id: string }>(
        'SELECT user_id FROM approval_votes WHERE approval_id = $1 ORDER BY user_id',
        [id],
      );
      expect(votes.rows.map((r) => r.user_id).sort()).toEqual([w.users.alice, w.users.maya].sort());
      // Each approver's decision is in the audit log: a vote, the approval, or a decision a moment too late (both
      // saw two votes and raced to decide; the loser's vote went unaudited before).
      const audited = await app.db.query<{ actor: string }>(
        `SELECT DISTINCT actor FROM audit_log WHERE approval_id = $1 AND event IN ('approval_vote', 'approved', 'too_late')
          ORDER BY actor`,
        [id],
      );
      expect(audited.rows.map((r) => r.actor).sort()).toEqual([w.users.alice, w.users.maya].sort());
      await w.emulator.settle();
      expect(postsIn(w, 'all clear')).toHaveLength(1);
    } finally {
      await app.stop();
      await dropSchemas([schema]);
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
