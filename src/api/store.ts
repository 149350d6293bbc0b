// The SQL of personal API tokens.
import type { Queryable } from '../store/db.js';

export type TokenScope = 'read' | 'propose' | 'decide';

export interface TokenRow {
  id: number;
  slack_user_id: string;
  name: string;
  scope: TokenScope;
  prefix: string;
  hash: Uint8Array;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id::int AS id, slack_user_id, name, scope, prefix, hash, created_at, last_used_at, revoked_at';

/** Null when the person already has a live token of that name. */
export async function insertToken(
  db: Queryable,
  token: { slackUserId: string; name: string; scope: TokenScope; prefix: string; hash: Buffer },
): Promise<TokenRow | null> {
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (slack_user_id, name, scope, prefix, hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (slack_user_id, name) WHERE revoked_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
    [token.slackUserId, token.name, token.scope, token.prefix, token.hash],
  );
  return rows[0] ?? null;
}

export async function tokenByPrefix(db: Queryable, prefix: string): Promise<TokenRow | null> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE prefix = $1 AND revoked_at IS NULL`,
    [prefix],
  );
  return rows[0] ?? null;
}

export async function listTokens(db: Queryable, slackUserId: string): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE slack_user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`,
    [slackUserId],
  );
  return rows;
}

/** Revokes the person's live token of that name; false when there is none. */
export async function revokeToken(db: Queryable, slackUserId: string, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE slack_user_id = $1 AND name = $2 AND revoked_at IS NULL',
    [slackUserId, name],
  );
  return rowCount > 0;
}

/** At most once a minute per token, so a busy client does not write on every request. */
export async function touchToken(db: Queryable, id: number): Promise<void> {
  await db.query(
    `UPDATE api_tokens SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/**
 * Counts one request of `key` in its current window of `windowMs` (a new window once the last one is over): the
 * count so far in the window, and the milliseconds left of it. One row per key, shared by every replica.
 */
export async function countRequest(
  db: Queryable,
  key: string,
  windowMs: number,
): Promise<{ current: number; ttl: number }> {
  const { rows } = await db.query<{ current: number; ttl: number }>(
    `INSERT INTO api_rate_budget AS b (key, window_start, count) VALUES ($1, now(), 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN b.window_start <= now() - $2 * interval '1 millisecond' THEN 1 ELSE b.count + 1 END,
       window_start = CASE WHEN b.window_start <= now() - $2 * interval '1 millisecond' THEN now() ELSE b.window_start END
     RETURNING count AS current,
       greatest(0, ceil(extract(epoch FROM window_start + $2 * interval '1 millisecond' - now()) * 1000))::int AS ttl`,
    [key, windowMs],
  );
  const row = rows[0] as { current: number; ttl: number };
  return { current: Number(row.current), ttl: Number(row.ttl) };
}
