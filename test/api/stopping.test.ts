// The REST API and the MCP server while the process stops (a restart, an update): a request whose work the stop cut
// off gets an answer that says so and when to come back, not a bare 500.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { httpDoors } from '../../src/api/doors.js';
import { ApiTokens } from '../../src/api/tokens.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { type HttpServer, startHttpServer } from '../../src/observability/http.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { signalsListTool } from '../../src/signals/tools.js';
import { CommandRegistry } from '../../src/slack/commands.js';
import { capabilityTools } from '../support/agent-tools.js';
import { describeEachEngine } from '../support/engines.js';
import { pr } from '../support/fixtures.js';

describeEachEngine('the API while em-agent stops', ({ freshDb }) => {
  test('a request whose rule evaluation the stop ended: 503 with Retry-After over REST, a tool error over MCP', async () => {
    const db = await freshDb();
    const logger = createLogger('silent');
    const dir = mkdtempSync(path.join(tmpdir(), 'em-api-stop-'));
    let server: HttpServer | undefined;
    const client = new Client({ name: 'test', version: '1.0.0' });
    try {
      writeFileSync(path.join(dir, 'r.yml'), '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n');
      await pr(db, { number: 1, ageHours: 48 });
      const stopping = new AbortController();
      const engine = new SignalEngine({ db, logger, rules: new RuleBook(dir), stopping: stopping.signal });
      const tokens = new ApiTokens(db);
      const made = await tokens.create('U1', 'ops', 'read');
      const auth = { authorization: `Bearer ${made?.token}` };
      server = await startHttpServer({
        host: '127.0.0.1',
        port: 0,
        logger,
        readiness: { database: () => true },
        plugins: httpDoors({
          db,
          logger,
          tokens,
          // Every tool the product has (the REST resource routes name several), signals.list on a stopping engine.
          tools: [...capabilityTools().filter((t) => t.name !== 'signals.list'), signalsListTool(engine)],
          commands: new CommandRegistry(),
          slack: () => undefined,
          ratePerMinute: 100,
          maxPayloadBytes: 4096,
        }),
      });
      const listWithEvaluation = () =>
        fetch(`http://127.0.0.1:${server?.port}/v1/tools/signals.list`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ evaluate: true }),
        });
      // Before the stop the same request answers with the signal.
      const before = await listWithEvaluation();
      expect(before.status).toBe(200);
      expect(((await before.json()) as { signals: unknown[] }).signals).toHaveLength(1);

      stopping.abort(new StoppingError());
      const during = await listWithEvaluation();
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('30');
      expect(during.headers.get('content-type')).toContain('application/problem+json');
      expect(((await during.json()) as { detail: string }).detail).toBe(
        'em-agent is restarting; try again in a moment.',
      );

      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`), {
          requestInit: { headers: auth },
        }),
      );
      const result = (await client.callTool({ name: 'signals.list', arguments: { evaluate: true } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toContain('em-agent is restarting; try again in a moment.');
    } finally {
      await client.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
