import type { Db } from '../../store/db.js';
import type { SyncPace } from '../../sync/ingest.js';
import { type GitHubOctokit, hasNextPage, PER_PAGE } from './client.js';
import { rangesToCompare, saveCommitRange } from './store.js';

export { DEPLOYMENT_ORDER } from './store.js';

/**
 * What each successful deployment shipped, as Apache DevLake computes it: GitHub's compare between the previous
 * successful deployment's commit and its own. A rollback to an older commit compares as "behind" and ships
 * nothing. Ranges never change, so each (base, head) is fetched once and cached in commit_ranges.
 */
export async function syncShippedCommits(
  options: {
    db: Db;
    octokit: GitHubOctokit;
    repo: string;
  } & SyncPace,
): Promise<{ compared: number; calls: number }> {
  const { db, octokit, repo } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const rows = await rangesToCompare(db, repo);
  let calls = 0;
  for (const { base, head } of rows) {
    options.signal?.throwIfAborted();
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
    await saveCommitRange(db, repo, { base, head, status, shas });
    await options.heartbeat?.();
  }
  return { compared: rows.length, calls };
}

export { refreshShippedPullRequests } from './store.js';
