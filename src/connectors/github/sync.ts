import type { z } from 'zod';
import { recordIdentity } from '../../identity/store.js';
import type { Db } from '../../store/db.js';
import { isDataError } from '../../store/well-formed.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { allPages, isNotModified, PER_PAGE } from './client.js';
import { syncDeploySignals } from './deploy-signals.js';
import { syncGitHubIssues } from './issues.js';
import { pullRequestEvent, pullRequestRow, reviewEvent } from './normalize.js';
import { commitSchema, deploymentSchema, deploymentStatusSchema, pullRequestSchema, reviewSchema } from './schemas.js';
import { refreshShippedPullRequests, syncShippedCommits } from './shipped.js';
import { saveDeployment, upsertPullRequest, upsertReview } from './store.js';
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

/** The items of a list that match their schema (each with its raw payload); the others are dropped. */
function valid<T>(schema: z.ZodType<T>, items: unknown): { value: T; raw: unknown }[] {
  return (items as unknown[]).flatMap((raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? [{ value: parsed.data, raw }] : [];
  });
}

/** One incremental pass over a repository's pull requests (with reviews and commits) and deployments. */
export async function syncGitHubRepo(options: RepoSyncOptions): Promise<RepoSyncResult> {
  const pulls = await syncPullRequests(options);
  const deployments = await syncDeployments(options);
  const signals = await syncDeploySignals(options, options.signals ?? {});
  const compared = await syncShippedCommits(options);
  const issues =
    options.issues === false ? { stored: 0, rejected: 0, notModified: true } : await syncGitHubIssues(options);
  if (pulls.stored || deployments.stored || signals.stored || compared.compared)
    await refreshShippedPullRequests(options.db, options.repo);
  return {
    pullRequests: pulls.stored,
    issues: issues.stored,
    deployments: deployments.stored + signals.stored,
    rejected: pulls.rejected + deployments.rejected + signals.rejected + issues.rejected,
    notModified: pulls.notModified && deployments.notModified && signals.stored === 0 && issues.notModified,
  };
}

async function syncPullRequests(options: RepoSyncOptions) {
  const { db, logger, octokit, repo } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const cursor = (await getCursor<PullsCursor>(db, 'github', `${repo}:pulls`)) ?? {};
  const since = cursor.resume?.since ?? cursor.since ?? options.backfillSince.toISOString();
  let page = cursor.resume?.page ?? 1;
  let newest = cursor.resume?.newest ?? cursor.since;
  let firstPageEtag = cursor.resume?.etag;
  let stored = 0;
  let rejected = 0;

  for (;;) {
    let response: Awaited<ReturnType<typeof octokit.request<'GET /repos/{owner}/{repo}/pulls'>>>;
    try {
      response = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
        owner,
        repo: name,
        state: 'all',
        sort: 'updated',
        direction: 'desc',
        per_page: PER_PAGE,
        page,
        // A conditional request for the first page costs nothing when nothing changed.
        headers: page === 1 && cursor.etag && !cursor.resume ? { 'if-none-match': cursor.etag } : {},
      });
    } catch (err) {
      if (page === 1 && isNotModified(err)) return { stored: 0, rejected: 0, notModified: true };
      throw err;
    }
    if (page === 1) firstPageEtag = String(response.headers.etag ?? '');
    const items = response.data as unknown[];
    let reachedOld = false;
    const changed: { number: number; updatedAt: string; raw: unknown }[] = [];
    for (const raw of items) {
      const parsed = pullRequestSchema.safeParse(raw);
      if (!parsed.success) {
        rejected += 1;
        logger.warn(
          { repo, id: (raw as { number?: unknown })?.number, problem: parsed.error.issues[0]?.message },
          'malformed pull request skipped',
        );
        continue;
      }
      const pr = parsed.data;
      // GitHub's timestamps have one-second resolution: a PR updated in the cursor's own second may not have been
      // seen yet, so the boundary is inclusive (and what is already stored at that version is skipped below).
      if (Date.parse(pr.updated_at) < Date.parse(since)) {
        reachedOld = true;
        break;
      }
      if (!newest || Date.parse(pr.updated_at) > Date.parse(newest)) newest = pr.updated_at;
      changed.push({ number: pr.number, updatedAt: pr.updated_at, raw });
    }
    const stale = await alreadyStored(db, repo, changed);
    changed.splice(0, changed.length, ...changed.filter((c) => !stale.has(c.number)));
    // Details are fetched a few PRs at a time (the throttling plugin still caps concurrency per GitHub's rules).
    for (let start = 0; start < changed.length; start += DETAIL_CONCURRENCY) {
      const batch = changed.slice(start, start + DETAIL_CONCURRENCY);
      const fetched = await Promise.all(batch.map((c) => fetchPullRequest(options, owner, name, c.number)));
      for (const [i, details] of fetched.entries()) {
        const result = await storePullRequest(options, details, batch[i]?.raw);
        stored += result.stored;
        rejected += result.rejected;
      }
    }
    const hasNext = /rel="next"/.test(String(response.headers.link ?? ''));
    if (reachedOld || !hasNext || items.length === 0) break;
    logger.info({ repo, page, stored, rejected }, 'pull request backfill progress');
    page += 1;
    await setCursor(db, 'github', `${repo}:pulls`, { ...cursor, resume: { page, since, newest, etag: firstPageEtag } });
    await options.heartbeat?.();
  }
  await setCursor(db, 'github', `${repo}:pulls`, { since: newest ?? since, etag: firstPageEtag });
  return { stored, rejected, notModified: false };
}

