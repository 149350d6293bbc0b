// RATE_LIMIT_PER_MIN is one budget per token across replicas: two services on one PostgreSQL database, the token's
// requests spread over both, are refused once the budget is spent (each process counted alone before, so two
// replicas allowed twice the limit, N replicas N times).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { runTool } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { startServiceOnEmulator } from '../support/service.js';

const onServer = serverUp ? describe : describe.skip;

onServer('the request budget per token, across replicas', () => {
  const schema = uniqueSchema('rate');
  const dirs: string[] = [];
  const apps: App[] = [];
  let emulator: SlackEmulator;
  let alice: string;

  beforeAll(async () => {
    emulator = await new SlackEmulator().start();
    alice = emulator.workspace.addUser({ name: 'alice' }).id;
    for (let i = 0; i < 2; i += 1) {
      const dir = mkdtempSync(path.join(tmpdir(), `em-rate-${i}-`));
      dirs.push(dir);
      apps.push(
        await startServiceOnEmulator(emulator, dir, {
          policies: 'policies: []\n',
          env: { DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema, RATE_LIMIT_PER_MIN: '10' },
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await emulator.stop();
    await dropSchemas([schema]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('requests spread over two replicas share one budget: the eleventh of a limit of 10 is a 429', async () => {
    const [first, second] = apps as [App, App];
    const create = first.tools.find((t) => t.name === 'tokens.create');
    if (!create) throw new Error('no tokens.create tool');
    const { token } = (await runTool(
      create,
      { person: { slackId: alice }, db: first.db, logger: createLogger('silent') },
      { name: 'dash', scope: 'read' },
    )) as { token: string };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const app = i % 2 === 0 ? first : second;
      const res = await fetch(`http://127.0.0.1:${app.http.port}/v1/approvals?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
  }, 60_000);
});
