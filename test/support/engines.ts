import pg from 'pg';
import type { Db, Engine } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { type PgliteThread, startPgliteWorker } from '../../src/store/pglite.js';
import { openPostgres } from '../../src/store/postgres.js';

export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const serverUp = process.env.EM_TEST_PG === 'up';
export const serverHasVector = process.env.EM_TEST_PG_VECTOR === 'yes';

let counter = 0;
export function uniqueSchema(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export interface EngineHarness {
  engine: Engine;
  /** A migrated database in a schema of its own, dropped after the file's tests. */
  freshDb(): Promise<Db>;
}

/**
 * Runs `body` once per engine: PGlite (one instance per file, a fresh schema per freshDb)
 * and the PostgreSQL server (a fresh schema per freshDb), which is skipped loudly when unreachable.
 */
export function describeEachEngine(title: string, body: (harness: EngineHarness) => void): void {
  describe(`${title} [pglite]`, () => {
    // One database thread per file, as the product runs it; each freshDb is a schema of its own.
    let thread: Promise<PgliteThread> | undefined;
    const harness: EngineHarness = {
      engine: 'pglite',
      async freshDb() {
        thread ??= startPgliteWorker();
        const db = await (await thread).db(uniqueSchema());
        await migrate(db);
        return db;
      },
    };
    afterAll(async () => {
      await (await thread)?.close();
    });
    body(harness);
  });

  const serverSuite = serverUp ? describe : describe.skip;
  if (!serverUp)
    console.warn(`!!! SKIPPED: "${title} [postgres]" — no PostgreSQL server reachable at ${SERVER_URL} !!!`);
  serverSuite(`${title} [postgres]`, () => {
    const opened: Db[] = [];
    const harness: EngineHarness = {
      engine: 'postgres',
      async freshDb() {
        const db = await openPostgres({ connectionString: SERVER_URL, schema: uniqueSchema(), max: 4 });
        opened.push(db);
        await migrate(db);
        return db;
      },
    };
    afterAll(async () => {
      for (const db of opened) await db.close();
      await dropSchemas(opened.map((db) => db.schema));
    });
    body(harness);
  });
}

export async function dropSchemas(schemas: string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
