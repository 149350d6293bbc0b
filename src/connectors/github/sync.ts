import { conditionalFirstPage } from '../../sync/conditional.js';
import { IngestRun, ingestPage, RejectedRecord } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { allPages, hasNextPage, PER_PAGE } from './client.js';
import { syncDeploySignals } from './deploy-signals.js';
import { reconcileGitHubIssues } from './issue-reconcile.js';
import { syncGitHubIssues } from './issues.js';
import { pullRequestEvent, pullRequestRow, type ReviewWaits, reviewEvent, reviewWaits } from './normalize.js';
import {
  type Commit,
  commitSchema,
  deploymentSchema,
  deploymentStatusSchema,
  type PullRequest,
  pullRequestSchema,
  reviewSchema,
  timelineEventSchema,
} from './schemas.js';
import { refreshShippedPullRequests, syncShippedCommits } from './shipped.js';
import {
  commitIdentities,
  deploymentsToRecheck,
  finishedDeploymentIds,
  identityKey,
  pullRequestsStoredAsListed,
  saveDeployment,
  stopRecheckingDeployment,
  storePullRequestRows,
} from './store.js';
import type { RepoSyncOptions } from './sync-options.js';

export type { RepoSyncOptions } from './sync-options.js';

export interface RepoSyncResult {
  pullRequests: number;
  issues: number;
  deployments: number;
  rejected: number;
  notModified: boolean;
}

interface PullsCursor {
  /** updated_at of the newest PR stored by the last complete pass. */
  since?: string;
  etag?: string;
  /** A pass interrupted by a crash resumes at this page. */
  resume?: { page: number; since?: string; newest?: string; etag?: string };
}

interface DeploymentsCursor {
  etag?: string;
}

const DETAIL_CONCURRENCY = 10;

const numberOf = (raw: unknown) => (raw as { number?: unknown } | null)?.number;
const idOf = (raw: unknown) => (raw as { id?: unknown } | null)?.id;

/** One incremental pass over a repository's pull requests (with reviews and commits) and deployments. */
export async function syncGitHubRepo(options: RepoSyncOptions): Promise<RepoSyncResult> {
  // Which PRs each deployment shipped is derived once what it rests on changed in this pass, also when a later part
  // of the pass fails or is stopped: the next pass finds those parts stored already and would not derive it again.
  let changed = false;
  const noting = <T extends { stored?: number; compared?: number }>(result: T) => {
    if (result.stored || result.compared) changed = true;
    return result;
  };
  try {
    const pulls = noting(await syncPullRequests(options));
    const deployments = noting(await syncDeployments(options));
    const signals = noting(await syncDeploySignals(options, options.signals ?? {}));
    noting(await syncShippedCommits(options));
    const issues =
      options.issues === false ? { stored: 0, rejected: 0, notModified: true } : await syncGitHubIssues(options);
    const reconciled = options.issues === false ? undefined : await reconcileGitHubIssues(options);
    return {
      pullRequests: pulls.stored,
      issues: issues.stored + (reconciled?.removed ?? 0),
      deployments: deployments.stored + signals.stored,
      rejected: pulls.rejected + deployments.rejected + signals.rejected + issues.rejected,
      notModified:
        pulls.notModified &&
        deployments.notModified &&
        signals.stored === 0 &&
        issues.notModified &&
        !reconciled?.removed,
    };
  } finally {
    if (changed) await refreshShippedPullRequests(options.db, options.repo);
  }
}

/**
 * When an open PR's review waits began, from its issue timeline (every page: it is read only for open PRs the pass
 * fetches anyway). Undefined when the timeline cannot be read (404): what is stored stays, and the signals fall back.
 */
