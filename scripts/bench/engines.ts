// Runs a benchmark on the embedded store, then on the PostgreSQL server when one answers (in a schema of its own).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open.js';

export const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function onEachEngine(name: string, bench: (engine: string, db: Db) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), `em-bench-${name}-`));
  // BENCH_ENGINES=postgres (or pglite) measures one engine only.
  const only = process.env.BENCH_ENGINES?.split(',');
  try {
    if (!only || only.includes('pglite')) {
      const embedded = await openStore({ DATA_DIR: dir, DATABASE_URL: '' });
      try {
        await bench('pglite', embedded);
      } finally {
        await embedded.close();
      }
    }
    if (only && !only.includes('postgres')) return;
    const schema = `bench_${name}_${Date.now()}`;
    const probe = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 2000 });
    const reachable = await probe.connect().then(
      () => true,
      () => false,
    );
    if (!reachable) {
      console.log(`postgres  SKIPPED: no server at ${SERVER}`);
      return;
    }
    const pool = process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: Number(process.env.DATABASE_POOL_MAX) } : {};
    const server = await openStore({ DATABASE_URL: SERVER, DATABASE_SCHEMA: schema, DATA_DIR: '', ...pool });
    try {
      await bench('postgres', server);
    } finally {
      await server.close();
      await probe.query(`DROP SCHEMA "${schema}" CASCADE`);
      await probe.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
