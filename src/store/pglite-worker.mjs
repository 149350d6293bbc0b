// The embedded database's own thread. PGlite runs PostgreSQL (WebAssembly) synchronously inside whatever
// thread owns it, so a long query there would stop Slack acks; here it stops only this worker.
// Plain JavaScript on purpose: worker threads load it as is under tsx, Jest and the compiled build.
// Protocol (one message per request, answered by id): open, query, exec, begin, commit, rollback, close;
// a request may carry `priority: 'interactive'`.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

// Same value shapes as the node-postgres engine: 64-bit integers and numerics come back as numbers.
const INT8 = 20;
const NUMERIC = 1700;
const parsers = { [INT8]: (value) => Number(value), [NUMERIC]: (value) => Number(value) };

const { dataDir, sharedBuffers, templateDir = join(tmpdir(), 'em-agent') } = workerData;

if (dataDir) mkdirSync(dataDir, { recursive: true });

/** @type {PGlite | undefined} */
let pg;
/** Open transactions by id: the query function to use and how to end them. */
const transactions = new Map();
/** The session's search_path schema: requests name theirs, so one thread can serve several schemas. */
let currentSchema;

async function useSchema(schema) {
  if (schema === undefined || schema === currentSchema) return;
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  await pg.exec(`SET search_path TO ${quoted}, public`);
  currentSchema = schema;
}

async function run(q, sql, params) {
  // Without parameters use the simple protocol, as node-postgres does, so multi-statement DDL works.
  if (!params || params.length === 0) {
    const results = await q.exec(sql);
    const last = results.at(-1);
    return { rows: last?.rows ?? [], affected: last?.affectedRows };
  }
  const result = await q.query(sql, params);
  return { rows: result.rows, affected: result.affectedRows };
}

function begin(txId) {
  return new Promise((started) => {
    pg.transaction(
      (tx) =>
        new Promise((commit, rollback) => {
          transactions.set(txId, { tx, commit, rollback });
          started();
        }),
    ).then(
      () => transactions.get(txId)?.done?.resolve(),
      (err) => transactions.get(txId)?.done?.reject(err),
    );
  });
}

function end(txId, how) {
  const open = transactions.get(txId);
  if (!open) throw new Error(`no open transaction ${txId}`);
  return new Promise((resolve, reject) => {
    open.done = { resolve, reject };
    if (how === 'commit') open.commit();
    else open.rollback(new Error('rolled back'));
  }).then(
    () => transactions.delete(txId),
    (err) => {
      transactions.delete(txId);
      if (how === 'rollback') return;
      throw err;
    },
  );
}

// A new database starts from an empty cluster (initdb), which PGlite builds in WebAssembly: 15 to 30 s on a busy
// 2-core machine, against 4 to 6 s to unpack one built before. The first new database of this PGlite version keeps
// its empty cluster as a template in the temporary directory; later new databases start from it. Written once, by
// rename, so a reader never sees half a template; a template that fails to load is removed and the cluster built.
const PGLITE_ENTRY = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const PGLITE_ROOT = PGLITE_ENTRY.slice(0, PGLITE_ENTRY.lastIndexOf(`${sep}dist${sep}`));
const PGLITE_VERSION = JSON.parse(readFileSync(join(PGLITE_ROOT, 'package.json'), 'utf8')).version;
const TEMPLATE = join(templateDir, `pglite-${PGLITE_VERSION}-empty-cluster.tar`);

const isNew = (dir) => !dir || !existsSync(dir) || readdirSync(dir).length === 0;

async function openDatabase(options) {
  if (!isNew(options.dataDir)) return PGlite.create(options);
  if (existsSync(TEMPLATE)) {
    try {
      return await PGlite.create({ ...options, loadDataDir: new Blob([readFileSync(TEMPLATE)]) });
    } catch {
      rmSync(TEMPLATE, { force: true });
      if (options.dataDir)
        for (const entry of readdirSync(options.dataDir))
          rmSync(join(options.dataDir, entry), { recursive: true, force: true });
    }
  }
  const fresh = await PGlite.create(options);
  await keepAsTemplate(fresh).catch(() => {});
  return fresh;
}

