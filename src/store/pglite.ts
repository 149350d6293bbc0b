import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { lockDataDir } from './data-dir-lock.js';
import type { Db, PoolClientLike, PoolLike, Queryable, QueryResult } from './db.js';
import { quoteIdent } from './db.js';
import { queryPriority } from './priority.js';
import { wellFormedParams } from './well-formed.js';

export interface PgliteOptions {
  /** Directory for the data files; `undefined` keeps the database in memory. */
  dataDir?: string;
  schema?: string;
  /** PostgreSQL's buffer cache. PGlite's default (128MB) more than doubles idle memory for a bot-sized database. */
  sharedBuffers?: string;
  /** Where the empty cluster new databases start from is kept (default: em-agent in the OS temporary directory). */
  templateDir?: string;
}

/**
 * Opens the embedded engine in a worker thread of its own, so that queries never hold up the thread that
 * answers Slack. One PGlite serves one process; `close()` closes the database and ends the worker.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const worker = await startPgliteWorker(options);
  try {
    return await worker.db(options.schema ?? 'public', () => worker.close());
  } catch (err) {
    await worker.close();
    throw err;
  }
}

/** One embedded database thread whose schemas can be opened as separate `Db`s (the test harness shares one). */
export interface PgliteThread {
  /** A `Db` over `schema` (created if missing); `onClose` decides what closing it means. */
  db(schema: string, onClose?: () => Promise<void>): Promise<Db>;
  close(): Promise<void>;
}

export async function startPgliteWorker(
  options: Pick<PgliteOptions, 'dataDir' | 'sharedBuffers' | 'templateDir'> = {},
): Promise<PgliteThread> {
  // One process at a time on a data directory: PGlite has no postmaster to keep a second one from corrupting it.
  const lock = options.dataDir ? await lockDataDir(options.dataDir) : undefined;
  const worker = new PgliteWorker(options);
  const close = () => worker.close().finally(() => lock?.release());
  try {
    await worker.call({ op: 'open' });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    async db(schema, onClose = async () => {}) {
      await worker.call({ op: 'query', schema, sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}` });
      return workerDb(worker, schema, onClose);
    },
    close,
  };
}

type WorkerRequest =
  | { op: 'open' | 'close' }
  | { op: 'query'; schema: string; sql: string; params?: unknown[]; txId?: number }
  | { op: 'begin'; schema: string; txId: number }
  | { op: 'commit' | 'rollback'; txId: number };

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
  /** Transaction ids are the thread's, not a schema's: several `Db`s may share it. */
  nextTx = 1;
  private exited: Error | undefined;

  constructor(options: PgliteOptions) {
    // PGlite's WebAssembly runs on V8's baseline compiler only. The optimizing tier recompiles its hot functions on
    // background threads, and what those compilations allocate stays resident: about 70 MB more at idle (bench:store)
    // for rule evaluations measured 5–10% faster. The flag is the process's; it changes nothing but WebAssembly.
    setFlagsFromString('--liftoff-only');
    this.worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      // The thread's JavaScript is a message loop around PGlite's WebAssembly memory: a small young generation
      // keeps its idle footprint down (V8's default would let it grow to 16 MB per semi-space).
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      workerData: {
        dataDir: options.dataDir,
        sharedBuffers: options.sharedBuffers ?? '16MB',
        ...(options.templateDir ? { templateDir: options.templateDir } : {}),
      },
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
      this.worker.postMessage({ ...request, id, priority: queryPriority() });
    });
  }

  async close(): Promise<void> {
    if (!this.exited) await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}

// Values cloned from the worker are built in Node's main realm. A sandbox with globals of its own (Jest's test
// environment) would not see them as its Dates, so there they are rebuilt; in the product this is never true.
const clonesAreForeign = !(structuredClone(new Date(0)) instanceof Date);
const isDate = (value: unknown): value is Date => Object.prototype.toString.call(value) === '[object Date]';
const local = (value: unknown): unknown =>
  isDate(value) ? new Date(value.getTime()) : Array.isArray(value) ? value.map(local) : value;
const localRow = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, local(value)]));

function workerDb(worker: PgliteWorker, schema: string, onClose: () => Promise<void>): Db {
  const run = async <Row>(sql: string, params?: unknown[], txId?: number): Promise<QueryResult<Row>> => {
    const result = await worker.call({ op: 'query', schema, sql, params: wellFormedParams(params), txId });
    const rows = clonesAreForeign
      ? (result?.rows as Record<string, unknown>[] | undefined)?.map(localRow)
      : result?.rows;
    return toResult<Row>(rows as Row[] | undefined, result?.affected);
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
      const txId = worker.nextTx++;
      await worker.call({ op: 'begin', schema, txId });
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
