import { readInPages } from '../lib/slices.js';
import type { Queryable } from '../store/db.js';

/** One thing an account did (or waits on) for the standup; `extra` holds a move's status or a PR's reviewers. */
export interface StandupActivityRow {
  account: string;
  source: string;
  kind: 'opened' | 'merged' | 'reviewed' | 'moved' | 'blocked' | 'waiting';
  ref: string;
  title: string;
  url: string | null;
  extra: string[] | null;
  /** For a PR waiting: the teams asked to review it (slugs). */
  teams?: string[];
}

/** A person of the people map, with the account they have in each source. */
export interface PersonAccounts {
  id: number;
  slack_user: string | null;
  github_login: string | null;
  jira_account: string | null;
  linear_user: string | null;
  shortcut_user: string | null;
  display_name: string | null;
}

/**
 * In [from, to): PRs opened, merged and reviewed (not by their author), tickets moved (to where they ended up);
 * and now: tickets blocked and open PRs waiting for a requested review. What is true now can be thousands of rows
 * in a big org, so it is read in pages.
 */
export async function standupActivity(db: Queryable, from: Date, to: Date): Promise<StandupActivityRow[]> {
  const { rows } = await db.query<StandupActivityRow>(
    `SELECT author AS account, 'github' AS source, 'opened' AS kind, repo || '#' || number AS ref, title, url, NULL::text[] AS extra
       FROM pull_requests WHERE created_at >= $1 AND created_at < $2 AND author IS NOT NULL
     UNION ALL
     SELECT author, 'github', 'merged', repo || '#' || number, title, url, NULL FROM pull_requests
      WHERE merged_at >= $1 AND merged_at < $2 AND author IS NOT NULL
     UNION ALL
     SELECT DISTINCT ON (r.reviewer, r.repo, r.number) r.reviewer, 'github', 'reviewed', r.repo || '#' || r.number, p.title, p.url, NULL
       FROM pr_reviews r JOIN pull_requests p ON p.repo = r.repo AND p.number = r.number
      WHERE r.submitted_at >= $1 AND r.submitted_at < $2 AND r.reviewer IS NOT NULL AND r.reviewer IS DISTINCT FROM p.author
     UNION ALL
     (SELECT DISTINCT ON (w.source, w.key) w.assignee, w.source, 'moved', w.key, w.title, w.url, ARRAY[c.to_value]
       FROM work_item_changes c JOIN work_items w ON w.source = c.source AND w.key = c.key
      WHERE c.field = 'status' AND c.changed_at >= $1 AND c.changed_at < $2 AND w.assignee IS NOT NULL
      -- Where it ended up in the window: the latest move, whatever order the history was stored in.
      ORDER BY w.source, w.key, c.changed_at DESC, c.change_id DESC)`,
    [from, to],
  );
  const blocked = await readInPages<StandupActivityRow>(async (after, limit) => {
    const page = await db.query<StandupActivityRow>(
      `SELECT assignee AS account, source, 'blocked' AS kind, key AS ref, title, url, NULL::text[] AS extra
         FROM work_items
        WHERE assignee IS NOT NULL AND coalesce(status_category, '') <> 'done'
          AND (lower(status) = 'blocked' OR 'blocked' = ANY(labels))
          AND ($1::text IS NULL OR (source, key) > ($1, $2::text))
        ORDER BY source, key LIMIT $3`,
      [after?.source ?? null, after?.ref ?? null, limit],
    );
    return page.rows;
  });
  const waiting = await readInPages<StandupActivityRow & { number: number; repo: string }>(async (after, limit) => {
    const page = await db.query<StandupActivityRow & { number: number; repo: string }>(
      `SELECT author AS account, 'github' AS source, 'waiting' AS kind, repo || '#' || number AS ref, title, url,
              requested_reviewers AS extra, requested_teams AS teams, repo, number
         FROM pull_requests
        WHERE state = 'open' AND NOT draft AND author IS NOT NULL
          AND (cardinality(requested_reviewers) > 0 OR cardinality(requested_teams) > 0)
          AND ($1::text IS NULL OR (repo, number) > ($1, $2::int))
        ORDER BY repo, number LIMIT $3`,
      [after?.repo ?? null, after?.number ?? null, limit],
    );
    return page.rows;
  });
  const activity = (r: StandupActivityRow): StandupActivityRow => ({
    account: r.account,
    source: r.source,
    kind: r.kind,
    ref: r.ref,
    title: r.title,
    url: r.url,
    extra: r.extra,
    teams: r.teams,
  });
  return [...rows, ...blocked, ...waiting.map(activity)];
}

export async function allPeopleAccounts(db: Queryable): Promise<PersonAccounts[]> {
  const { rows } = await db.query<PersonAccounts>(
    'SELECT id, slack_user, github_login, jira_account, linear_user, shortcut_user, display_name FROM people',
  );
  return rows;
}
