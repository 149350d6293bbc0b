// The REST API on the demo org (the offline demo: real bot, Slack emulator, GitHub and Jira stand-ins synced through
// the real connectors): tokens made in Slack, the OpenAPI document checked by a validator and against what every
// documented route really answers, problem details, scopes, limits, and a decision under the buttons' rules.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

const addFormats = formats as unknown as (ajv: Ajv2020) => void;

import type { DemoSession } from '../../dev/demo/offline.js';
import { startTestDemo, type TestDemo } from '../support/demo.js';

let demo: DemoSession;
let started: TestDemo | undefined;
let base: string;

const TOKEN = /ema_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/;

/** `/em token create …` typed in Slack by `user`; the token read from the private reply. */
async function tokenFromSlack(user: string, args: string): Promise<string> {
  const id = demo.users[user] as string;
  const before = demo.emulator.ephemeralsFor(id).length;
  await demo.emulator.command({ user: id, channel: demo.channels.eng as string, text: `token create ${args}` });
  const reply = await demo.emulator.waitFor(
    () =>
      demo.emulator
        .ephemeralsFor(id)
        .slice(before)
        .find((e) => TOKEN.test(JSON.stringify(e.blocks ?? []))),
    20_000,
    `the token for ${user}`,
  );
  return TOKEN.exec(JSON.stringify(reply.blocks))?.[0] as string;
}

