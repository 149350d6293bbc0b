import type { Queryable } from '../store/db.js';

/** Tokens a person's model calls used on one UTC day, whatever used them. */
export async function tokensUsedOn(db: Queryable, person: string, day: string): Promise<number> {
  const { rows } = await db.query<{ tokens: string | null }>(
    'SELECT sum(tokens) AS tokens FROM model_usage WHERE person = $1 AND day = $2',
    [person, day],
  );
  return Number(rows[0]?.tokens ?? 0);
}

/** Adds one call's tokens to the person's day, per purpose. */
export async function recordTokens(
  db: Queryable,
  use: { person: string; day: string; purpose: string; tokens: number },
): Promise<void> {
  await db.query(
    `INSERT INTO model_usage (person, day, purpose, tokens, calls) VALUES ($1, $2, $3, $4, 1)
     ON CONFLICT (person, day, purpose) DO UPDATE
       SET tokens = model_usage.tokens + EXCLUDED.tokens, calls = model_usage.calls + 1`,
    [use.person, use.day, use.purpose, use.tokens],
  );
}
