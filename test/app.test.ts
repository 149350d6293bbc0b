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
        METRICS_TOKEN: 'app-test-token',
      }),
      createLogger('silent'),
    );
    base = `http://127.0.0.1:${app.http.port}`;
    // Starting the whole service (72 migrations on a new embedded store) is slow on a busy machine; these tests
    // check what it answers once up, not how fast it starts (bench:store measures that).
  }, 150_000);
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
    const res = await fetch(`${base}/ready`, { headers: { authorization: 'Bearer app-test-token' } });
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: true, jobs: true } });
    expect(res.status).toBe(200);
  });

  test('/metrics exposes process metrics and the heartbeat job runs', async () => {
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer app-test-token' } })).text();
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

/** A tsx start of the offline demo up to the tour's first command, as the round waits for it. */
const STARTUP_MS = 60_000;

describe('shutdown', () => {
  test(
    'SIGTERM (here during the offline tour) stops the process cleanly and the next start opens the same data',
    async () => {
      const { runTs } = await import('./support/processes.js');
      const dataDir = mkdtempSync(path.join(tmpdir(), 'em-stop-'));
      let child: ReturnType<typeof runTs> | undefined;
      try {
        for (let round = 0; round < 2; round += 1) {
          child = runTs(
            'scripts/start.mjs',
            { DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', JOBS_LOCK_LIFETIME_MS: '2000' },
            ['--source'],
          );
          await child.waitFor(/maya types: \/em help/, STARTUP_MS);
          child.proc.kill('SIGTERM');
          const { code } = await child.exited();
          expect(code).toBe(0);
          expect(child.output()).toContain('stopped cleanly');
        }
      } finally {
        // A round that failed leaves no bot running (and holding the worker open) behind it.
        if (child && child.proc.exitCode === null && child.proc.signalCode === null) {
          child.proc.kill('SIGKILL');
          await child.exited();
        }
        rmSync(dataDir, { recursive: true, force: true });
      }
      // The test's own budget follows from its waits: two starts, each allowed STARTUP_MS, and two stops.
    },
    2 * STARTUP_MS + 20_000,
  );
});
