import type { Db } from '../../store/db.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { recordDeletion } from '../../sync/webhooks.js';
import { allPages } from './client.js';
import { storeGitHubIssue } from './issues.js';
import { issueSchema } from './schemas.js';
import { storedIssuesSince } from './store.js';
import type { RepoSyncOptions } from './sync-options.js';

/** How often the stored issues are checked against GitHub's list. */
export const RECONCILE_EVERY_MS = 6 * 60 * 60 * 1000;

interface ReconcileCursor {
  at?: string;
}

/**
 * A deleted or transferred issue leaves GitHub's lists without a trace: polling cannot see it go, and its webhook
 * is lost when em-agent was down. Every few hours the stored issues of the backfill window are compared with
 * GitHub's list; each one missing is asked for: 410 (deleted), 404 (deleted or moved where we cannot read) or a
 * redirect to another repository's issue (transferred) removes it here, as the webhook would have.
 */
export async function reconcileGitHubIssues(
  options: Pick<RepoSyncOptions, 'db' | 'logger' | 'octokit' | 'repo' | 'backfillSince'> & { db: Db },
  now = new Date(),
): Promise<{ checked: number; removed: number } | undefined> {
  const { db, logger, octokit, repo } = options;
  const scope = `${repo}:issues-reconciled`;
  const cursor = await getCursor<ReconcileCursor>(db, 'github', scope);
  // The first pass has just listed every issue: nothing can be missing yet.
  if (!cursor?.at) return void (await setCursor(db, 'github', scope, { at: now.toISOString() }));
  if (now.getTime() - Date.parse(cursor.at) < RECONCILE_EVERY_MS) return undefined;

  const since = options.backfillSince.toISOString();
  const stored = await storedIssuesSince(db, repo, since);
  let removed = 0;
  if (stored.length) {
    const [owner, name] = repo.split('/') as [string, string];
    const listed = (await allPages(octokit, 'GET /repos/{owner}/{repo}/issues', {
      owner,
      repo: name,
      state: 'all',
      since,
    })) as { number?: unknown }[];
    const numbers = new Set(listed.map((item) => item.number));
    for (const row of stored) {
      const number = Number(row.key.slice(repo.length + 1));
      if (numbers.has(number)) continue;
      const outcome = await lookUpIssue(options, owner, name, number);
      if (outcome.kind === 'here') {
        await storeGitHubIssue(db, repo, outcome.issue, outcome.raw);
        continue;
      }
      // GitHub says when it happened nowhere; a deleted issue never comes back, so now (or its own last update,
      // should our clock be behind GitHub's) is safe.
      const at = new Date(Math.max(now.getTime(), new Date(row.updated_at).getTime())).toISOString();
      await recordDeletion(db, 'github', row.key, at, {
        action: outcome.kind,
        via: 'reconcile',
        status: outcome.status,
      });
      removed += 1;
    }
    if (removed) logger.info({ repo, removed }, 'issues deleted or transferred on GitHub removed');
  }
  await setCursor(db, 'github', scope, { at: now.toISOString() });
  return { checked: stored.length, removed };
}

type Lookup =
  | { kind: 'here'; issue: ReturnType<typeof issueSchema.parse>; raw: unknown }
  | { kind: 'deleted' | 'transferred'; status: number };

async function lookUpIssue(
  options: Pick<RepoSyncOptions, 'octokit' | 'repo'>,
  owner: string,
  repo: string,
  number: number,
): Promise<Lookup> {
  try {
    const response = await options.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner,
      repo,
      issue_number: number,
    });
    const issue = issueSchema.parse(response.data);
    // fetch follows GitHub's 301 for a transferred issue to the issue in its new repository.
    const home = `/${options.repo}/issues/${number}`.toLowerCase();
    if (!new URL(issue.html_url).pathname.toLowerCase().endsWith(home)) return { kind: 'transferred', status: 301 };
    return { kind: 'here', issue, raw: response.data };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 410 || status === 404) return { kind: 'deleted', status };
    throw err;
  }
}
