import type { Queryable } from '../store/db.js';

/** One change waiting to be published: its subject without the configured prefix, and its JSON payload. */
export interface OutboxRow {
  id: number;
  subject: string;
  payload: Record<string, unknown>;
}

/**
 * Turns the outbox triggers on or off (the process does so at start from NATS_URL): off, nothing is written, so an
 * outbox nobody drains never grows. Rows queued before it was turned off stay and are published when it is back on.
 */
export async function setEventBusEnabled(db: Queryable, enabled: boolean): Promise<void> {
  await db.query(
    `INSERT INTO event_bus (publishing) VALUES ($1) ON CONFLICT (singleton) DO UPDATE SET publishing = EXCLUDED.publishing,
       updated_at = now() WHERE event_bus.publishing <> EXCLUDED.publishing`,
    [enabled ? 'on' : 'off'],
  );
}

/** This database's prefix for message ids (Nats-Msg-Id = `<install id>-<outbox id>`). */
export async function eventBusInstallId(db: Queryable): Promise<string> {
  await db.query('INSERT INTO event_bus DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING');
  const { rows } = await db.query<{ install_id: string }>('SELECT install_id FROM event_bus');
  return rows[0]?.install_id ?? 'em-agent';
}

/** The oldest waiting rows, in the order they were queued. */
export async function nextOutboxBatch(db: Queryable, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<{ id: string | number; subject: string; payload: Record<string, unknown> }>(
    'SELECT id, subject, payload FROM event_outbox ORDER BY id LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), subject: r.subject, payload: r.payload }));
}

/** Rows JetStream acknowledged are done. */
export async function deleteOutboxRows(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length) await db.query('DELETE FROM event_outbox WHERE id = ANY($1::bigint[])', [ids]);
}

export interface OutboxBacklog {
  pending: number;
  /** Seconds the oldest waiting row has waited (0 when none waits). */
  lagSeconds: number;
}

export async function outboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const { rows } = await db.query<{ pending: string | number; lag: string | number | null }>(
    `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS lag FROM event_outbox`,
  );
  return { pending: Number(rows[0]?.pending ?? 0), lagSeconds: Math.max(0, Number(rows[0]?.lag ?? 0)) };
}
