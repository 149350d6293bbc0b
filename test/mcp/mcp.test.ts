import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { DemoSession } from '../../dev/demo/offline.js';
import { runTool, type ToolContext } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTestDemo, type TestDemo } from '../support/demo.js';

let demo: DemoSession;
let started: TestDemo | undefined;
const open: Client[] = [];

/** A token as `/em token create` makes it (through its tool, as the person). */
async function tokenFor(user: string, name: string, scope: 'read' | 'propose' | 'decide'): Promise<string> {
  const create = demo.app.tools.find((t) => t.name === 'tokens.create');
  if (!create) throw new Error('no tokens.create tool');
  const ctx: ToolContext = {
    person: { slackId: demo.users[user] as string },
    db: demo.app.db,
    logger: createLogger('silent'),
  };
  const made = (await runTool(create, ctx, { name, scope })) as { token: string };
  return made.token;
}

async function httpClient(token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${demo.app.http.port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  open.push(client);
  return client;
}

async function stdioClient(token: string): Promise<Client> {
  const client = new Client({ name: 'test-stdio', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.resolve('src/mcp/stdio.ts')],
      env: { PATH: process.env.PATH ?? '', EM_API_TOKEN: token, EM_API_URL: `http://127.0.0.1:${demo.app.http.port}` },
      stderr: 'pipe',
    }),
  );
  open.push(client);
  return client;
}

const textOf = (result: unknown) =>
  ((result as { content: { type: string; text: string }[] }).content[0]?.text ?? '') as string;

beforeAll(async () => {
  started = await startTestDemo('mcp', {
    // Maya approves several proposals here in one day; the daily cap on real-time DMs (which would move the later
    // ones to her digest) is tested in test/notifications, not here.
    NOTIFY_REALTIME_CAP: '50',
  });
  ({ demo } = started);
}, 180_000);

afterAll(async () => {
  for (const client of open) await client.close().catch(() => {});
  await started?.stop();
  // The SDK's stdio transport imports node:process; Jest builds that module by reading every property, which opens
  // this worker's stdin, and an open stdin keeps the worker from exiting when the run ends.
  process.stdin.destroy();
});