async function pullRequestWaits(options: RepoSyncOptions, number: number): Promise<ReviewWaits | undefined> {
  const [owner, name] = options.repo.split('/') as [string, string];
  try {
    const items = await allPages(options.octokit, 'GET /repos/{owner}/{repo}/issues/{issue_number}/timeline', {
      owner,
      repo: name,
      issue_number: number,
    });
    return reviewWaits(
      items.flatMap((raw) => {
        const e = timelineEventSchema.safeParse(raw);
        return e.success ? [e.data] : [];
      }),
    );
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/**
 * A PR's details, commits and reviews (and for an open one, its review waits); a malformed detail rejects the PR,
 * malformed reviews are left out.
 */
async function pullRequestDetails(options: RepoSyncOptions, listed: PullRequest) {
  const { octokit, repo } = options;
  const { number } = listed;
  const [owner, name] = repo.split('/') as [string, string];
  const params = { owner, repo: name, pull_number: number, per_page: PER_PAGE };
  const [detail, commits, reviews, waits] = await Promise.all([
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: number }),
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', params),
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', params),
    listed.state === 'open' ? pullRequestWaits(options, number) : undefined,
  ]);
  const pr = pullRequestSchema.safeParse(detail.data);
  if (!pr.success) throw new RejectedRecord(rejectionReason(number, pr.error), 'malformed pull request skipped');
  const parsedReviews = (reviews.data as unknown[]).map((raw) => ({ raw, parsed: reviewSchema.safeParse(raw) }));
  return {
    pr: pr.data,
    waits,
    commits: (commits.data as unknown[]).flatMap((raw) => {
      const c = commitSchema.safeParse(raw);
      return c.success ? [c.data] : [];
    }),
    reviews: parsedReviews.flatMap((r) => (r.parsed.success ? [{ review: r.parsed.data, raw: r.raw }] : [])),
    badReviews: parsedReviews.flatMap((r) =>
      r.parsed.success ? [] : [rejectionReason(`${number} review ${idOf(r.raw)}`, r.parsed.error)],
    ),
  };
}

