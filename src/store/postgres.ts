import pg from 'pg';
import type { Db, PoolLike, Queryable, QueryResult } from './db.js';
import { quoteIdent } from './db.js';
import { DEFAULT_POOL_MAX } from './pool-size.js';
import { queryPriority } from './priority.js';
import { wellFormedParams } from './well-formed.js';

const INT8 = 20;
const NUMERIC = 1700;
const parse = (oid: number, format?: string) =>
  oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text');

export interface PostgresOptions {
  connectionString: string;
  schema?: string;
  max?: number;
}

/** Opens a pool against a PostgreSQL server; every connection uses `search_path = <schema>, public`. */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const schema = options.schema ?? 'public';
  if (schema !== 'public') {
    const admin = new pg.Client({ connectionString: options.connectionString });
    admin.on('error', () => {}); // its query fails instead
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).catch((err: { code?: string }) => {
        if (err.code !== '23505' && err.code !== '42P06') throw err; // created by a concurrent process
      });
    } finally {
      await admin.end();
    }
  }
  const poolOf = (max: number) => {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max,
      options: `-c search_path=${quoteIdent(schema)},public`,
      types: { getTypeParser: parse } as pg.CustomTypesConfig,
    });
    // A client losing its connection emits 'error', which ends the process when nobody listens. The pool listens only
    // while a client is idle (and replaces it); a checked-out one (a transaction's, an advisory lock's, Agenda's)
    // gets a listener of its own, its queries fail instead, and the pool drops it on release.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return pool;
  };
  const pool = poolOf(options.max ?? DEFAULT_POOL_MAX);
  // Interactive queries (App Home) get connections of their own, so they never queue behind reports and jobs.
  const interactive = poolOf(2);
  const poolFor = () => (queryPriority() === 'interactive' ? interactive : pool);
  await pool.query('SELECT 1');

  let closed = false;
  return {
    engine: 'postgres',
    schema,
    supportsNotify: true,
    query: async <Row>(sql: string, params?: unknown[]) =>
      toResult<Row>(await poolFor().query(sql, wellFormedParams(params))),
    exec: async (sql) => {
      await poolFor().query(sql);
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const client = await poolFor().connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <Row>(sql: string, params?: unknown[]) =>
            toResult<Row>(await client.query(sql, wellFormedParams(params))),
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    pool: () => pool as unknown as PoolLike,
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([pool.end(), interactive.end()]);
    },
  };
}

/** A multi-statement text (simple protocol) yields one result per statement; the last one is the answer. */
function toResult<Row>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<Row> {
  const last = Array.isArray(result) ? result.at(-1) : result;
  const rows = (last?.rows ?? []) as Row[];
  return { rows, rowCount: last?.rowCount ?? rows.length };
}
