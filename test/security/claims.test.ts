import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebClient } from '@slack/web-api';
import { approvalsJob } from '../../src/approvals/jobs.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { CLAIM_LEASE_MS, claimForExecution } from '../../src/approvals/store.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { intervalToMs } from '../../src/yaml-file.js';
import { describeEachEngine } from '../support/engines.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A Slack stand-in whose chat.postMessage takes `delayMs` (a slow vendor), counting the posts. */
function slowSlack(delayMs: number) {
  const posts: string[] = [];
  const client = {
    conversations: { history: async () => ({ ok: true, messages: [] }) },
    chat: {
      postMessage: async (args: { channel: string; text: string }) => {
        await new Promise((r) => setTimeout(r, delayMs));
        posts.push(args.text);
        return { ok: true, channel: args.channel, ts: `${posts.length}.000` };
      },
    },
  } as unknown as WebClient;
  return { client, posts };
}

function service(db: Db, slack: WebClient, claimLeaseMs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sec-claim-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'p.yml'), 'policies:\n  - { action: slack.post, mode: approve, approvers: [U0AAA] }\n');
  return new ApprovalService({
    db,
    logger: createLogger('silent'),
    clients: { slack },
    policies: new PolicyBook(dir),
    claimLeaseMs,
  });
}

async function approvedPost(db: Db, s: ApprovalService, key: string): Promise<number> {
  const proposed = await s.propose({
    action: 'slack.post',
    params: { channel: 'C0ENG', text: `hello ${key}` },
    summary: 'Post hello',
    requestedBy: 'rule:test',
    idempotencyKey: key,
  });
  if (!('approval' in proposed)) throw new Error('expected a proposal');
  // Approved without running (as if the approving process crashed right after the vote).
  await db.query("UPDATE approvals SET status = 'approved' WHERE id = $1", [proposed.approval.id]);
  return proposed.approval.id;
}

test('a crashed claim frees its action in well under 45 s: a 15 s lease, picked up by a 10 s tick', () => {
  const worstCaseMs = CLAIM_LEASE_MS + intervalToMs(approvalsJob({} as ApprovalService).every as string);
  expect(worstCaseMs).toBeLessThan(45_000);
});

describeEachEngine('execution claims', ({ freshDb }) => {
  test('an action whose process died is run by another replica once its short lease lapses', async () => {
    const db = await freshDb();
    const slack = slowSlack(0);
    const replica = service(db, slack.client, 400);
    const id = await approvedPost(db, replica, 'crash');
    expect(await claimForExecution(db, id, 400)).not.toBeNull(); // the process that then died
    expect((await replica.executeNow(id))?.status).toBe('approved'); // still claimed
    await new Promise((r) => setTimeout(r, 500));
    expect((await replica.executeNow(id))?.status).toBe('executed');
    expect(slack.posts.filter((p) => p.startsWith('hello'))).toEqual(['hello crash']);
  });

  test('a slow action keeps its claim renewed, so no other replica runs it a second time', async () => {
    const db = await freshDb();
    const slack = slowSlack(1500); // longer than the 400 ms lease
    const first = service(db, slack.client, 400);
    const second = service(db, slack.client, 400);
    const id = await approvedPost(db, first, 'slow');
    const running = first.executeNow(id);
    for (let i = 0; i < 8; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      await second.runDue();
    }
    expect((await running)?.status).toBe('executed');
    const { rows } = await db.query<{ attempts: number }>('SELECT attempts FROM approvals WHERE id = $1', [id]);
    expect(rows[0]?.attempts).toBe(1);
    expect(slack.posts.filter((p) => p.startsWith('hello'))).toEqual(['hello slow']);
  });
});
