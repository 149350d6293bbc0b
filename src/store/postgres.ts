import pg from 'pg';
import type { Db, PoolLike, Queryable, QueryResult } from './db.js';
import { quoteIdent } from './db.js';
import { DEFAULT_POOL_MAX } from './pool-size.js';
import { queryPriority } from './priority.js';
import { StoreStartError } from './start-error.js';
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
  try {
    return await connect(options, schema);
  } catch (err) {
    throw startFailure(err, options.connectionString, schema);
  }
}

async function connect(options: PostgresOptions, schema: string): Promise<Db> {
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
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await Promise.all([pool.end(), interactive.end()]).catch(() => {});
    throw err;
  }

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

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * What the operator sees when the server cannot be used at start: one line naming the server (never the password),
 * what went wrong, and what to check. Anything else stays as it was (a bug, logged with its stack).
 */
function startFailure(err: unknown, connectionString: string, schema: string): unknown {
  const { code, message } = err as { code?: string; message?: string };
  let where = 'the PostgreSQL server';
  let user = '';
  let database = '';
  try {
    const url = new URL(connectionString);
    user = decodeURIComponent(url.username);
    database = decodeURIComponent(url.pathname.slice(1));
    if (url.host) where = `the PostgreSQL server at ${url.host}`;
  } catch {
    // a form URL does not parse: the server stays unnamed
  }
  const fail = (line: string, exitCode: number) => new StoreStartError(`em-agent failed to start: ${line}`, exitCode);
  if ((code && UNREACHABLE.has(code)) || /timeout expired|Connection terminated/i.test(message ?? ''))
    return fail(
      `${where} cannot be reached (${message}); check that it is running and DATABASE_URL's host and port`,
      75,
    );
  if (code === '28P01' || code === '28000')
    return fail(`${where} refused the login (${message}); check the user and password in DATABASE_URL`, 78);
  if (code === '3D000')
    return fail(
      `${where} has no database ${database ? `"${database}"` : 'of that name'} (${message}); create it or fix DATABASE_URL`,
      78,
    );
  if (code === '42501')
    return fail(
      `${where} does not allow ${user ? `user "${user}"` : 'this user'} to create schema "${schema}" (${message}); ` +
        'grant it CREATE on the database, or create the schema for it',
      78,
    );
  if (code === '53300' || code === '57P03')
    return fail(`${where} accepts no connection now (${message}); em-agent starts once it does`, 75);
  return err;
}
