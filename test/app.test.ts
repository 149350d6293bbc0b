import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';

describe('the running service (embedded store)', () => {
  let app: App;
  let base: string;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'em-app-'));

  beforeAll(async () => {
    app = await startApp(
      loadConfig({
        DATA_DIR: dataDir,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        JOBS_POLL_MS: '100',
        JOBS_LOCK_LIFETIME_MS: '1000',
      }),
      createLogger('silent'),
    );
    base = `http://127.0.0.1:${app.http.port}`;
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('/health answers ok', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('/ready reports the database and the jobs as up', async () => {
    const res = await fetch(`${base}/ready`);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: true, jobs: true } });
    expect(res.status).toBe(200);
  });

  test('/metrics exposes process metrics and the heartbeat job runs', async () => {
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${base}/metrics`)).text();
      if (text.includes('jobs_runs_total{job="heartbeat",outcome="success"}')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('jobs_runs_total{job="heartbeat",outcome="success"}');
  });

  test('an unknown path is a 404', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('shutdown', () => {
  test('SIGTERM (here during the offline tour) stops the process cleanly and the next start opens the same data', async () => {
    const { runTs } = await import('./support/processes.js');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'em-stop-'));
    try {
      for (let round = 0; round < 2; round += 1) {
        const child = runTs(
          'scripts/start.mjs',
          {
            DATA_DIR: dataDir,
            HTTP_PORT: '0',
            HTTP_HOST: '127.0.0.1',
            JOBS_LOCK_LIFETIME_MS: '2000',
          },
          ['--source'],
        );
        await child.waitFor(/maya types: \/em help/, 60_000);
        child.proc.kill('SIGTERM');
        const { code } = await child.exited();
        expect(code).toBe(0);
        expect(child.output()).toContain('stopped cleanly');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