/** The empty cluster, before any statement of ours has run in it. */
async function keepAsTemplate(fresh) {
  if (existsSync(TEMPLATE)) return;
  const tar = await fresh.dumpDataDir('none');
  mkdirSync(templateDir, { recursive: true });
  const partial = `${TEMPLATE}.${process.pid}.${Date.now()}.partial`;
  writeFileSync(partial, Buffer.from(await tar.arrayBuffer()));
  renameSync(partial, TEMPLATE);
}

async function handle(message) {
  switch (message.op) {
    case 'open':
      pg = await openDatabase({
        dataDir,
        extensions: { vector },
        parsers,
        startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`],
      });
      return undefined;
    case 'query': {
      if (message.txId === undefined) {
        await useSchema(message.schema);
        return run(pg, message.sql, message.params);
      }
      const open = transactions.get(message.txId)?.tx;
      if (!open) throw new Error(`no open transaction ${message.txId}`);
      return run(open, message.sql, message.params);
    }
    case 'begin':
      await useSchema(message.schema);
      return begin(message.txId);
    case 'commit':
    case 'rollback':
      return end(message.txId, message.op);
    case 'close':
      await pg?.close();
      pg = undefined;
      return undefined;
    default:
      throw new Error(`unknown operation ${message.op}`);
  }
}

/** The error's message and PostgreSQL's fields (code, detail, constraint …): what callers test for. */
function describe(err) {
  const fields = { message: err?.message ?? String(err), name: err?.name };
  for (const [key, value] of Object.entries(err ?? {})) {
    if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return fields;
}

function respond(message) {
  return handle(message).then(
    (result) => parentPort.postMessage({ id: message.id, result }),
    (err) => parentPort.postMessage({ id: message.id, error: describe(err) }),
  );
}

// PostgreSQL here runs one statement at a time, so the order of the queue is the order of service: interactive
// requests (App Home) go before the rest. Work inside an open transaction, and its end, is not queued: the
// transaction holds the database until it ends.
const queued = { interactive: [], normal: [] };
let serving = false;
// A person's view (Home) is several queries in a row, each sent when the one before is answered. After an
// interactive answer, other work waits this long for the next one, so the view is not served one query per
// long report statement.
const INTERACTIVE_FOLLOW_UP_MS = 50;
let interactiveAnsweredAt = Number.NEGATIVE_INFINITY;
let followUpTimer;

function serveNext() {
  if (serving) return;
  let next = queued.interactive.shift();
  if (!next && queued.normal.length) {
    const wait = interactiveAnsweredAt + INTERACTIVE_FOLLOW_UP_MS - performance.now();
    if (wait > 0) {
      if (!followUpTimer)
        followUpTimer = setTimeout(() => {
          followUpTimer = undefined;
          serveNext();
        }, wait);
      return;
    }
    next = queued.normal.shift();
  }
  if (!next) return;
  serving = true;
  respond(next).finally(() => {
    serving = false;
    if (next.priority === 'interactive') interactiveAnsweredAt = performance.now();
    scheduleServe();
  });
}

// One pending turn at most. A statement blocks this thread while it runs, so what arrived meanwhile is taken in
// only when the event loop next polls; a turn per arrival would serve a batch that came in before that (reports)
// one after the other, in the same turn, before the Home query that arrived while the first of them ran.
let serveScheduled = false;
function scheduleServe() {
  if (serveScheduled) return;
  serveScheduled = true;
  setImmediate(() => {
    serveScheduled = false;
    serveNext();
  });
}

parentPort.on('message', (message) => {
  if (message.txId !== undefined && message.op !== 'begin') {
    respond(message);
    return;
  }
  queued[message.priority === 'interactive' ? 'interactive' : 'normal'].push(message);
  // Served on the next turn, once every request already waiting at the port has been taken in.
  scheduleServe();
});
