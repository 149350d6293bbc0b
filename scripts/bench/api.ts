// npm run bench:api — the REST API and the MCP server on the offline demo (PGlite, emulated Slack): per route,
// BENCH_API_N sequential requests (default 50) with one token; prints p50/p95/max in ms, and the cost of a token
// check (the same route with and without auth is not comparable: a 401 stops before the tool runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startOfflineDemo } from '../../dev/demo/offline.js';
import { runTool } from '../../src/capabilities/tool.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';

const N = Number(process.env.BENCH_API_N ?? 50);
const dir = mkdtempSync(path.join(tmpdir(), 'em-bench-api-'));
const demo = await startOfflineDemo(
  loadConfig({
    DATA_DIR: dir,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MIN: '100000',
  }),
);
try {
  const create = demo.app.tools.find((t) => t.name === 'tokens.create');
  if (!create) throw new Error('no tokens.create');
  const made = (await runTool(
    create,
    { person: { slackId: demo.users.maya as string }, db: demo.app.db, logger: createLogger('silent') },
    { name: 'bench', scope: 'decide' },
  )) as { token: string };
  const base = `http://127.0.0.1:${demo.app.http.port}`;
  const headers = { authorization: `Bearer ${made.token}` };
  const stats = (ms: number[]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(1);
    return `p50 ${at(0.5)}  p95 ${at(0.95)}  max ${at(1)}`;
  };
  const time = async (label: string, once: () => Promise<unknown>) => {
    await once();
    const ms: number[] = [];
    for (let i = 0; i < N; i += 1) {
      const started = performance.now();
      await once();
      ms.push(performance.now() - started);
    }
    console.log(`${label.padEnd(48)} ${stats(ms)} ms (n=${N})`);
  };
  const get =
    (route: string, h: Record<string, string> = headers) =>
    async () => {
      const res = await fetch(`${base}${route}`, { headers: h });
      await res.arrayBuffer();
      if (res.status >= 500) throw new Error(`${route}: ${res.status}`);
    };
  await time('GET /health (no auth, Fastify floor)', get('/health', {}));
  await time('GET /v1/approvals without a token (401)', get('/v1/approvals', {}));
  await time('GET /v1/approvals?limit=1', get('/v1/approvals?limit=1'));
  await time('GET /v1/metrics/dora/lead-time?window=12w', get('/v1/metrics/dora/lead-time?window=12w'));
  await time('GET /v1/reports/standup', get('/v1/reports/standup'));
  await time('GET /v1/openapi.json', get('/v1/openapi.json', {}));
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers } }));
  await time('MCP tools/call approvals.list (HTTP, stateless)', () =>
    client.callTool({ name: 'approvals.list', arguments: { limit: 1 } }),
  );
  await client.close();
} finally {
  await demo.stop();
  rmSync(dir, { recursive: true, force: true });
}
