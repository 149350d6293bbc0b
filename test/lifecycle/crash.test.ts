import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMigrations } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open.js';
import { countEvents } from '../../src/sync/store.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { runTs } from '../support/processes.js';

const CHILD = 'test/support/child.ts';

interface Target {
  name: string;
  env: () => Record<string, string>;
  cleanup: () => Promise<void>;
}

function pgliteTarget(): Target {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-crash-'));
  return {
    name: 'pglite',
    env: () => ({ DATA_DIR: dir, DATABASE_URL: '' }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function serverTarget(): Target {
  const schema = uniqueSchema('crash');
  return {
    name: 'postgres',
    env: () => ({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema }),
    cleanup: () => dropSchemas([schema]),
  };
}

const targets = [pgliteTarget, ...(serverUp ? [serverTarget] : [])];
if (!serverUp) console.warn('!!! SKIPPED: crash tests on the PostgreSQL server — server unreachable !!!');

describe.each(targets.map((make) => [make().name, make] as const))('after kill -9 [%s]', (_name, make) => {
  let target: Target;
  beforeEach(() => {
    target = make();
  });
  afterEach(async () => {
    await target.cleanup();
  });

  test('a new process finds every event the killed writer had committed', async () => {
    const writer = runTs(CHILD, { ...target.env(), MODE: 'write-events' });
    await writer.waitFor(/committed 1500/, 60_000);
    writer.proc.kill('SIGKILL');
    await writer.exited();
    const reported = Math.max(...[...writer.output().matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));

    const env = target.env();
    const db = await openStore({
      DATABASE_URL: env.DATABASE_URL || undefined,
      DATABASE_SCHEMA: env.DATABASE_SCHEMA,
      DATA_DIR: env.DATA_DIR ?? '',
    });
    try {
      const stored = await countEvents(db, { source: 'crash-test' });
      // Every batch reported as committed is there; a batch in flight is either whole or absent.
      expect(stored).toBeGreaterThanOrEqual(reported);
      expect(stored % 100).toBe(0);
    } finally {
      await db.close();
    }
  });

  test('a job locked by the killed process runs again once its lock expires', async () => {
    const first = runTs(CHILD, { ...target.env(), MODE: 'job', HANG: '1', QUEUE: '1', LOCK_MS: '1500' });
    let started: RegExpMatchArray;
    try {
      started = await first.waitFor(/job started in (\d+)/, 60_000);
    } finally {
      // Killed whether or not it got that far: a hanging job left running outlives the test.
      first.proc.kill('SIGKILL');
      await first.exited();
    }

    const second = runTs(CHILD, { ...target.env(), MODE: 'job', LOCK_MS: '1500' });
    try {
      const finished = await second.waitFor(/job finished in (\d+)/, 30_000);
      expect(finished[1]).not.toBe(started[1]);
      expect(second.output().match(/job finished/g)).toHaveLength(1);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited();
    }
  });
});

describe.each(targets.map((make) => [make().name, make] as const))('a stopped scheduler [%s]', (_name, make) => {
  test('the process ends by itself after stop(): Agenda leaves no timer behind (lock watchdog, next-run timers)', async () => {
    const target = make();
    // With a 60 s lock lifetime, Agenda's watchdog over a running job waits 30 s between checks.
    const child = runTs(CHILD, { ...target.env(), MODE: 'job', QUEUE: '1', LOCK_MS: '60000', EXIT: 'natural' });
    try {
      await child.waitFor(/job finished in/, 60_000);
      child.proc.kill('SIGTERM');
      const [, stoppedAt] = await child.waitFor(/stopped at (\d+)/, 30_000);
      const { code } = await child.exited();
      // Ending takes a moment (module teardown); a timer left behind holds the process for the watchdog's 30 s.
      expect(Date.now() - Number(stoppedAt)).toBeLessThan(10_000);
      expect(code).toBe(0);
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
      await target.cleanup();
    }
  });
});

const serverOnly = serverUp ? describe : describe.skip;
serverOnly('two processes migrating one empty PostgreSQL database at once', () => {
  const schema = uniqueSchema('race');
  afterAll(() => dropSchemas([schema]));

  test('both start cleanly and the migrations are applied once', async () => {
    const env = {
      MODE: 'migrate',
      DATABASE_URL: SERVER_URL,
      DATABASE_SCHEMA: schema,
      START_AT: String(Date.now() + 5000),
    };
    const a = runTs(CHILD, env);
    const b = runTs(CHILD, env);
    const [ea, eb] = await Promise.all([a.exited(), b.exited()]);
    // Each ended cleanly; a failure shows the child's first error line (e.g. a collision on the schema), not only 1.
    const ending = (code: number | null, output: string) => ({
      code,
      error: /^\w*error: .*$/im.exec(output)?.[0] ?? null,
    });
    expect([ending(ea.code, a.output()), ending(eb.code, b.output())]).toEqual([
      { code: 0, error: null },
      { code: 0, error: null },
    ]);
    const every = `migrated ${loadMigrations()
      .map((m) => m.version)
      .join(',')}`;
    expect(a.output()).toContain(every);
    expect(b.output()).toContain(every);
    // Their store openings (migrations included) overlapped in time, or this proved nothing about a race.
    const span = (output: string) =>
      /opened from (\d+) to (\d+)/.exec(output)?.slice(1).map(Number) as [number, number];
    const [aFrom, aTo] = span(a.output());
    const [bFrom, bTo] = span(b.output());
    // The later of the two starts came before the earlier of the two ends (times in ms since the epoch).
    expect(Math.max(aFrom, bFrom)).toBeLessThan(Math.min(aTo, bTo));
  });
});
