import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, PoolClientLike, PoolLike, Queryable, QueryResult } from './db.js';
import { quoteIdent } from './db.js';
import { wellFormedParams } from './well-formed.js';

// Same value shapes as the node-postgres engine: 64-bit integers and numerics come back as numbers.
const INT8 = 20;
const NUMERIC = 1700;
const parsers = {
  [INT8]: (value: string) => Number(value),
  [NUMERIC]: (value: string) => Number(value),
};

export interface PgliteOptions {
  /** Directory for the data files; `undefined` keeps the database in memory. */
  dataDir?: string;
  schema?: string;
  /** PostgreSQL's buffer cache. PGlite's default (128MB) more than doubles idle memory for a bot-sized database. */
  sharedBuffers?: string;
}

/** A PGlite instance as the product configures it (pgvector, value parsers, memory). */
export async function createPglite(options: Pick<PgliteOptions, 'dataDir' | 'sharedBuffers'> = {}): Promise<PGlite> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  return PGlite.create({
    dataDir: options.dataDir,
    extensions: { vector },
    parsers,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers ?? '16MB'}`],
  });
}

/** Opens the embedded engine. One PGlite serves one process; several Db views may share it by schema. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const pg = await createPglite(options);
  try {
    return await pgliteDb(pg, options.schema ?? 'public', () => pg.close());
  } catch (err) {
    await pg.close();
    throw err;
  }
}

/** A Db over an existing PGlite, using `schema` (created if missing). `onClose` decides what closing means. */
export async function pgliteDb(pg: PGlite, schema: string, onClose: () => Promise<void>): Promise<Db> {
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}, public`);

  const run = async <Row>(q: Pick<PGlite, 'query' | 'exec'>, sql: string, params?: unknown[]) => {
    // Without parameters use the simple protocol, as node-postgres does, so multi-statement DDL works.
    if (!params || params.length === 0) {
      const results = await q.exec(sql);
      const last = results.at(-1);
      return toResult<Row>(last?.rows as Row[] | undefined, last?.affectedRows);
    }
    const result = await q.query<Row>(sql, wellFormedParams(params));
    return toResult<Row>(result.rows, result.affectedRows);
  };

  const pool: PoolLike = {
    query: (textOrConfig, values) => {
      const { text, params } = normalize(textOrConfig, values);
      return run(pg, text, params);
    },
    connect: async () => client,
    end: async () => {},
    on: () => pool,
  };
  const client: PoolClientLike = {
    query: pool.query,
    release: () => {},
    on: () => client,
    removeListener: () => client,
  };

  let closed = false;
  return {
    engine: 'pglite',
    schema,
    supportsNotify: false,
    query: <Row>(sql: string, params?: unknown[]) => run<Row>(pg, sql, params),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      pg.transaction((tx) => fn({ query: <Row>(sql: string, params?: unknown[]) => run<Row>(tx, sql, params) })),
    pool: () => pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await onClose();
    },
  };
}

function normalize(textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) {
  return typeof textOrConfig === 'string'
    ? { text: textOrConfig, params: values }
    : { text: textOrConfig.text, params: textOrConfig.values ?? values };
}

function toResult<Row>(rows: Row[] | undefined, affected: number | undefined): QueryResult<Row> {
  const list = rows ?? [];
  // PGlite reports 0 affected rows for a SELECT; node-postgres reports the rows returned.
  return { rows: list, rowCount: Math.max(list.length, affected ?? 0) };
}
