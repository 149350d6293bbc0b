import type { Queryable } from '../store/db.js';
import { type Event, type EventInput, eventSchema } from './event.js';

// One INSERT per batch, each column sent as one array parameter: the row count never hits
// PostgreSQL's 65,535-parameter limit and the statement text stays the same for every batch.
const INSERT_EVENTS = `
  INSERT INTO events (source, kind, external_id, occurred_at, actor, subject, normalized, raw)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[])
  ON CONFLICT ON CONSTRAINT events_natural_key DO NOTHING`;

const BATCH = 1000;

export interface InsertEventsResult {
  inserted: number;
  /** Events already stored under the same natural key (source, kind, external id). */
  duplicates: number;
}

/** Validates and stores events; ones already stored are skipped, so re-ingesting is a no-op. */
export async function insertEvents(db: Queryable, input: readonly EventInput[]): Promise<InsertEventsResult> {
  const events = input.map((event) => eventSchema.parse(event));
  let inserted = 0;
  for (let start = 0; start < events.length; start += BATCH) {
    const result = await db.query(INSERT_EVENTS, toColumns(events.slice(start, start + BATCH)));
    inserted += result.rowCount;
  }
  return { inserted, duplicates: events.length - inserted };
}

function toColumns(events: Event[]): unknown[] {
  return [
    events.map((e) => e.source),
    events.map((e) => e.kind),
    events.map((e) => e.externalId),
    events.map((e) => e.occurredAt.toISOString()),
    events.map((e) => e.actor ?? null),
    events.map((e) => e.subject ?? null),
    events.map((e) => JSON.stringify(e.normalized)),
    events.map((e) => (e.raw === undefined ? null : JSON.stringify(e.raw))),
  ];
}

export async function countEvents(db: Queryable, where: { source?: string; kind?: string } = {}): Promise<number> {
  const result = await db.query<{ n: number }>(
    'SELECT count(*) AS n FROM events WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR kind = $2)',
    [where.source ?? null, where.kind ?? null],
  );
  return result.rows[0]?.n ?? 0;
}

export async function getCursor<T = Record<string, unknown>>(
  db: Queryable,
  source: string,
  scope: string,
): Promise<T | undefined> {
  const result = await db.query<{ cursor: T }>('SELECT cursor FROM sync_cursors WHERE source = $1 AND scope = $2', [
    source,
    scope,
  ]);
  return result.rows[0]?.cursor;
}

export async function setCursor(db: Queryable, source: string, scope: string, cursor: unknown): Promise<void> {
  await db.query(
    `INSERT INTO sync_cursors (source, scope, cursor) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (source, scope) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
    [source, scope, JSON.stringify(cursor)],
  );
}

/** When the source last said the item was deleted, if it did. */
export async function lastDeletedAt(db: Queryable, source: string, key: string): Promise<Date | null> {
  const result = await db.query<{ at: Date | null }>(
    "SELECT max(occurred_at) AS at FROM events WHERE subject = $2 AND source = $1 AND kind = 'issue_deleted'",
    [source, key],
  );
  return result.rows[0]?.at ?? null;
}
