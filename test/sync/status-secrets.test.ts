// What a source's failure shows through sources.status (REST and MCP, any read token): a connector's error text can
// carry what a reader must not see (credentials echoed by a vendor or a proxy, a project's name), so the tool shows a
// plain reason; the full text stays in the log and in /ready for holders of METRICS_TOKEN.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type App, startApp } from '../../src/app.js';
import { runTool } from '../../src/capabilities/tool.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { UNSHOWN_SOURCE_ERROR } from '../../src/sync/source-errors.js';
import { listSyncStatus } from '../../src/sync/status-store.js';
import { eventually } from '../support/eventually.js';

const READY_TOKEN = 'status-secrets-ready';
const SECRET = 'c2VjcmV0LWppcmEtdG9rZW4tOTk5';
const PROJECT = 'ACQUISITION-ZEBRA';

let vendor: Server;
let app: App;
let dir: string;

beforeAll(async () => {
  // A proxy in front of GitHub Enterprise whose error page echoes the request: its Authorization header, and the
  // private repository it was asked about.
  vendor = createServer((req, res) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`Bad request for ${PROJECT} (${req.method} ${req.url}; Authorization: Basic ${SECRET})`);
  });
  await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  const port = (vendor.address() as { port: number }).port;
  dir = mkdtempSync(path.join(tmpdir(), 'em-status-secrets-'));
  const file = path.join(dir, 'sources.yml');
  writeFileSync(file, 'github:\n  installations:\n    - id: 7\n      repos: [acme/api]\n');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  app = await startApp(
    loadConfig({
      DATA_DIR: path.join(dir, 'data'),
      SOURCES_FILE: file,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_POLL_MS: '100',
      JOBS_LOCK_LIFETIME_MS: '30000',
      METRICS_TOKEN: READY_TOKEN,
      GITHUB_APP_ID: '12345',
      GITHUB_PRIVATE_KEY: privateKey,
      GITHUB_API_URL: `http://127.0.0.1:${port}`,
    }),
    createLogger('silent'),
  );
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => vendor?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test("a read token sees a source's failure as a plain reason, never the vendor's text; /ready's holders see it, redacted", async () => {
  const failed = await eventually(
    async () => (await listSyncStatus(app.db)).find((s) => s.source === 'github' && s.lastError),
    30_000,
  );
  // The vendor's text is kept for the operator (the log and /ready), its credentials redacted.
  expect(failed.lastError).toContain(PROJECT);
  expect(failed.lastError).not.toContain(SECRET);
  const ready = await (
    await fetch(`http://127.0.0.1:${app.http.port}/ready`, { headers: { authorization: `Bearer ${READY_TOKEN}` } })
  ).json();
  expect(JSON.stringify(ready.sources)).toContain(PROJECT);
  expect(JSON.stringify(ready)).not.toContain(SECRET);

  const create = app.tools.find((t) => t.name === 'tokens.create');
  if (!create) throw new Error('no tokens.create tool');
  const { token } = (await runTool(
    create,
    { person: { slackId: 'U0READER' }, db: app.db, logger: createLogger('silent') },
    { name: 'dash', scope: 'read' },
  )) as { token: string };

  const rest = await fetch(`http://127.0.0.1:${app.http.port}/v1/tools/sources.status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(rest.status).toBe(200);
  const shown = await rest.text();
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${app.http.port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const mcp = JSON.stringify(await client.callTool({ name: 'sources.status', arguments: {} }));
    for (const answer of [shown, mcp]) {
      expect(answer).not.toContain(SECRET);
      expect(answer).not.toContain(PROJECT);
      expect(answer).toContain(UNSHOWN_SOURCE_ERROR);
    }
  } finally {
    await client.close();
  }
}, 60_000);
