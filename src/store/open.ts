import path from 'node:path';
import { tracingEnabled } from '../observability/tracing.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { tracedDb } from './traced.js';

export interface StoreOptions {
  DATABASE_URL?: string;
  DATABASE_SCHEMA?: string;
  /** Connections to the PostgreSQL server (see DEFAULT_POOL_MAX). */
  DATABASE_POOL_MAX?: number;
  DATA_DIR: string;
}

/**
 * PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite in DATA_DIR; migrated before use. Its queries
 * are traced when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT).
 */
export async function openStore(options: StoreOptions): Promise<Db> {
  const db = options.DATABASE_URL
    ? await openPostgres({
        connectionString: options.DATABASE_URL,
        schema: options.DATABASE_SCHEMA,
        max: options.DATABASE_POOL_MAX,
      })
    : await openPglite({ dataDir: path.resolve(options.DATA_DIR, 'pglite'), schema: options.DATABASE_SCHEMA });
  try {
    await migrate(db);
    // Untraced when tracing is off: no span, and no statement text scrubbed, per query.
    return tracingEnabled() ? tracedDb(db) : db;
  } catch (err) {
    await db.close();
    throw err;
  }
}