/**
 * The PRs of a list page already stored at (or past) the listed version by polling: fetching them again would change
 * nothing. A PR stored from a webhook alone (no commits, so no first-commit time) is fetched.
 */
async function alreadyStored(db: Db, repo: string, listed: { number: number; updatedAt: string }[]) {
  if (!listed.length) return new Set<number>();
  const { rows } = await db.query<{ number: number; updated_at: Date }>(
    `SELECT number, updated_at FROM pull_requests
      WHERE repo = $1 AND number = ANY($2::int[]) AND first_commit_at IS NOT NULL`,
    [repo, listed.map((l) => l.number)],
  );
  const stored = new Map(rows.map((r) => [Number(r.number), r.updated_at.getTime()]));
  return new Set(
    listed.filter((l) => (stored.get(l.number) ?? -Infinity) >= Date.parse(l.updatedAt)).map((l) => l.number),
  );
}

async function fetchPullRequest(options: RepoSyncOptions, owner: string, name: string, number: number) {
  const { octokit } = options;
  const params = { owner, repo: name, pull_number: number, per_page: PER_PAGE };
  const [detail, commits, reviews] = await Promise.all([
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: number }),
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', params),
    octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', params),
  ]);
  return { number, detail, commits, reviews };
}

async function storePullRequest(
  options: RepoSyncOptions,
  { number, detail, commits, reviews }: Awaited<ReturnType<typeof fetchPullRequest>>,
  listRaw: unknown,
) {
  const { db, logger, repo } = options;
  const pr = pullRequestSchema.safeParse(detail.data);
  if (!pr.success) {
    logger.warn({ repo, id: number, problem: pr.error.issues[0]?.message }, 'malformed pull request skipped');
    return { stored: 0, rejected: 1 };
  }
  const validCommits = valid(commitSchema, commits.data).map((c) => c.value);
  const validReviews = valid(reviewSchema, reviews.data).map((r) => ({ review: r.value, raw: r.raw }));
  const stored = await db
    .transaction(async (tx) => {
      await insertEvents(tx, [
        pullRequestEvent(repo, pr.data, listRaw),
        ...validReviews.map((r) => reviewEvent(repo, number, r.review, r.raw)),
      ]);
      await upsertPullRequest(tx, pullRequestRow(repo, pr.data, validCommits));
      for (const r of validReviews) await upsertReview(tx, repo, number, r.review);
      // Commit e-mails tie a GitHub login to a person (and through e-mail, to Slack).
      for (const c of validCommits) {
        if (c.author?.login)
          await recordIdentity(tx, {
            github: c.author.login,
            email: c.commit.author?.email,
            displayName: c.commit.author?.name,
          });
      }
    })
    .then(
      () => true,
      (err: unknown) => {
        if (!isDataError(err)) throw err;
        logger.warn(
          { repo, id: number, problem: (err as Error).message },
          'pull request the database cannot store skipped',
        );
        return false;
      },
    );
  if (!stored) return { stored: 0, rejected: 1 };
  return { stored: 1, rejected: (reviews.data as unknown[]).length - validReviews.length };
}

