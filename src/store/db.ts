/** The one database interface the product uses; PGlite and node-postgres both implement it. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** A pg.Pool-shaped object, enough for libraries such as @agendajs/postgres-backend. */
export interface PoolLike {
  query(textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]): Promise<unknown>;
  connect(): Promise<PoolClientLike>;
  end(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface PoolClientLike {
  query(textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]): Promise<unknown>;
  release(err?: unknown): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

export type Engine = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly engine: Engine;
  /** Schema all unqualified names resolve to (search_path is `<schema>, public`). */
  readonly schema: string;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons (simple protocol, no parameters). */
  exec(sql: string): Promise<void>;
  /** A pg.Pool-shaped view of this database for libraries that expect one. */
  pool(): PoolLike;
  /** Whether LISTEN/NOTIFY reaches other connections (false for the single-connection embedded engine). */
  readonly supportsNotify: boolean;
  close(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