async function syncPullRequests(options: RepoSyncOptions) {
  const { db, logger, octokit, repo } = options;
  const run = new IngestRun(db, logger, { repo }, options);
  const [owner, name] = repo.split('/') as [string, string];
  const scope = `${repo}:pulls`;
  const cursor = (await getCursor<PullsCursor>(db, 'github', scope)) ?? {};
  const since = cursor.resume?.since ?? cursor.since ?? options.backfillSince.toISOString();
  let page = cursor.resume?.page ?? 1;
  let newest = cursor.resume?.newest ?? cursor.since;
  let firstPageEtag = cursor.resume?.etag;
  // Authors recur from PR to PR: an identity stored once in this pass needs no writing again (one look-up and two
  // writes each). Noted only after its PR's transaction committed, so a PR that failed takes nothing with it.
  const identitiesStored = new Set<string>();
  const identitiesToStore = (commits: Commit[]) =>
    commitIdentities(commits).filter((i) => !identitiesStored.has(identityKey(i)));
  for (;;) {
    // A conditional request for the first page costs nothing when nothing changed.
    const first = await conditionalFirstPage(page === 1 && !cursor.resume ? cursor.etag : undefined, (headers) =>
      octokit.request('GET /repos/{owner}/{repo}/pulls', {
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
    if (page === 1) firstPageEtag = first.etag;
    const items = first.response.data as unknown[];
    const more = hasNextPage(first.response.headers as Record<string, unknown>) && items.length > 0;
    const { ended } = await ingestPage(run, {
      what: 'pull request',
      records: items,
      schema: pullRequestSchema,
      idOf: numberOf,
      keyOf: (pr) => `${repo}#${pr.number}`,
      // GitHub's timestamps have one-second resolution: a PR updated in the cursor's own second may not have been
      // seen yet, so the boundary is inclusive (and what is already stored at that version is skipped).
      until: (pr) => Date.parse(pr.updated_at) < Date.parse(since),
      fresh: async (prs) => {
        for (const pr of prs) if (!newest || Date.parse(pr.updated_at) > Date.parse(newest)) newest = pr.updated_at;
        const stale = await pullRequestsStoredAsListed(db, repo, prs);
        return prs.filter((pr) => !stale.has(pr.number));
      },
      // Details are fetched a few PRs at a time (the throttling plugin still caps concurrency per GitHub's rules).
      details: (pr) => pullRequestDetails(options, pr),
      concurrency: DETAIL_CONCURRENCY,
      events: (pr, listRaw, d) => [
        pullRequestEvent(repo, d.pr, listRaw),
        ...d.reviews.map((r) => reviewEvent(repo, pr.number, r.review, r.raw)),
      ],
      upsert: (tx, _pr, _raw, d) =>
        storePullRequestRows(
          tx,
          pullRequestRow(repo, d.pr, d.commits),
          d.reviews.map((r) => r.review),
          identitiesToStore(d.commits),
          d.waits,
        ),
      stored: (_pr, d) => {
        for (const reason of d.badReviews) run.reject(reason, 'malformed review skipped');
        for (const identity of commitIdentities(d.commits)) identitiesStored.add(identityKey(identity));
      },
      // A pass interrupted by a crash resumes at the next page.
      cursor: {
        source: 'github',
        scope,
        value: () => (more ? { ...cursor, resume: { page: page + 1, since, newest, etag: firstPageEtag } } : undefined),
      },
    });
    if (ended || !more) break;
    logger.info({ repo, page, stored: run.stored, rejected: run.rejected }, 'pull request backfill progress');
    page += 1;
  }
  await setCursor(db, 'github', scope, { since: newest ?? since, etag: firstPageEtag });
  return { stored: run.stored, rejected: run.rejected, notModified: false };
}

async function syncDeployments(options: RepoSyncOptions) {
  const { db, logger, octokit, repo, environment } = options;
  const run = new IngestRun(db, logger, { repo }, options);
  const [owner, name] = repo.split('/') as [string, string];
  const cursor = (await getCursor<DeploymentsCursor>(db, 'github', `${repo}:deployments`)) ?? {};
  const toCheck = new Map<number, unknown>();
  let notModified = false;
  let etag = cursor.etag;
  const done = await finishedDeploymentIds(db, repo);
  // Newest first, page after page, until a page reaches deployments already finished or older than the backfill.
  for (let page = 1; ; page += 1) {
    const first = await conditionalFirstPage(page === 1 ? cursor.etag : undefined, (headers) =>
      octokit.request('GET /repos/{owner}/{repo}/deployments', {
        owner,
        repo: name,
        environment,
        per_page: PER_PAGE,
        page,
        headers,
      }),
    );
    if (!first) {
      notModified = true;
      break;
    }
    if (page === 1) etag = first.etag;
    let reachedKnown = false;
    for (const { value, raw } of run.valid(deploymentSchema, first.response.data as unknown[], idOf, 'deployment')) {
      if (Date.parse(value.created_at) < options.backfillSince.getTime() || done.has(String(value.id))) {
        reachedKnown = true;
        continue;
      }
      toCheck.set(value.id, raw);
    }
    if (reachedKnown || !hasNextPage(first.response.headers as Record<string, unknown>)) break;
    await options.heartbeat?.();
  }
  // Status changes do not change the list's ETag, so deployments still running are checked on every poll.
  const pending = (await deploymentsToRecheck(db, repo)).filter((id) => !toCheck.has(id));
  for (const id of [...toCheck.keys(), ...pending]) {
    run.stopIfStopping();
    let raw: unknown;
    let statuses: unknown[];
    try {
      [raw, statuses] = await Promise.all([
        toCheck.get(id) ??
          octokit
            .request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { owner, repo: name, deployment_id: id })
            .then((r) => r.data),
        allPages(octokit, 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
          owner,
          repo: name,
          deployment_id: id,
        }),
      ]);
    } catch (err) {
      // A deployment deleted on GitHub keeps what was stored; it is not asked for again.
      if ((err as { status?: number }).status !== 404) throw err;
      await stopRecheckingDeployment(db, id);
      continue;
    }
    const deployment = run.parse(deploymentSchema, raw, id, 'deployment');
    if (!deployment) continue;
    const validStatuses = statuses.flatMap((st) => {
      const parsed = deploymentStatusSchema.safeParse(st);
      return parsed.success ? [parsed.data] : [];
    });
    await saveDeployment(db, repo, deployment, validStatuses, raw);
    run.stored += 1;
  }
  await setCursor(db, 'github', `${repo}:deployments`, { etag });
  return { stored: run.stored, rejected: run.rejected, notModified: notModified && pending.length === 0 };
}