/** Deployments needing their statuses read again: still running, or written by the old normalizer. */
async function deploymentsToRecheck(db: Db, repo: string) {
  const { rows } = await db.query<{ external_id: string }>(
    `SELECT external_id FROM deployments WHERE source = 'github' AND repo = $1
        AND (renormalize OR (finished_at IS NULL AND created_at > now() - interval '1 day'))`,
    [repo],
  );
  return rows.map((r) => Number(r.external_id));
}

async function syncDeployments(options: RepoSyncOptions) {
  const { db, logger, octokit, repo, environment } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const cursor = (await getCursor<DeploymentsCursor>(db, 'github', `${repo}:deployments`)) ?? {};
  const toCheck = new Map<number, unknown>();
  let notModified = false;
  let rejected = 0;
  let etag = cursor.etag;
  const finished = await db.query<{ external_id: string }>(
    "SELECT external_id FROM deployments WHERE source = 'github' AND repo = $1 AND finished_at IS NOT NULL",
    [repo],
  );
  const done = new Set(finished.rows.map((r) => r.external_id));
  // Newest first, page after page, until a page reaches deployments already finished or older than the backfill.
  for (let page = 1; ; page += 1) {
    let response: Awaited<ReturnType<typeof octokit.request<'GET /repos/{owner}/{repo}/deployments'>>>;
    try {
      response = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
        owner,
        repo: name,
        environment,
        per_page: PER_PAGE,
        page,
        headers: page === 1 && cursor.etag ? { 'if-none-match': cursor.etag } : {},
      });
    } catch (err) {
      if (page === 1 && isNotModified(err)) {
        notModified = true;
        break;
      }
      throw err;
    }
    if (page === 1) etag = String(response.headers.etag ?? '');
    let reachedKnown = false;
    for (const raw of response.data as unknown[]) {
      const parsed = deploymentSchema.safeParse(raw);
      if (!parsed.success) {
        rejected += 1;
        logger.warn(
          { repo, id: (raw as { id?: unknown })?.id, problem: parsed.error.issues[0]?.message },
          'malformed deployment skipped',
        );
        continue;
      }
      if (Date.parse(parsed.data.created_at) < options.backfillSince.getTime() || done.has(String(parsed.data.id))) {
        reachedKnown = true;
        continue;
      }
      toCheck.set(parsed.data.id, raw);
    }
    if (reachedKnown || !/rel="next"/.test(String(response.headers.link ?? ''))) break;
    await options.heartbeat?.();
  }
  // Status changes do not change the list's ETag, so deployments still running are checked on every poll.
  const pending = (await deploymentsToRecheck(db, repo)).filter((id) => !toCheck.has(id));
  let stored = 0;
  for (const id of [...toCheck.keys(), ...pending]) {
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
      await db.query("UPDATE deployments SET renormalize = false WHERE source = 'github' AND external_id = $1", [
        String(id),
      ]);
      continue;
    }
    const deployment = deploymentSchema.safeParse(raw);
    if (!deployment.success) {
      rejected += 1;
      continue;
    }
    const validStatuses = valid(deploymentStatusSchema, statuses).map((st) => st.value);
    await saveDeployment(db, repo, deployment.data, validStatuses, raw);
    stored += 1;
  }
  await setCursor(db, 'github', `${repo}:deployments`, { etag });
  return { stored, rejected, notModified: notModified && pending.length === 0 };
}
