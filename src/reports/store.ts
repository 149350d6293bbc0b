import type { Queryable } from '../store/db.js';

/** Claims a scheduled report run once across replicas; false when another run (or replica) already did it. */
export async function claimReportRun(db: Queryable, key: string): Promise<boolean> {
  const result = await db.query('INSERT INTO report_runs (key) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
  return result.rowCount === 1;
}

/** One person's line of a posted standup, kept for `/em standup history` (and indexed by `ask`). */
export interface StandupEntry {
  team: string;
  person: string;
  personSlack: string | null;
  summary: string;
  /** The private channel it was posted in (only its members may read it), or null when public. */
  visibleIn: string | null;
}

export async function insertStandupEntry(db: Queryable, entry: StandupEntry): Promise<void> {
  await db.query(
    'INSERT INTO standup_entries (team, person, person_slack, summary, visible_in) VALUES ($1, $2, $3, $4, $5)',
    [entry.team, entry.person, entry.personSlack, entry.summary, entry.visibleIn],
  );
}