describe.each(['http', 'stdio'] as const)('MCP over %s', (transport) => {
  const connect = (token: string) => (transport === 'http' ? httpClient(token) : stdioClient(token));

  test('lists the tools with their schemas and descriptions; read and propose for a propose token, decide only with a decide token; never the token tools', async () => {
    const sam = await connect(await tokenFor('sam', `sam-${transport}`, 'propose'));
    const { tools } = await sam.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['dora.report', 'approvals.list', 'approvals.propose']));
    expect(names).not.toContain('approvals.decide');
    expect(names.filter((n) => n.startsWith('tokens.'))).toEqual([]);
    const dora = tools.find((t) => t.name === 'dora.report');
    expect(dora?.description).toContain('DORA four keys');
    expect(dora?.inputSchema.properties).toHaveProperty('days');

    const maya = await connect(await tokenFor('maya', `maya-${transport}`, 'decide'));
    expect((await maya.listTools()).tools.map((t) => t.name)).toContain('approvals.decide');

    const report = await sam.callTool({ name: 'dora.report', arguments: { days: 84 } });
    expect(report.isError).toBeFalsy();
    expect(JSON.parse(textOf(report)).org.current.deployments).toBeGreaterThan(0);
    // The demo's deployments ship its merged PRs, so lead time has figures (it read "no data" before).
    expect(JSON.parse(textOf(report)).org.current.leadTimeHours).toBeGreaterThan(0);
  }, 60_000);

  test('a refused call: beyond the token scope, bad arguments, and the four-eyes rule for a decide token', async () => {
    const sam = await connect(await tokenFor('sam', `sam-refused-${transport}`, 'propose'));
    const beyond = await sam.callTool({ name: 'approvals.decide', arguments: { id: 1, vote: 'approve' } });
    expect(beyond.isError).toBe(true);
    expect(textOf(beyond)).toContain('approvals.decide');
    const bad = await sam.callTool({ name: 'dora.report', arguments: { days: 9999 } });
    expect(bad.isError).toBe(true);

    const reader = await connect(await tokenFor('ines', `ines-${transport}`, 'read'));
    expect((await reader.listTools()).tools.map((t) => t.name)).not.toContain('approvals.propose');
    const refused = await reader.callTool({
      name: 'approvals.propose',
      arguments: { action: 'slack.post', params: {}, summary: 'x' },
    });
    expect(refused.isError).toBe(true);

    // A decide token acts as its person: maya cannot approve her own proposal (four eyes), as with the buttons.
    const maya = await connect(await tokenFor('maya', `maya-own-${transport}`, 'decide'));
    const { rows } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo DESC, number DESC LIMIT 1',
    );
    const pr = rows[0] as { repo: string; number: number };
    const own = JSON.parse(
      textOf(
        await maya.callTool({
          name: 'approvals.propose',
          arguments: {
            action: 'github.comment',
            params: { repo: pr.repo, number: pr.number, body: `Mine (${transport})` },
            summary: `Own comment (${transport})`,
            repo: pr.repo,
          },
        }),
      ),
    );
    expect(own.outcome).toBe('proposed');
    const decided = await maya.callTool({
      name: 'approvals.decide',
      arguments: { id: own.approvalId, vote: 'approve' },
    });
    expect(JSON.parse(textOf(decided))).toMatchObject({ outcome: 'refused', status: null });
  }, 60_000);

  test('an incident number of true is refused as a bad argument, not read as INC-1; digits are a number', async () => {
    const reader = await connect(await tokenFor('ines', `ines-number-${transport}`, 'read'));
    const refused = await reader.callTool({ name: 'incidents.timeline', arguments: { number: true } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('the incident number');
    const digits = await reader.callTool({ name: 'incidents.timeline', arguments: { number: '999999' } });
    expect(JSON.parse(textOf(digits))).toEqual({ found: false, message: 'There is no incident INC-999999.' });
  }, 60_000);

  test('agent.run through MCP is recorded in agent_runs with the door mcp, not api', async () => {
    const sam = await connect(await tokenFor('sam', `sam-agent-${transport}`, 'propose'));
    const result = await sam.callTool({ name: 'agent.run', arguments: { query: `sprint health (${transport})` } });
    expect(result.isError).toBeFalsy();
    const { rows } = await demo.app.db.query<{ door: string }>(
      'SELECT door FROM agent_runs WHERE person = $1 AND request = $2',
      [demo.users.sam, `sprint health (${transport})`],
    );
    expect(rows).toEqual([{ door: 'mcp' }]);
  }, 60_000);

  test('approvals.audit takes before: the next page holds the entries older than the last one shown', async () => {
    const maya = await connect(await tokenFor('maya', `maya-audit-${transport}`, 'read'));
    const first = JSON.parse(textOf(await maya.callTool({ name: 'approvals.audit', arguments: { limit: 2 } })));
    const last = first.lines.at(-1).id as number;
    const next = JSON.parse(
      textOf(await maya.callTool({ name: 'approvals.audit', arguments: { limit: 2, before: last } })),
    );
    const { rows } = await demo.app.db.query<{ id: number }>(
      `SELECT id::int AS id FROM audit_log
        WHERE (at, id) < (SELECT at, id FROM audit_log WHERE id = $1) ORDER BY at DESC, id DESC LIMIT 2`,
      [last],
    );
    expect(next.lines.map((l: { id: number }) => l.id)).toEqual(rows.map((r) => r.id));
    expect(rows.length).toBe(2);
  }, 60_000);

  test('a proposal waits for a Slack approval: the approver clicks Approve, it runs, and the audit says via mcp', async () => {
    const sam = await connect(await tokenFor('sam', `sam-proposal-${transport}`, 'propose'));
    const { rows } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
    );
    const pr = rows[0] as { repo: string; number: number };
    const body = `Could this be split in two? (${transport})`;
    const result = await sam.callTool({
      name: 'approvals.propose',
      arguments: {
        action: 'github.comment',
        params: { repo: pr.repo, number: pr.number, body },
        summary: `Comment on ${pr.repo}#${pr.number} (${transport})`,
        repo: pr.repo,
      },
    });
    const proposed = JSON.parse(textOf(result));
    expect(proposed).toMatchObject({ outcome: 'proposed', approvers: ['@eng-leads'] });
    const id = proposed.approvalId as number;

    // The proposal message is posted to the approvers in Slack (a DM to each member of @eng-leads).
    let posted: { channel: string; ts: string } | undefined;
    for (let i = 0; i < 100 && !posted; i += 1) {
      const found = await demo.app.db.query<{ channel: string; ts: string }>(
        'SELECT channel, ts FROM approval_messages WHERE approval_id = $1',
        [id],
      );
      posted = found.rows[0];
      if (!posted) await new Promise((r) => setTimeout(r, 100));
    }
    if (!posted) throw new Error(`proposal ${id} was not posted to Slack`);
    await demo.emulator.click({
      user: demo.users.maya as string,
      actionId: 'approval_approve',
      where: { channel: posted.channel, ts: posted.ts },
    });
    const status = async () =>
      (await demo.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [id])).rows[0]?.status;
    for (let i = 0; i < 100 && (await status()) === 'proposed'; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(['approved', 'executed']).toContain(await status());
    const audit = await demo.app.db.query<{ event: string; via: string | null }>(
      "SELECT event, detail->>'via' AS via FROM audit_log WHERE approval_id = $1 AND event IN ('proposed', 'approved') ORDER BY id",
      [id],
    );
    expect(audit.rows).toEqual([
      { event: 'proposed', via: 'mcp' },
      { event: 'approved', via: null },
    ]);
  }, 60_000);
});

test('/mcp without a valid token is refused with 401', async () => {
  const res = await fetch(`http://127.0.0.1:${demo.app.http.port}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
});

test('a body that is not JSON, or too large, is answered in JSON-RPC (parse error, invalid request)', async () => {
  const token = await tokenFor('ines', 'mcp-errors', 'read');
  const post = (body: string) =>
    fetch(`http://127.0.0.1:${demo.app.http.port}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body,
    });
  const broken = await post('{"jsonrpc":');
  expect(broken.status).toBe(400);
  expect(await broken.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
  const huge = await post(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(200_000) } }),
  );
  expect(huge.status).toBe(413);
  expect(await huge.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
  // A NUL character (no store keeps one) is the caller's mistake too, named; the database's own error never shows.
  const nul = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'ask.search', arguments: { query: 'roll\u0000back' } },
    }),
  );
  const refused = await nul.text();
  expect(JSON.parse(refused)).toMatchObject({ id: 5, error: { code: -32602 } });
  expect(refused).toContain('arguments.query must not contain a NUL character');
  expect(refused).not.toMatch(/UTF8|byte sequence/);
  // Arguments that are not an object are the caller's mistake (invalid params), not the server's (internal error).
  for (const args of [null, [1], 'incident 1']) {
    const call = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'incidents.list', arguments: args },
      }),
    );
    const answer = (await call.json()) as { id: unknown; error?: { code: number; message: string } };
    expect(answer).toMatchObject({ id: 7, error: { code: -32602 } });
    expect(answer.error?.message).toMatch(/arguments/i);
  }
});
