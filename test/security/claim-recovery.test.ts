import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenLocal } from '../../dev/local-server.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { type Child, runTs } from '../support/processes.js';

// Two real replica processes share one database, so this runs on the PostgreSQL server only (an embedded PGlite
// database belongs to one process).
const suite = serverUp ? describe : describe.skip;

suite('claim recovery, measured [postgres]', () => {
  const schema = uniqueSchema('rec');
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sec-recovery-'));
  const replicas: Child[] = [];
  let db: Db | undefined;
  afterAll(async () => {
    for (const r of replicas) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited()));
    await db?.close();
    await dropSchemas([schema]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a replica SIGKILLed mid-action: another one completes it, once, and how long that takes', async () => {
    db = await openStore({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema, DATA_DIR: dir });
    writeFileSync(
      path.join(dir, 'p.yml'),
      'policies:\n  - { action: slack.post, mode: approve, approvers: [U0AAA] }\n',
    );

    // The Slack stand-in holds the first chat.postMessage forever (the replica is mid-action when it dies) and
    // answers every later one.
    const posts: { at: number; text: string }[] = [];
    const held: ServerResponse[] = [];
    let heldAt = 0;
    let onHeld: (pid: number) => void = () => {};
    const firstPost = new Promise<number>((resolve) => {
      onHeld = resolve;
    });
    const slack = await listenLocal(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const reply = (payload: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.url?.startsWith('/api/conversations.history')) return reply({ ok: true, messages: [] });
      if (req.url?.startsWith('/api/chat.postMessage')) {
        if (!heldAt) {
          heldAt = Date.now();
          held.push(res);
          onHeld(Number(String(req.headers.authorization).match(/xoxb-replica-(\d+)/)?.[1]));
          return;
        }
        posts.push({ at: Date.now(), text: form.get('text') ?? '' });
        return reply({ ok: true, channel: form.get('channel'), ts: `${posts.length}.000` });
      }
      reply({ ok: true });
    });
    try {
      const env = {
        MODE: 'approvals-replica',
        DATABASE_URL: SERVER_URL,
        DATABASE_SCHEMA: schema,
        SLACK_API_URL: slack.url,
        POLICIES_DIR: dir,
      };
      for (let i = 0; i < 2; i += 1) replicas.push(runTs('test/support/child.ts', env));
      await Promise.all(replicas.map((r) => r.waitFor(/replica \d+ running/, 60_000)));

      const service = new ApprovalService({
        db,
        logger: createLogger('silent'),
        clients: {},
        policies: new PolicyBook(dir),
      });
      const proposed = await service.propose({
        action: 'slack.post',
        params: { channel: 'C0ENG', text: 'deploy notice' },
        summary: 'Post the deploy notice',
        requestedBy: 'rule:test',
        idempotencyKey: 'recovery-1',
      });
      if (!('approval' in proposed)) throw new Error('expected a proposal');
      const id = proposed.approval.id;
      // Approved; the replicas' approvals ticks pick it up.
      await db.query("UPDATE approvals SET status = 'approved' WHERE id = $1", [id]);

      // The replica that is mid-action dies without a chance to clean up.
      const holderPid = await firstPost;
      const victim = replicas.find((r) => r.proc.pid === holderPid);
      if (!victim) throw new Error(`no replica with pid ${holderPid}`);
      const killedAt = Date.now();
      victim.proc.kill('SIGKILL');
      await victim.exited();

      const deadline = killedAt + 150_000;
      while (!posts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const recoveredMs = (posts[0]?.at ?? Number.NaN) - killedAt;
      console.log(`claim recovery: the action completed ${(recoveredMs / 1000).toFixed(1)} s after the SIGKILL`);
      // Give a second (duplicate) execution every chance to happen before counting.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(posts.map((p) => p.text)).toEqual(['deploy notice']);
      const { rows } = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [id]);
      expect(rows[0]?.status).toBe('executed');
      expect(recoveredMs).toBeLessThan(45_000); // the goal
    } finally {
      for (const res of held) res.destroy();
      await slack.close();
    }
  }, 240_000);
});
