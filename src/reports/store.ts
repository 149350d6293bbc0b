import type { MyWorkRow } from '../../blocks/home.js';
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

/**
 * The last 500 standup lines of a person, newest first, optionally only those matching `search` (full text). The
 * reader's view keeps those of channels they are in, so this reads far more than the 15 it shows: the newest 50 all
 * posted to a private channel once hid every public line from everyone outside it.
 */
export async function standupHistory(
  db: Queryable,
  personSlack: string,
  search: string | undefined,
): Promise<{ posted_at: Date; team: string; summary: string; visibleIn: string | null }[]> {
  const { rows } = await db.query<{ posted_at: Date; team: string; summary: string; visibleIn: string | null }>(
    `SELECT posted_at, team, summary, visible_in AS "visibleIn" FROM standup_entries
      WHERE person_slack = $1 AND ($2::text IS NULL OR search @@ plainto_tsquery('simple', $2))
      ORDER BY posted_at DESC, id DESC LIMIT 500`,
    [personSlack, search ?? null],
  );
  return rows;
}

/** Up to 8 open, non-draft pull requests a GitHub user wrote or is asked to review: their own first. */
export async function myOpenWork(db: Queryable, githubLogin: string): Promise<MyWorkRow[]> {
  const { rows } = await db.query<MyWorkRow>(
    `SELECT repo, number, title, url, author = $1 AS mine, requested_reviewers AS reviewers, requested_teams AS teams
       FROM pull_requests
      WHERE state = 'open' AND NOT draft AND (author = $1 OR $1 = ANY(requested_reviewers))
      ORDER BY (author <> $1) DESC, updated_at LIMIT 8`,
    [githubLogin],
  );
  return rows;
}
