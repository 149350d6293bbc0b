import type { Db, Queryable } from '../../store/db.js';
import { conditionalFirstPage } from '../../sync/conditional.js';
import type { EventInput } from '../../sync/event.js';
import { IngestRun, ingestPage } from '../../sync/ingest.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { upsertWorkItem, type WorkItemRow } from '../../sync/work-items-store.js';
import { hasNextPage, PER_PAGE } from './client.js';
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

export function issueEvent(repo: string, issue: Issue, raw: unknown): EventInput {
  return {
    source: 'github',
    kind: 'issue',
    externalId: `${repo}#${issue.number}@${issue.updated_at}`,
    occurredAt: issue.updated_at,
    actor: issue.user?.login ?? null,
    subject: `${repo}#${issue.number}`,
    normalized: { state: issue.state, title: issue.title },
    raw,
  };
}

/** One observed version of an issue (poll or webhook): its event once per updated_at, its work item never older. */
export async function storeGitHubIssue(db: Queryable, repo: string, issue: Issue, raw: unknown): Promise<void> {
  await insertEvents(db, [issueEvent(repo, issue, raw)]);
  await upsertWorkItem(db, 'github', issueWorkItem(repo, issue));
}

/**
 * A repository's issues updated since the cursor, stored as work items (source "github", key "owner/repo#N").
 * GitHub's issues list also holds pull requests; those are synced as pull requests and skipped here.
 */
export async function syncGitHubIssues(
  options: Pick<RepoSyncOptions, 'db' | 'logger' | 'octokit' | 'repo' | 'backfillSince' | 'heartbeat' | 'signal'> & {
    db: Db;
  },
): Promise<{ stored: number; rejected: number; notModified: boolean }> {
  const { db, logger, octokit, repo } = options;
  const run = new IngestRun(db, logger, { repo }, options);
  const [owner, name] = repo.split('/') as [string, string];
  const cursor = (await getCursor<IssuesCursor>(db, 'github', `${repo}:issues`)) ?? {};
  const since = cursor.since ?? options.backfillSince.toISOString();
  let newest = since;
  let etag = cursor.etag;
  for (let page = 1; ; page += 1) {
    const first = await conditionalFirstPage(page === 1 ? cursor.etag : undefined, (headers) =>
      octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo: name,
        state: 'all',
        sort: 'updated',
        direction: 'desc',
        per_page: PER_PAGE,
        page,
        headers,
      }),
    );
    if (!first) return { stored: 0, rejected: 0, notModified: true };
    if (page === 1) etag = first.etag;
    const items = first.response.data as unknown[];
    // Inclusive: an issue updated in the cursor's own second may be new (GitHub's clock has one-second steps).
    const old = items.findIndex(
      (raw) => Date.parse(String((raw as { updated_at?: unknown }).updated_at)) < Date.parse(since),
    );
    await ingestPage(run, {
      what: 'issue',
      // The issues list also holds pull requests: those are synced as pull requests.
      records: (old < 0 ? items : items.slice(0, old)).filter(
        (raw) => !(raw as { pull_request?: unknown }).pull_request,
      ),
      schema: issueSchema,
      idOf: (raw) => (raw as { number?: unknown } | null)?.number,
      keyOf: (issue) => `${repo}#${issue.number}`,
      events: (issue, raw) => [issueEvent(repo, issue, raw)],
      upsert: (tx, issue) => upsertWorkItem(tx, 'github', issueWorkItem(repo, issue)),
      stored: (issue) => {
        if (Date.parse(issue.updated_at) > Date.parse(newest)) newest = issue.updated_at;
      },
    });
    if (old >= 0 || !hasNextPage(first.response.headers as Record<string, unknown>) || items.length === 0) break;
  }
  await setCursor(db, 'github', `${repo}:issues`, { since: newest, etag });
  return { stored: run.stored, rejected: run.rejected, notModified: false };
}
