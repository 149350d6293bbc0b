import type { Db, Queryable } from '../store/db.js';

/** Records that a worker's scheduler beat now, and how many times it has. */
export async function recordHeartbeat(db: Queryable, worker: string): Promise<void> {
  await db.query(
    `INSERT INTO heartbeats (worker, beat_at, beats) VALUES ($1, now(), 1)
     ON CONFLICT (worker) DO UPDATE SET beat_at = now(), beats = heartbeats.beats + 1`,
    [worker],
  );
}

/**
 * Runs `fn` holding a session-level advisory lock, taken on a connection of its own (so it spans whatever `fn` does
 * on other connections); another process asking for the same key waits until `fn` settles.
 */
export async function withSessionLock<T>(db: Db, key: number, fn: () => Promise<T>): Promise<T> {
  const client = await db.pool().connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}
