import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
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

/**
 * Opens the embedded engine in a worker thread of its own, so that queries never hold up the thread that
 * answers Slack. One PGlite serves one process; `close()` closes the database and ends the worker.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const worker = new PgliteWorker(options);
  try {
    await worker.call({ op: 'open' });
    const schema = options.schema ?? 'public';
    await worker.call({
      op: 'query',
      sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}, public`,
    });
    return workerDb(worker, schema);
  } catch (err) {
    await worker.close();
    throw err;
  }
}

type WorkerRequest =
  | { op: 'open' | 'close' }
  | { op: 'query'; sql: string; params?: unknown[]; txId?: number }
  | { op: 'begin' | 'commit' | 'rollback'; txId: number };

interface WorkerReply {
  id: number;
  result?: { rows?: unknown[]; affected?: number };
  error?: { message: string } & Record<string, unknown>;
}

/** Requests to the database thread, answered by id; a worker that dies fails every open request. */
class PgliteWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve(value: WorkerReply['result']): void; reject(err: Error): void }
  >();
  private nextId = 1;
  private exited: Error | undefined;

  constructor(options: PgliteOptions) {
    this.worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir: options.dataDir, sharedBuffers: options.sharedBuffers ?? '16MB' },
    });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.error) waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
      else waiting.resolve(reply.result);
    });
    const fail = (err: Error) => {
      this.exited = err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the embedded database thread stopped (exit code ${code})`)));
  }

  call(request: WorkerRequest): Promise<WorkerReply['result']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    if (!this.exited) await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}

function workerDb(worker: PgliteWorker, schema: string): Db {
  let nextTx = 1;
  const run = async <Row>(sql: string, params?: unknown[], txId?: number): Promise<QueryResult<Row>> => {
    const result = await worker.call({ op: 'query', sql, params, txId });
    return toResult<Row>(result?.rows as Row[] | undefined, result?.affected);
  };
  const pool = poolOver((sql, params) => run(sql, params));
  let closed = false;
  return {
    engine: 'pglite',
    schema,
    supportsNotify: false,
    query: (sql, params) => run(sql, params),
    exec: async (sql) => {
      await run(sql);
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const txId = nextTx++;
      await worker.call({ op: 'begin', txId });
      try {
        const value = await fn({ query: <Row>(sql: string, params?: unknown[]) => run<Row>(sql, params, txId) });
        await worker.call({ op: 'commit', txId });
        return value;
      } catch (err) {
        await worker.call({ op: 'rollback', txId }).catch(() => {});
        throw err;
      }
    },
    pool: () => pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await worker.close();
    },
  };
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

  const pool = poolOver((sql, params) => run(pg, sql, params));

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

/** A pg.Pool-shaped view over a single-session engine: every client is the one session. */
function poolOver(run: (sql: string, params?: unknown[]) => Promise<unknown>): PoolLike {
  const pool: PoolLike = {
    query: (textOrConfig, values) => {
      const { text, params } = normalize(textOrConfig, values);
      return run(text, params);
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
  return pool;
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