const call = (
  method: string,
  route: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${base}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

const tokens = { maya: '', sam: '', reader: '', tom: '' };

beforeAll(async () => {
  started = await startTestDemo('api', {
    LOG_LEVEL: 'debug',
    RATE_LIMIT_PER_MIN: '100',
    MAX_PAYLOAD_BYTES: '4096',
  });
  ({ demo } = started);
  base = `http://127.0.0.1:${demo.app.http.port}`;
  tokens.maya = await tokenFromSlack('maya', 'ops decide');
  tokens.sam = await tokenFromSlack('sam', 'bot propose');
  tokens.reader = await tokenFromSlack('ines', 'grafana');
  tokens.tom = await tokenFromSlack('tom', 'pager decide');
}, 180_000);

afterAll(async () => {
  await started?.stop();
});

async function proposeAsSam(body: string) {
  const { rows } = await demo.app.db.query<{ repo: string; number: number }>(
    'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
  );
  const pr = rows[0] as { repo: string; number: number };
  const res = await call('POST', '/v1/approvals/propose', tokens.sam, {
    action: 'github.comment',
    params: { repo: pr.repo, number: pr.number, body },
    summary: `Comment on ${pr.repo}#${pr.number}: ${body}`,
    repo: pr.repo,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { outcome: string; approvalId: number };
}

describe('tokens', () => {
  test('a token is shown once, privately, to its creator; only its hash is stored; /em token list shows its prefix', async () => {
    const maya = demo.users.maya as string;
    const shown = demo.emulator.workspace.ephemerals.filter((e) =>
      JSON.stringify(e.blocks ?? []).includes(tokens.maya),
    );
    expect(shown.map((e) => e.user)).toEqual([maya]);
    const { rows } = await demo.app.db.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM api_tokens t');
    expect(rows).toHaveLength(Object.keys(tokens).length);
    for (const { row } of rows) for (const token of Object.values(tokens)) expect(row).not.toContain(token.slice(15));

    await demo.emulator.command({ user: maya, channel: demo.channels.eng as string, text: 'token list' });
    const list = await demo.emulator.waitFor(() =>
      demo.emulator.ephemeralsFor(maya).find((e) => JSON.stringify(e.blocks ?? []).includes('Your API tokens')),
    );
    const text = JSON.stringify(list.blocks);
    expect(text).toContain('*ops* (decide');
    expect(text).toContain(tokens.maya.slice(0, 15));
    expect(text).not.toContain(tokens.maya);
  });

  test('no token, a wrong one or a revoked one: 401 problem details; a read token cannot propose: 403', async () => {
    const none = await call('GET', '/v1/approvals', undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(await none.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    const forged = `${tokens.maya.slice(0, -4)}AAAA`;
    expect((await call('GET', '/v1/approvals', forged)).status).toBe(401);

    const readOnly = await call('POST', '/v1/approvals/propose', tokens.reader, {
      action: 'slack.post',
      params: {},
      summary: 'x',
    });
    expect(readOnly.status).toBe(403);
    expect((await readOnly.json()).detail).toContain('needs propose');

    const ines = demo.users.ines as string;
    const throwaway = await tokenFromSlack('ines', 'throwaway');
    expect((await call('GET', '/v1/approvals', throwaway)).status).toBe(200);
    await demo.emulator.command({ user: ines, channel: demo.channels.eng as string, text: 'token revoke throwaway' });
    await demo.emulator.waitFor(() =>
      demo.emulator.ephemeralsFor(ines).find((e) => JSON.stringify(e.blocks ?? []).includes('is revoked')),
    );
    expect((await call('GET', '/v1/approvals', throwaway)).status).toBe(401);
  }, 60_000);

  test('bad input is a 400 naming the field; a body over MAX_PAYLOAD_BYTES is a 413; both as problem details', async () => {
    const bad = await call('POST', '/v1/approvals/propose', tokens.sam, { action: 'nope', params: {}, summary: '' });
    expect(bad.status).toBe(400);
    const problem = await bad.json();
    expect(problem.detail).toContain('action');
    const big = await call('POST', '/v1/policy/evaluate', tokens.sam, { action: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
    const window = await call('GET', '/v1/metrics/dora/lead-time?window=2y', tokens.reader);
    expect(window.status).toBe(400);
    expect((await window.json()).detail).toContain('window must look like 30d');
  });

  test('a NUL character anywhere in a request, or a quarter that is none, is a 400 naming it, not a server error', async () => {
    const nul = '\u0000';
    const cases: [string, string, string, unknown, string][] = [
      ['GET', `/v1/ask/search?q=roll${encodeURIComponent(nul)}back`, tokens.reader, undefined, 'q:'],
      ['POST', '/v1/tools/ask.answer', tokens.reader, { question: `roll${nul}back` }, 'question:'],
      [
        'POST',
        '/v1/approvals/propose',
        tokens.sam,
        { action: 'slack.post', params: { channel: '#eng', text: `hi${nul}` }, summary: 'Say hi' },
        'params.text:',
      ],
      ['POST', '/v1/tools/incidents.declare', tokens.maya, { title: `Checkout${nul} down` }, 'title:'],
      ['POST', '/v1/agent/run', tokens.sam, { query: `sprint health${nul}` }, 'query:'],
    ];
    for (const [method, route, token, body, field] of cases) {
      const res = await call(method, route, token, body);
      const problem = (await res.json()) as { detail?: string };
      expect([route, res.status, problem.detail]).toEqual([
        route,
        400,
        expect.stringContaining(`${field} must not contain a NUL character`),
      ]);
    }
    const quarter = await call('POST', '/v1/tools/okrs.show', tokens.reader, { quarter: 'someday' });
    expect([quarter.status, (await quarter.json()).detail]).toEqual([400, expect.stringContaining('is not a quarter')]);
  });

  test('each token has one request budget per minute (RATE_LIMIT_PER_MIN) across REST and MCP, answered with 429', async () => {
    const hammer = await tokenFromSlack('ines', 'hammer');
    const statuses: number[] = [];
    for (let i = 0; i < 101; i += 1) statuses.push((await call('GET', '/v1/approvals?limit=1', hammer)).status);
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    const limited = await call('GET', '/v1/approvals?limit=1', hammer);
    expect(limited.status).toBe(429);
    expect((await limited.json()).detail).toContain('At most 100 requests a minute');
    // The budget is the token's, whichever door: the MCP server refuses it too (in JSON-RPC).
    const viaMcp = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${hammer}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(viaMcp.status).toBe(429);
    expect(await viaMcp.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringContaining('At most 100') },
    });
    // Another token of the same person is not held back.
    expect((await call('GET', '/v1/approvals?limit=1', tokens.reader)).status).toBe(200);
  }, 60_000);

  test('a JSON-RPC batch to /mcp counts each of its messages against the token budget, not one', async () => {
    const batcher = await tokenFromSlack('ines', 'batcher');
    // 40 calls a request (the body stays under MAX_PAYLOAD_BYTES): the third batch passes 100 calls.
    const batch = JSON.stringify(
      Array.from({ length: 40 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/list' })),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${batcher}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: batch,
      });
      statuses.push(res.status);
      if (res.status === 429)
        expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('At most 100') } });
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect((await call('GET', '/v1/approvals?limit=1', batcher)).status).toBe(429);
  }, 60_000);
});

describe('decisions through the API', () => {
  test('a proposal waits for the approver; the requester cannot decide it, the approver can, and the audit says via api', async () => {
    const proposed = await proposeAsSam('Could this be split in two?');
    expect(proposed.outcome).toBe('proposed');
    const id = proposed.approvalId;
    // sam's token cannot reach the decision route at all; a decide token of the requester would meet four-eyes.
    expect((await call('POST', `/v1/approvals/${id}/decision`, tokens.sam, { vote: 'approve' })).status).toBe(403);
    const shown = await (await call('GET', `/v1/approvals/${id}`, tokens.maya)).json();
    expect(shown).toMatchObject({ view: { id, requestedBy: demo.users.sam }, canDecide: true });
    const decided = await call('POST', `/v1/approvals/${id}/decision`, tokens.maya, { vote: 'approve' });
    expect(await decided.json()).toMatchObject({ outcome: 'approved', approvalId: id });
    const { rows } = await demo.app.db.query<{ event: string; actor: string; via: string }>(
      "SELECT event, actor, detail->>'via' AS via FROM audit_log WHERE approval_id = $1 AND event IN ('proposed', 'approved') ORDER BY id",
      [id],
    );
    expect(rows).toEqual([
      { event: 'proposed', actor: demo.users.sam, via: 'api' },
      { event: 'approved', actor: demo.users.maya, via: 'api' },
    ]);
    expect((await call('GET', `/v1/approvals/${id}`, tokens.maya)).status).toBe(404);
  }, 60_000);

  test('GET /v1/approvals pages through every pending proposal with ?before=, and GET /v1/approvals/{id} finds one past the first 50', async () => {
    const { rows: prs } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
    );
    const pr = prs[0] as { repo: string; number: number };
    for (let i = 0; i < 55; i += 1) {
      const made = await demo.app.approvals.propose({
        action: 'github.comment',
        params: { repo: pr.repo, number: pr.number, body: `Nit ${i}` },
        summary: `Nit ${i} on ${pr.repo}#${pr.number}`,
        repo: pr.repo,
        requestedBy: demo.users.sam as string,
        idempotencyKey: `api-pages-${i}`,
      });
      expect(made.outcome).toBe('proposed');
    }
    const { rows } = await demo.app.db.query<{ id: number }>(
      "SELECT id::int AS id FROM approvals WHERE status = 'proposed' ORDER BY id",
    );
    const pending = rows.map((r) => r.id);
    expect(pending.length).toBeGreaterThan(55);
    // The oldest is not among the newest 50, and is waiting all the same.
    const oldest = await call('GET', `/v1/approvals/${pending[0]}`, tokens.maya);
    expect(oldest.status).toBe(200);
    expect((await oldest.json()).view.id).toBe(pending[0]);
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page += 1) {
      const res = await call('GET', `/v1/approvals?limit=20${before ? `&before=${before}` : ''}`, tokens.maya);
      expect(res.status).toBe(200);
      const items = ((await res.json()) as { view: { id: number } }[]).map((p) => p.view.id);
      seen.push(...items);
      if (items.length < 20) break;
      before = items.at(-1);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(pending);
  }, 60_000);

  test('approvals.audit pages through the whole audit log with before (time, then id), through REST as documented', async () => {
    const { rows: prs } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
    );
    const pr = prs[0] as { repo: string; number: number };
    for (let i = 0; i < 12; i += 1)
      await demo.app.approvals.propose({
        action: 'github.comment',
        params: { repo: pr.repo, number: pr.number, body: `Audit page ${i}` },
        summary: `Audit page ${i}`,
        repo: pr.repo,
        requestedBy: demo.users.sam as string,
        idempotencyKey: `api-audit-pages-${i}`,
      });
    const { rows } = await demo.app.db.query<{ id: number }>(
      'SELECT id::int AS id FROM audit_log ORDER BY at DESC, id DESC',
    );
    const all = rows.map((r) => r.id);
    expect(all.length).toBeGreaterThan(15);
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 100; page += 1) {
      const res = await call('POST', '/v1/tools/approvals.audit', tokens.maya, {
        limit: 5,
        ...(before ? { before } : {}),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { allowed: boolean; lines: { id: number }[] };
      expect(body.allowed).toBe(true);
      seen.push(...body.lines.map((l) => l.id));
      if (body.lines.length < 5) break;
      before = body.lines.at(-1)?.id;
    }
    // Entries written while paging are newer than the first page: every older one is seen once, in order.
    expect(seen.filter((id) => all.includes(id))).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    const doc = await (await fetch(`${base}/v1/openapi.json`)).json();
    const audit = doc.paths['/v1/tools/approvals.audit'].post;
    expect(JSON.stringify(audit.requestBody)).toContain('"before"');
    expect(JSON.stringify(audit.responses['200'])).toContain('"id"');
    const bad = await call('POST', '/v1/tools/approvals.audit', tokens.maya, { before: 'last' });
    expect(bad.status).toBe(400);
  }, 60_000);

  test("the only approver's own proposal is told at once that nobody else can approve it", async () => {
    const { rows } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
    );
    const pr = rows[0] as { repo: string; number: number };
    // maya is @eng-leads' one member, and the four-eyes rule keeps her from approving her own request.
    const res = await call('POST', '/v1/approvals/propose', tokens.maya, {
      action: 'github.comment',
      params: { repo: pr.repo, number: pr.number, body: 'Ship it after the freeze.' },
      summary: 'Comment after the freeze',
      repo: pr.repo,
    });
    const proposed = (await res.json()) as { outcome: string; message: string };
    expect(proposed.outcome).toBe('proposed');
    expect(proposed.message).toContain('Nobody else in @eng-leads can approve it');
    // sam's proposal has an approver other than sam: no such warning.
    const sams = (await proposeAsSam('One more nit.')) as { outcome: string; message?: string };
    expect(sams.outcome).toBe('proposed');
    expect(sams.message).not.toContain('Nobody else');
  });

  test('a report posted through the API lands in the channel and is audited as via api', async () => {
    const res = await call('POST', '/v1/reports/standup/post', tokens.maya, { channel: '#eng-leads', hours: 48 });
    expect(res.status).toBe(200);
    const { channel, ts } = (await res.json()) as { channel: string; ts: string };
    expect(demo.emulator.messagesIn(channel).some((m) => m.ts === ts)).toBe(true);
    const { rows } = await demo.app.db.query<{ actor: string; action: string; via: string; ts: string }>(
      "SELECT actor, action, detail->>'via' AS via, detail->>'ts' AS ts FROM audit_log WHERE event = 'posted' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toEqual({ actor: demo.users.maya, action: 'report.standup', via: 'api', ts });
  });

  test("a post or DM proposed with a token reads as typed, says whose it is, and goes only to the person's channels", async () => {
    const propose = (action: string, params: Record<string, unknown>) =>
      call('POST', '/v1/approvals/propose', tokens.sam, { action, params, summary: 'tell the team' }).then(
        (r) => r.json() as Promise<{ outcome: string; message: string }>,
      );
    const hostile = '<!channel> re-auth at <https://evil.example|https://acme.dev/login>';
    // #eng-leads holds maya alone: sam cannot make the bot speak there.
    const refused = await propose('slack.post', { channel: '#eng-leads', text: hostile });
    expect(refused).toMatchObject({ outcome: 'invalid', message: expect.stringContaining('a channel you are in') });
    expect(demo.emulator.messagesIn(demo.channels.leads as string).map((m) => m.text)).not.toContain(hostile);
    const posted = await propose('slack.post', { channel: '#eng', text: hostile });
    expect(posted.outcome).toBe('executed');
    const message = await demo.emulator.waitFor(() =>
      demo.emulator.messagesIn(demo.channels.eng as string).find((m) => m.text.includes('re-auth at')),
    );
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text).toContain('https://evil.example');
    expect(message.text).not.toContain('<!channel>');
    expect(message.text).toContain(`sent for <@${demo.users.sam}>`);
  });

  test('a read token cannot post a report; an unknown team is a 404, also when posting one', async () => {
    const reader = await call('POST', '/v1/reports/standup/post', tokens.reader, { channel: '#eng' });
    expect(reader.status).toBe(403);
    for (const route of ['/v1/reports/standup?team=nope', '/v1/metrics/dora?team=nope', '/v1/teams/nope']) {
      const res = await call('GET', route, tokens.reader);
      expect([route, res.status]).toEqual([route, 404]);
      expect((await res.json()).detail).toContain('No team is called');
    }
    // A boolean in a query string is text: ?archived=true is read as true, not refused.
    for (const archived of ['true', 'false']) {
      const listed = await call('GET', `/v1/teams?archived=${archived}`, tokens.reader);
      expect([archived, listed.status]).toEqual([archived, 200]);
    }
    const unknown = await call('POST', '/v1/reports/standup/post', tokens.maya, { channel: '#eng', team: 'nope' });
    expect(unknown.status).toBe(404);
  });

  test('an incident number past PostgreSQL integers is a 400 naming the field, not a server error', async () => {
    const res = await call('POST', '/v1/tools/incidents.timeline', tokens.reader, { number: 2 ** 31 });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).not.toContain('out of range');
  });

  test('an incident number is a number or digits: true or "" is a 400 naming the field, not incident #1', async () => {
    for (const number of [true, false, '', ' ', [1]]) {
      const res = await call('POST', '/v1/tools/incidents.timeline', tokens.reader, { number });
      expect([number, res.status]).toEqual([number, 400]);
      expect((await res.json()).detail).toContain('the incident number');
    }
    const digits = await call('POST', '/v1/tools/incidents.timeline', tokens.reader, { number: '999999' });
    expect(await digits.json()).toEqual({ found: false, message: 'There is no incident INC-999999.' });
    // The same for the other ids the tools take: an action item, a reminder.
    const item = await call('POST', '/v1/tools/incidents.fileActionItem', tokens.sam, { actionItem: true });
    expect([item.status, (await item.json()).detail]).toEqual([400, expect.stringContaining('action item')]);
    const reminder = await call('POST', '/v1/tools/notifications.done', tokens.maya, { id: true });
    expect([reminder.status, (await reminder.json()).detail]).toEqual([400, expect.stringContaining('reminder id')]);
  });

  test("another person's request key declares their own incident and tells them nothing of the first", async () => {
    const declare = (token: string, title: string) =>
      call('POST', '/v1/tools/incidents.declare', token, { title, requestKey: 'alert-4242' }).then((r) => r.json());
    const first = await declare(tokens.maya, 'Payroll export leaking');
    expect(first.outcome).toBe('declared');
    const again = await declare(tokens.maya, 'Payroll export leaking');
    expect(again).toMatchObject({ outcome: 'duplicate', number: first.number });
    const other = await declare(tokens.tom, 'Unrelated thing');
    expect(other).toMatchObject({ outcome: 'declared', title: 'Unrelated thing' });
    expect(other.number).not.toBe(first.number);
    expect(JSON.stringify(other)).not.toContain('Payroll');
  });

  test('a person deactivated in Slack: their tokens stop working', async () => {
    const token = await tokenFromSlack('raj', 'laptop propose');
    const raj = demo.emulator.workspace.users.get(demo.users.raj as string);
    if (!raj) throw new Error('no raj');
    raj.deleted = true; // an admin deactivates him: users.info answers deleted: true
    try {
      // Slack is asked on his token's first use (then at most every five minutes): refused; others still work.
      const refused = await call('GET', '/v1/approvals?limit=1', token);
      expect(refused.status).toBe(401);
      expect((await call('GET', '/v1/approvals?limit=1', tokens.reader)).status).toBe(200);
    } finally {
      raj.deleted = false;
    }
  });

  test('tokens never reach the log file', async () => {
    await demo.emulator.settle();
    const log = readFileSync(demo.logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    for (const token of Object.values(tokens)) expect(log).not.toContain(token.slice(15));
  });
});

describe('the agent through the API', () => {
  test('POST /v1/agent/run answers a plain-language request with the tools it ran, as the token’s person; a read token is refused', async () => {
    const res = await call('POST', '/v1/agent/run', tokens.sam, { query: 'sprint health and stale PRs' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: string; answer: string; tools: { tool: string; ok: boolean }[] };
    expect(body.outcome).toBe('answered');
    expect(body.tools.map((t) => t.tool)).toEqual(expect.arrayContaining(['sprint.health']));
    expect(body.tools.every((t) => t.ok)).toBe(true);
    expect(body.answer.length).toBeGreaterThan(0);
    const { rows } = await demo.app.db.query<{ person: string; door: string }>(
      'SELECT person, door FROM agent_runs ORDER BY id DESC LIMIT 1',
    );
    expect(rows[0]).toEqual({ person: demo.users.sam, door: 'api' });
    // The agent may propose, so a read token cannot run it.
    expect((await call('POST', '/v1/agent/run', tokens.reader, { query: 'sprint health' })).status).toBe(403);
  }, 60_000);
});

describe('/v1/openapi.json', () => {
  /** Inputs for the routes that need some; the others are called with none. */
  const requests = (ids: { pending: number }): Record<string, { query?: string; body?: unknown; path?: string }> => ({
    'GET /v1/approvals/{id}': { path: `/v1/approvals/${ids.pending}` },
    'POST /v1/approvals/{id}/decision': { path: `/v1/approvals/${ids.pending}/decision`, body: { vote: 'reject' } },
    'POST /v1/approvals/propose': {
      body: { action: 'slack.post', params: { channel: '#eng-leads', text: 'hi' }, summary: 'Say hi' },
    },
    'POST /v1/policy/evaluate': { body: { action: 'github.comment' } },
    'POST /v1/signals/evaluate': { body: { yaml: '- { name: draft, kind: large_pr, max_lines: 100 }' } },
    'POST /v1/tools/signals.evaluate': { body: { yaml: '- { name: draft, kind: stale_pr, older_than_hours: 24 }' } },
    'POST /v1/tools/incidents.timeline': { body: { number: 1 } },
    'POST /v1/agent/run': { body: { query: 'sprint health and stale PRs' } },
    'GET /v1/teams/{team}': { path: '/v1/teams/org' },
    'DELETE /v1/teams/{team}': { path: '/v1/teams/nobody' },
    'POST /v1/teams': { body: { key: 'tour', name: 'Tour' } },
    'POST /v1/tools/teams.save': { body: { key: 'tour', name: 'Tour' } },
    'POST /v1/tools/teams.archive': { body: { key: 'nobody' } },
    'POST /v1/tools/agent.run': { body: { query: 'how did deployments go over the last two weeks?' } },
    'GET /v1/ask/search': { query: '?q=roll%20back%20a%20release' },
    'GET /v1/rag/search': { query: '?q=roll%20back%20a%20release&limit=2' },
    'GET /v1/metrics/dora/lead-time': { query: '?window=12w' },
    'POST /v1/reports/standup/post': { body: { channel: '#eng-leads', hours: 48 } },
    'POST /v1/reports/sprint-health/post': { body: { channel: '#eng-leads' } },
    'POST /v1/tools/policy.explain': { body: { action: 'nudge_reviewer' } },
    'POST /v1/tools/ask.search': { body: { query: 'roll back a release' } },
    'POST /v1/tools/ask.answer': { body: { question: 'how do we roll back a release?' } },
    'POST /v1/tools/approvals.propose': {
      body: { action: 'slack.post', params: { channel: '#eng-leads', text: 'hello' }, summary: 'Say hello' },
    },
    'POST /v1/tools/approvals.decide': { body: { id: 999_999, vote: 'approve' } },
    'POST /v1/tools/onboarding.start': { body: { person: demo.users.ines } },
    // Incident changes on an incident there is not, and a declaration from a message maya cannot see: refusals as data.
    'POST /v1/tools/incidents.declare': {
      body: { title: 'Checkout is failing', origin: { channel: 'C0NOTHERE', ts: '1.000001' } },
    },
    'POST /v1/tools/incidents.note': { body: { number: 999_999, text: 'rolled back' } },
    'POST /v1/tools/incidents.actionItem': { body: { number: 999_999, text: 'add an alert' } },
    'POST /v1/tools/incidents.severity': { body: { number: 999_999, severity: 'SEV2' } },
    'POST /v1/tools/incidents.assign': { body: { number: 999_999, role: 'scribe', user: demo.users.maya } },
    'POST /v1/tools/incidents.update': { body: { number: 999_999, phase: 'monitoring', summary: 'back to normal' } },
    'POST /v1/tools/incidents.resolve': { body: { number: 999_999, summary: 'rolled back' } },
    'POST /v1/tools/incidents.confirmCause': { body: { number: 999_999, deployment: null } },
    'POST /v1/tools/incidents.fileActionItem': { body: { actionItem: 999_999 } },
    // Reminders maya does not have: refusals as data; her preferences saved as they are by default.
    'POST /v1/tools/notifications.snooze': { body: { id: 999_999 } },
    'POST /v1/tools/notifications.done': { body: { id: 999_999 } },
    'POST /v1/tools/notifications.mute': { body: { id: 999_999, rule: 'stale_pr' } },
    'POST /v1/tools/notifications.setPreferences': { body: { digestTime: '09:30' } },
    'POST /v1/tools/okrs.checkin': { body: { key_result: 999_999, confidence: 7 } },
    'POST /v1/tools/okrs.save': {
      body: {
        team: 'nobody',
        quarter: '2026Q4',
        objective: {
          title: 'Ship faster',
          key_results: [
            {
              title: 'Lead time under 2 days',
              owner: demo.users.maya,
              metric: { metric: 'lead_time_days', baseline: 4, target: 2 },
            },
          ],
        },
      },
    },
  });

  test('is valid OpenAPI 3.1, documents every seed route and tool, and every route answers what it documents', async () => {
    const doc = await (await fetch(`${base}/v1/openapi.json`)).json();
    const checked = await new Validator().validate(doc);
    expect(checked.errors ?? []).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');

    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`),
    );
    const seed = [
      'GET /v1/metrics/dora/lead-time',
      'GET /v1/metrics/dora/deployment-frequency',
      'GET /v1/metrics/dora/change-fail-rate',
      'GET /v1/metrics/dora/mttr',
      'GET /v1/metrics/dora/recovery-time',
      'GET /v1/reports/standup',
      'POST /v1/reports/standup/post',
      'GET /v1/reports/sprint-health',
      'POST /v1/reports/sprint-health/post',
      'POST /v1/signals/evaluate',
      'POST /v1/policy/evaluate',
      'GET /v1/approvals',
      'GET /v1/approvals/{id}',
      'POST /v1/approvals/propose',
      'POST /v1/approvals/{id}/decision',
      'GET /v1/rag/search',
      'GET /v1/ask/search',
      'POST /v1/agent/run',
      'GET /v1/teams',
      'POST /v1/teams',
      'GET /v1/teams/{team}',
      'DELETE /v1/teams/{team}',
    ];
    const toolRoutes = demo.app.tools
      .filter((t) => !t.name.startsWith('tokens.'))
      .map((t) => `POST /v1/tools/${t.name}`);
    expect(operations).toEqual(expect.arrayContaining([...seed, ...toolRoutes]));
    expect(operations.filter((o) => o.includes('tokens.'))).toEqual([]);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'openapi.json' });
    const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

    const pending = (await proposeAsSam('Please add a test.')).approvalId;
    const inputs = requests({ pending });
    const seen: string[] = [];
    for (const operation of operations) {
      const [method = 'GET', route = '/'] = operation.split(' ');
      const input = inputs[operation] ?? {};
      const res = await call(
        method,
        `${input.path ?? route}${input.query ?? ''}`,
        tokens.maya,
        input.body ?? (method === 'POST' ? {} : undefined),
      );
      const status = String(res.status);
      const responses = doc.paths[route][method.toLowerCase()].responses as Record<
        string,
        { content: Record<string, unknown> }
      >;
      expect({ operation, status, documented: status in responses }).toEqual({ operation, status, documented: true });
      const contentType = Object.keys(responses[status]?.content ?? {})[0] as string;
      const body = await res.json();
      const valid = ajv.validate(
        {
          $ref: `openapi.json#/${pointer('paths', route, method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`,
        },
        body,
      );
      expect({ operation, status, errors: valid ? [] : ajv.errors }).toEqual({ operation, status, errors: [] });
      if (res.status === 200) seen.push(operation);
    }
    // Every route answered with data on the demo org, not with an error its document also allows.
    expect(operations.filter((o) => !seen.includes(o))).toEqual([]);

    // The problem responses match their documented schema too.
    const unauthorized = await (await call('GET', '/v1/approvals', undefined)).json();
    expect(
      ajv.validate(
        {
          $ref: `openapi.json#/${pointer('paths', '/v1/approvals', 'get', 'responses', '401', 'content', 'application/problem+json', 'schema')}`,
        },
        unauthorized,
      ),
    ).toBe(true);

    // A body in a type the API does not read is a 415, documented like the other problems.
    const form = await call('POST', '/v1/policy/evaluate', tokens.reader, 'action=github.comment', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const formProblem = await form.json();
    expect(Object.keys(doc.paths['/v1/policy/evaluate'].post.responses)).toContain('415');
    expect(
      ajv.validate(
        {
          $ref: `openapi.json#/${pointer('paths', '/v1/policy/evaluate', 'post', 'responses', '415', 'content', 'application/problem+json', 'schema')}`,
        },
        formProblem,
      ),
    ).toBe(true);

    // The DORA routes carry figures from the demo org, by repository.
    const lead = await (await call('GET', '/v1/metrics/dora/deployment-frequency?window=12w', tokens.reader)).json();
    expect(lead.org.value).toBeGreaterThan(0);
    expect(lead.repos.length).toBeGreaterThan(0);
    const one = await (
      await call('GET', `/v1/metrics/dora/deployment-frequency?window=12w&repo=${lead.repos[0].name}`, tokens.reader)
    ).json();
    expect(one.repos.map((r: { name: string }) => r.name)).toEqual([lead.repos[0].name]);
  }, 180_000);
});
