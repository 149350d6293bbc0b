import { SpanKind } from '@opentelemetry/api';
import { redactText } from '../observability/redact.js';
import { withSpan } from '../observability/tracing.js';
import type { Db, Queryable } from './db.js';

/** Longest statement text a span carries. */
export const TRACED_SQL_CHARS = 1000;

/** Span attributes for a statement: its text (truncated, scrubbed), never its parameters. */
function statementAttributes(db: Db, sql: string) {
  const text = sql.trim();
  return {
    'db.system.name': 'postgresql',
    'db.namespace': db.schema,
    'db.query.text': redactText(text.length > TRACED_SQL_CHARS ? `${text.slice(0, TRACED_SQL_CHARS)}…` : text),
    'em.db.engine': db.engine,
  };
}

/** `SELECT`, `INSERT`, `WITH`: a span name from the statement's first word (low cardinality). */
function operationOf(sql: string): string {
  return /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
}

function tracedQueryable(db: Db, inner: Queryable): Queryable {
  return {
    query: (sql, params) =>
      withSpan(
        `db ${operationOf(sql)}`,
        { kind: SpanKind.CLIENT, attributes: statementAttributes(db, sql) },
        async (span) => {
          const result = await inner.query(sql, params);
          span.setAttribute('db.response.returned_rows', result.rowCount);
          return result;
        },
      ) as never,
  };
}

/**
 * The same database with a client span around each query, transaction and exec, in the calling thread (PGlite runs
 * in a worker; its span is this side of the call). With tracing off the spans are the API's no-ops.
 */
export function tracedDb(db: Db): Db {
  const traced = tracedQueryable(db, db);
  return {
    get engine() {
      return db.engine;
    },
    get schema() {
      return db.schema;
    },
    get supportsNotify() {
      return db.supportsNotify;
    },
    query: traced.query,
    transaction: (fn) =>
      withSpan(
        'db transaction',
        { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'em.db.engine': db.engine } },
        () => db.transaction((tx) => fn(tracedQueryable(db, tx))),
      ),
    exec: (sql) =>
      withSpan(`db ${operationOf(sql)}`, { kind: SpanKind.CLIENT, attributes: statementAttributes(db, sql) }, () =>
        db.exec(sql),
      ),
    pool: () => db.pool(),
    close: () => db.close(),
  };
}
