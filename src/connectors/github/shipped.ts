import type { Db, Queryable } from '../../store/db.js';
import { type GitHubOctokit, hasNextPage, PER_PAGE } from './client.js';

/**
 * The order deployments follow within a repository and environment, here and in the reports: a deployment
 * shipped the commits between the previous one's sha and its own.
 */
export const DEPLOYMENT_ORDER = 'finished_at, source, external_id';
const FULL_SHA = '^[0-9a-f]{40}$';

/**
 * What each successful deployment shipped, as Apache DevLake computes it: GitHub's compare between the previous
 * successful deployment's commit and its own. A rollback to an older commit compares as "behind" and ships
 * nothing. Ranges never change, so each (base, head) is fetched once and cached in commit_ranges.
 */
export async function syncShippedCommits(options: {
  db: Db;
  octokit: GitHubOctokit;
  repo: string;
  heartbeat?: () => Promise<void>;
}): Promise<{ compared: number; calls: number }> {
  const { db, octokit, repo } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const { rows } = await db.query<{ base: string; head: string }>(
    `SELECT DISTINCT base, head FROM (
       SELECT lag(sha) OVER (PARTITION BY environment ORDER BY ${DEPLOYMENT_ORDER}) AS base, sha AS head
         FROM deployments WHERE repo = $1 AND state = 'success' AND sha ~ '${FULL_SHA}'
     ) d
     WHERE base IS NOT NULL AND base <> head
       AND NOT EXISTS (SELECT 1 FROM commit_ranges r WHERE r.repo = $1 AND r.base = d.base AND r.head = d.head)`,
    [repo],
  );
  let calls = 0;
  for (const { base, head } of rows) {
    const shas: string[] = [];
    let status = 'missing';
    for (let page = 1; ; page += 1) {
      let response: { data: { status?: string; commits?: { sha: string }[] }; headers: Record<string, unknown> };
      try {
        calls += 1;
        response = (await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
          owner,
          repo: name,
          basehead: `${base}...${head}`,
          per_page: PER_PAGE,
          page,
        })) as typeof response;
      } catch (err) {
        // A sha GitHub no longer has (a force-push): nothing can be said about what that deployment shipped.
        if ((err as { status?: number }).status === 404) break;
        throw err;
      }
      status = String(response.data.status ?? 'missing');
      // A rollback ("behind") ships nothing, even though GitHub lists no commits for it anyway.
      if (status === 'ahead' || status === 'diverged') shas.push(...(response.data.commits ?? []).map((c) => c.sha));
      if (!hasNextPage(response.headers) || !(response.data.commits ?? []).length) break;
    }
    await db.query(
      `INSERT INTO commit_ranges (repo, base, head, status, shas) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repo, base, head) DO NOTHING`,
      [repo, base, head, status, shas],
    );
    await options.heartbeat?.();
  }
  return { compared: rows.length, calls };
}

/**
 * Re-derives when each merged PR of a repository shipped: the first successful deployment whose range (from the
 * previous deployment of its environment) holds the PR's merge commit; NULL while none does. Run after anything
 * that changes deployments, ranges or merge commits; it touches only the rows whose answer changed.
 */
export async function refreshShippedPullRequests(db: Queryable, repo: string): Promise<number> {
  const result = await db.query(
    `WITH d AS (
       SELECT sha, finished_at, lag(sha) OVER (PARTITION BY environment ORDER BY ${DEPLOYMENT_ORDER}) AS base
         FROM deployments WHERE repo = $1 AND state = 'success' AND finished_at IS NOT NULL
     ), shipped AS (
       SELECT c.sha, min(d.finished_at) AS deployed_at
         FROM d JOIN commit_ranges r ON r.repo = $1 AND r.base = d.base AND r.head = d.sha
         CROSS JOIN LATERAL unnest(r.shas) AS c(sha)
        GROUP BY c.sha
     )
     UPDATE pull_requests p SET deployed_at = s.deployed_at
       FROM pull_requests q LEFT JOIN shipped s ON s.sha = q.merge_commit_sha
      WHERE p.repo = $1 AND q.repo = p.repo AND q.number = p.number AND p.merged_at IS NOT NULL
        AND p.deployed_at IS DISTINCT FROM s.deployed_at`,
    [repo],
  );
  return result.rowCount;
}
