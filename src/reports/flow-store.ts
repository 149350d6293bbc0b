import type { Queryable } from '../store/db.js';

// Flow figures of pull requests for the dashboard gauges: review wait (hours from a PR opened to its first review
// submitted after that) and work in progress.

/**
 * Per repository: the median review wait of the PRs first reviewed in [from, to), and its open, non-draft PRs (wip)
 * out of all it has (prs).
 */
export async function reviewFlowByRepo(
  db: Queryable,
  from: Date,
  to: Date,
): Promise<{ repo: string; wait: number | null; wip: number; prs: number }[]> {
  const { rows } = await db.query<{ repo: string; wait: number | null; wip: number; prs: number }>(
    `WITH first_review AS (
       SELECT p.repo, p.number, p.created_at, min(r.submitted_at) AS reviewed_at
         FROM pull_requests p JOIN pr_reviews r ON r.repo = p.repo AND r.number = p.number AND r.submitted_at > p.created_at
        GROUP BY p.repo, p.number, p.created_at)
     SELECT p.repo,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.reviewed_at - f.created_at) / 3600)
               FROM first_review f WHERE f.repo = p.repo AND f.reviewed_at >= $1 AND f.reviewed_at < $2) AS wait,
            count(*) FILTER (WHERE p.state = 'open' AND NOT p.draft)::int AS wip,
            count(*)::int AS prs
       FROM pull_requests p GROUP BY p.repo`,
    [from, to],
  );
  return rows;
}

/** The median review wait, over every repository, of the PRs first reviewed in [from, to). */
export async function orgReviewWait(db: Queryable, from: Date, to: Date): Promise<number | null> {
  const { rows } = await db.query<{ wait: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM reviewed_at - created_at) / 3600) AS wait
       FROM (SELECT p.created_at, min(r.submitted_at) AS reviewed_at
               FROM pull_requests p JOIN pr_reviews r ON r.repo = p.repo AND r.number = p.number AND r.submitted_at > p.created_at
              GROUP BY p.repo, p.number, p.created_at) f
      WHERE reviewed_at >= $1 AND reviewed_at < $2`,
    [from, to],
  );
  return rows[0]?.wait ?? null;
}
