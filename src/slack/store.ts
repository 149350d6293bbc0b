import type { Queryable } from '../store/db.js';

/** True for the first claim of a delivery key; false when it was already delivered. */
export async function claimDelivery(db: Queryable, key: string): Promise<boolean> {
  const result = await db.query('INSERT INTO slack_deliveries (key) VALUES ($1) ON CONFLICT (key) DO NOTHING', [key]);
  return result.rowCount === 1;
}

/** Forgets deliveries older than Slack's retry window; returns how many. */
export async function purgeDeliveries(db: Queryable, olderThanHours = 24): Promise<number> {
  const result = await db.query('DELETE FROM slack_deliveries WHERE received_at < now() - make_interval(hours => $1)', [
    olderThanHours,
  ]);
  return result.rowCount;
}
