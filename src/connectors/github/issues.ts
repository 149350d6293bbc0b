import type { Db, Queryable } from '../../store/db.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { upsertWorkItem, type WorkItemRow } from '../../sync/work-items.js';
import { isNotModified, PER_PAGE } from './client.js';
import { type Issue, issueSchema } from './schemas.js';
import type { RepoSyncOptions } from './sync-options.js';

interface IssuesCursor {
  /** updated_at of the newest issue stored; the list is read newest first down to it (inclusive). */
  since?: string;
  /** ETag of the first page, whose URL never changes (no `since` parameter), so an idle poll is a free 304. */
  etag?: string;
}

export function issueWorkItem(repo: string, issue: Issue): WorkItemRow {
  return {
    key: `${repo}#${issue.number}`,
    project: repo,
    title: issue.title,
    type: 'issue',
    status: issue.state,
    statusCategory: issue.state === 'closed' ? 'done' : issue.assignee ? 'indeterminate' : 'new',
    priority: null,
    assignee: issue.assignee?.login ?? null,
    labels: issue.labels.map((l) => (typeof l === 'string' ? l : l.name)),
    points: null,
    sprintIds: [],
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    resolvedAt: issue.closed_at ?? null,
    url: issue.html_url,
    milestone: issue.milestone?.title ?? null,
  };
}

/** One observed version of an issue (poll or webhook): its event once per updated_at, its work item never older. */
export async function storeGitHubIssue(db: Queryable, repo: string, issue: Issue, raw: unknown): Promise<void> {
  await insertEvents(db, [
    {
      source: 'github',
      kind: 'issue',
      externalId: `${repo}#${issue.number}@${issue.updated_at}`,
      occurredAt: issue.updated_at,
      actor: issue.user?.login ?? null,
      subject: `${repo}#${issue.number}`,
      normalized: { state: issue.state, title: issue.title },
      raw,
    },
  ]);
  await upsertWorkItem(db, 'github', issueWorkItem(repo, issue));
}

/**
 * A repository's issues updated since the cursor, stored as work items (source "github", key "owner/repo#N").
 * GitHub's issues list also holds pull requests; those are synced as pull requests and skipped here.
 */
export async function syncGitHubIssues(
  options: Pick<RepoSyncOptions, 'db' | 'logger' | 'octokit' | 'repo' | 'backfillSince' | 'heartbeat'> & { db: Db },
): Promise<{ stored: number; rejected: number; notModified: boolean }> {
  const { db, logger, octokit, repo } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const cursor = (await getCursor<IssuesCursor>(db, 'github', `${repo}:issues`)) ?? {};
  const since = cursor.since ?? options.backfillSince.toISOString();
  let newest = since;
  let etag = cursor.etag;
  let stored = 0;
  let rejected = 0;
  for (let page = 1; ; page += 1) {
    let response: Awaited<ReturnType<typeof octokit.request<'GET /repos/{owner}/{repo}/issues'>>>;
    try {
      response = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo: name,
        state: 'all',
        sort: 'updated',
        direction: 'desc',
        per_page: PER_PAGE,
        page,
        headers: page === 1 && cursor.etag ? { 'if-none-match': cursor.etag } : {},
      });
    } catch (err) {
      if (page === 1 && isNotModified(err)) return { stored: 0, rejected: 0, notModified: true };
      throw err;
    }
    if (page === 1) etag = String(response.headers.etag ?? '');
    const items = response.data as unknown[];
    let reachedOld = false;
    await db.transaction(async (tx) => {
      for (const raw of items) {
        const updated = Date.parse(String((raw as { updated_at?: unknown }).updated_at));
        // Inclusive: an issue updated in the cursor's own second may be new (GitHub's clock has one-second steps).
        if (updated < Date.parse(since)) {
          reachedOld = true;
          break;
        }
        if ((raw as { pull_request?: unknown }).pull_request) continue;
        const parsed = issueSchema.safeParse(raw);
        if (!parsed.success) {
          rejected += 1;
          logger.warn(
            { repo, id: (raw as { number?: unknown })?.number, problem: parsed.error.issues[0]?.message },
            'malformed issue skipped',
          );
          continue;
        }
        const issue = parsed.data;
        if (Date.parse(issue.updated_at) > Date.parse(newest)) newest = issue.updated_at;
        await storeGitHubIssue(tx, repo, issue, raw);
        stored += 1;
      }
    });
    if (reachedOld || !/rel="next"/.test(String(response.headers.link ?? '')) || items.length === 0) break;
    await options.heartbeat?.();
  }
  await setCursor(db, 'github', `${repo}:issues`, { since: newest, etag });
  return { stored, rejected, notModified: false };
}
