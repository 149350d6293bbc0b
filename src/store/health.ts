import type { Queryable } from './db.js';

/** Whether the database answers a trivial query (the readiness probe's database check). */
export async function databaseAnswers(db: Queryable): Promise<boolean> {
  return (await db.query('SELECT 1 AS ok')).rowCount === 1;
}
