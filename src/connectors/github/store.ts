import { type Identity, recordIdentity } from '../../identity/store.js';
import type { Db, Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import {
  deploymentEvent,
  deploymentPipeline,
  deploymentState,
  type PullRequestRow,
  type ReviewWaits,
} from './normalize.js';
import type { Commit, Deployment, DeploymentStatus, PullRequest, Review, WorkflowRun } from './schemas.js';

export async function upsertPullRequest(db: Queryable, row: PullRequestRow): Promise<void> {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, closed_at,
       head_ref, base_ref, additions, deletions, changed_files, requested_reviewers, labels, ticket_keys, first_commit_at, url,
       merge_commit_sha, milestone, merged_by, requested_teams)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24)
     ON CONFLICT (repo, number) DO UPDATE SET
       title = EXCLUDED.title, author = EXCLUDED.author, state = EXCLUDED.state, draft = EXCLUDED.draft,
       updated_at = EXCLUDED.updated_at, merged_at = EXCLUDED.merged_at, closed_at = EXCLUDED.closed_at,
       head_ref = EXCLUDED.head_ref, base_ref = EXCLUDED.base_ref, additions = EXCLUDED.additions,
       deletions = EXCLUDED.deletions, changed_files = EXCLUDED.changed_files,
       requested_reviewers = EXCLUDED.requested_reviewers, requested_teams = EXCLUDED.requested_teams,
       labels = EXCLUDED.labels,
       ticket_keys = EXCLUDED.ticket_keys, url = EXCLUDED.url, milestone = EXCLUDED.milestone,
       -- a webhook carries no commits: keep the first-commit time polling found
       first_commit_at = COALESCE(EXCLUDED.first_commit_at, pull_requests.first_commit_at),
       merge_commit_sha = COALESCE(EXCLUDED.merge_commit_sha, pull_requests.merge_commit_sha),
       merged_by = COALESCE(EXCLUDED.merged_by, pull_requests.merged_by)
     -- Timestamps are to the second: of two versions of the same second (deliveries out of order), the open one
     -- never undoes a close or a merge.
     WHERE pull_requests.updated_at < EXCLUDED.updated_at
        OR (pull_requests.updated_at = EXCLUDED.updated_at
            AND array_position(ARRAY['open', 'closed', 'merged'], EXCLUDED.state)
                >= array_position(ARRAY['open', 'closed', 'merged'], pull_requests.state))`,
    [
      row.repo,
      row.number,
      row.title,
      row.author,
      row.state,
      row.draft,
      row.createdAt,
      row.updatedAt,
      row.mergedAt,
      row.closedAt,
      row.headRef,
      row.baseRef,
      row.additions,
      row.deletions,
      row.changedFiles,
      row.requestedReviewers,
      row.labels,
      row.ticketKeys,
      row.firstCommitAt,
      row.url,
      row.mergeCommitSha ?? null,
      row.milestone ?? null,
      row.mergedBy ?? null,
      row.requestedTeams ?? [],
    ],
  );
}

export async function upsertReview(db: Queryable, repo: string, number: number, review: Review): Promise<void> {
  await db.query(
    `INSERT INTO pr_reviews (repo, number, review_id, reviewer, state, submitted_at) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (repo, review_id) DO UPDATE SET state = EXCLUDED.state, submitted_at = EXCLUDED.submitted_at
     -- A dismissal is final on GitHub; a late delivery of the review's submission does not undo it.
     WHERE upper(pr_reviews.state) <> 'DISMISSED'`,
    [repo, number, review.id, review.user?.login ?? null, review.state, review.submitted_at ?? null],
  );
}

/**
 * Notes when a PR's review waits began (from its timeline or a webhook): when it was last marked ready for review, and
 * when each person was last asked to review. Each only moves forward, so deliveries and passes in any order agree.
 * The PR's row must be stored already.
 */
export async function saveReviewWaits(db: Queryable, repo: string, number: number, waits: ReviewWaits): Promise<void> {
  if (waits.readyAt)
    await db.query(
      `UPDATE pull_requests SET ready_at = $3
        WHERE repo = $1 AND number = $2 AND (ready_at IS NULL OR ready_at < $3::timestamptz)`,
      [repo, number, waits.readyAt],
    );
  for (const [reviewer, at] of waits.requested)
    await db.query(
      `INSERT INTO pr_review_requests (repo, number, reviewer, requested_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (repo, number, reviewer) DO UPDATE SET requested_at = EXCLUDED.requested_at
       WHERE pr_review_requests.requested_at < EXCLUDED.requested_at`,
      [repo, number, reviewer, at],
    );
}

/** A deployment's normalized row, whatever signalled it (GitHub Deployments, workflow runs, releases). */
export interface DeploymentRow {
  source: string;
  id: string;
  repo: string;
  environment: string;
  sha: string;
  ref: string;
  createdAt: string;
  finishedAt: string | null;
  state: string;
  /** Deployments of one pipeline count once (an Actions run, a release, a deployment id). */
  pipeline: string;
}

/**
 * Stores a deployment's row. Its state only moves forward: once successful it stays so (a re-run that fails, a
 * late `in_progress`), and a later success of the same pipeline (a re-run) moves the finish to the last one.
 */
export async function upsertDeploymentRow(db: Queryable, row: DeploymentRow): Promise<void> {
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state, pipeline)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (source, external_id) DO UPDATE SET
       state = CASE WHEN deployments.state = 'success' THEN 'success' ELSE EXCLUDED.state END,
       finished_at = CASE WHEN deployments.state = 'success' AND EXCLUDED.state <> 'success' THEN deployments.finished_at
                          ELSE EXCLUDED.finished_at END,
       pipeline = EXCLUDED.pipeline,
       -- a release stored at its branch name by an earlier version moves to its tag's commit
       sha = EXCLUDED.sha,
       renormalize = false`,
    [
      row.source,
      row.id,
      row.repo,
      row.environment,
      row.sha,
      row.ref,
      row.createdAt,
      row.finishedAt,
      row.state,
      row.pipeline,
    ],
  );
}

/**
 * One observed version of a deployment (all its statuses from polling, or one from a webhook): the statuses are
 * added to the ones already seen, the state is derived from all of them, and the raw event is kept.
 */
export async function saveDeployment(
  db: Db,
  repo: string,
  deployment: Deployment,
  statuses: DeploymentStatus[],
  raw: unknown,
): Promise<void> {
  const id = String(deployment.id);
  await db.transaction(async (tx) => {
    for (const s of statuses)
      await tx.query(
        `INSERT INTO deployment_statuses (source, external_id, status_id, state, created_at) VALUES ('github', $1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [id, s.id, s.state, s.created_at],
      );
    const seen = await tx.query<{ id: string; state: DeploymentStatus['state']; created_at: Date }>(
      `SELECT status_id AS id, state, created_at FROM deployment_statuses WHERE source = 'github' AND external_id = $1`,
      [id],
    );
    const all = seen.rows.map((s) => ({ id: Number(s.id), state: s.state, created_at: s.created_at.toISOString() }));
    const { state, finishedAt } = deploymentState(all);
    const known = await tx.query<{ pipeline: string | null }>(
      `SELECT pipeline FROM deployments WHERE source = 'github' AND external_id = $1`,
      [id],
    );
    const linked = deploymentPipeline(deployment.id, statuses);
    const pipeline = linked.startsWith('run:') ? linked : (known.rows[0]?.pipeline ?? linked);
    await insertEvents(tx, [deploymentEvent(repo, deployment, all, raw)]);
    // Derived from every status seen, so it replaces the row outright (no forward-only guard needed).
    await tx.query(
      `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state, pipeline)
       VALUES ('github', $1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source, external_id) DO UPDATE SET state = EXCLUDED.state, finished_at = EXCLUDED.finished_at,
         pipeline = EXCLUDED.pipeline, renormalize = false`,
      [
        id,
        repo,
        deployment.environment,
        deployment.sha,
        deployment.ref,
        deployment.created_at,
        finishedAt,
        state,
        pipeline,
      ],
    );
  });
}

/**
 * The order deployments follow within a repository and environment, here and in the reports: a deployment
 * shipped the commits between the previous one's sha and its own.
 */
export const DEPLOYMENT_ORDER = 'finished_at, source, external_id';
const FULL_SHA = '^[0-9a-f]{40}$';

/**
 * SQL over the successful deployments of the repository $1 at a known commit (`sha`, `finished_at`), each with the
 * commit of the one before it in its environment (`base`). Comparing ranges and deriving what shipped must read the
 * same sequence: a row without a commit (a branch name) left in one and not the other asks for a range never compared.
 */
const DEPLOYED_COMMITS = `
  SELECT sha, finished_at, lag(sha) OVER (PARTITION BY environment ORDER BY ${DEPLOYMENT_ORDER}) AS base
    FROM deployments WHERE repo = $1 AND state = 'success' AND finished_at IS NOT NULL AND sha ~ '${FULL_SHA}'`;

/** The commit each release of the repository is stored at, by release id: only those stored at a full sha. */
export async function releaseCommits(db: Queryable, repo: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ external_id: string; sha: string }>(
    `SELECT external_id, sha FROM deployments WHERE source = 'github-releases' AND repo = $1 AND sha ~ '${FULL_SHA}'`,
    [repo],
  );
  return new Map(rows.map((r) => [r.external_id, r.sha]));
}

/** Consecutive successful deployments of each environment whose commit range is not known yet. */
export async function rangesToCompare(db: Queryable, repo: string): Promise<{ base: string; head: string }[]> {
  const { rows } = await db.query<{ base: string; head: string }>(
    `SELECT DISTINCT base, sha AS head FROM (${DEPLOYED_COMMITS}) d
     WHERE base IS NOT NULL AND base <> sha
       AND NOT EXISTS (SELECT 1 FROM commit_ranges r WHERE r.repo = $1 AND r.base = d.base AND r.head = d.sha)`,
    [repo],
  );
  return rows;
}

export async function saveCommitRange(
  db: Queryable,
  repo: string,
  range: { base: string; head: string; status: string; shas: string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO commit_ranges (repo, base, head, status, shas) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (repo, base, head) DO NOTHING`,
    [repo, range.base, range.head, range.status, range.shas],
  );
}

/**
 * Re-derives when each merged PR of a repository shipped: the first successful deployment whose range (from the
 * previous deployment of its environment) holds the PR's merge commit; NULL while none does. Run after anything
 * that changes deployments, ranges or merge commits; it touches only the rows whose answer changed.
 */
export async function refreshShippedPullRequests(db: Queryable, repo: string): Promise<number> {
  const result = await db.query(
    `WITH d AS (${DEPLOYED_COMMITS}), shipped AS (
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

/** The people a pull request's commits name (GitHub login, commit e-mail and name), each once. */
export function commitIdentities(commits: Commit[]): Identity[] {
  const byKey = new Map<string, Identity>();
  for (const c of commits) {
    if (!c.author?.login) continue;
    const identity = { github: c.author.login, email: c.commit.author?.email, displayName: c.commit.author?.name };
    byKey.set(identityKey(identity), identity);
  }
  return [...byKey.values()];
}

export const identityKey = (i: Identity) => [i.github, i.email, i.displayName].map((v) => v ?? '').join('\u0000');

/**
 * A pull request's rows (its events are written by the caller): the PR, its reviews, its commit authors, and when its
 * review waits began (read from its timeline, for an open PR).
 */
export async function storePullRequestRows(
  db: Queryable,
  row: PullRequestRow,
  reviews: Review[],
  identities: Identity[],
  waits?: ReviewWaits,
): Promise<void> {
  await upsertPullRequest(db, row);
  for (const r of reviews) await upsertReview(db, row.repo, row.number, r);
  if (waits) await saveReviewWaits(db, row.repo, row.number, waits);
  // Commit e-mails tie a GitHub login to a person (and through e-mail, to Slack).
  for (const identity of identities) await recordIdentity(db, identity);
}

/**
 * The PRs of a list page already stored at (or past) the listed version by polling: fetching them again would change
 * nothing. A PR stored from a webhook alone (no commits, so no first-commit time) is not.
 */
export async function pullRequestsStoredAsListed(
  db: Queryable,
  repo: string,
  listed: Pick<PullRequest, 'number' | 'updated_at'>[],
): Promise<Set<number>> {
  if (!listed.length) return new Set<number>();
  const { rows } = await db.query<{ number: number; updated_at: Date }>(
    `SELECT number, updated_at FROM pull_requests
      WHERE repo = $1 AND number = ANY($2::int[]) AND first_commit_at IS NOT NULL`,
    [repo, listed.map((l) => l.number)],
  );
  const stored = new Map(rows.map((r) => [Number(r.number), r.updated_at.getTime()]));
  return new Set(
    listed.filter((l) => (stored.get(l.number) ?? -Infinity) >= Date.parse(l.updated_at)).map((l) => l.number),
  );
}

/** Ids of the repository's deployments that finished (their statuses need no reading again). */
export async function finishedDeploymentIds(db: Queryable, repo: string): Promise<Set<string>> {
  const { rows } = await db.query<{ external_id: string }>(
    "SELECT external_id FROM deployments WHERE source = 'github' AND repo = $1 AND finished_at IS NOT NULL",
    [repo],
  );
  return new Set(rows.map((r) => r.external_id));
}

/** Deployments needing their statuses read again: still running, or written by the old normalizer. */
export async function deploymentsToRecheck(db: Queryable, repo: string): Promise<number[]> {
  const { rows } = await db.query<{ external_id: string }>(
    `SELECT external_id FROM deployments WHERE source = 'github' AND repo = $1
        AND (renormalize OR (finished_at IS NULL AND created_at > now() - interval '1 day'))`,
    [repo],
  );
  return rows.map((r) => Number(r.external_id));
}

/** A deployment deleted on GitHub keeps what was stored; it is not asked for again. */
export async function stopRecheckingDeployment(db: Queryable, id: number): Promise<void> {
  await db.query("UPDATE deployments SET renormalize = false WHERE source = 'github' AND external_id = $1", [
    String(id),
  ]);
}

/** When each known CI run of the repository was last updated, by run id. */
export async function ciRunVersions(db: Queryable, repo: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ run_id: string; updated_at: Date }>(
    'SELECT run_id, updated_at FROM ci_runs WHERE repo = $1',
    [repo],
  );
  return new Map(rows.map((r) => [String(r.run_id), r.updated_at.getTime()]));
}

/** When one CI run was last updated as stored (ms), if it is. */
export async function ciRunUpdatedAt(db: Queryable, repo: string, runId: number): Promise<number | undefined> {
  const { rows } = await db.query<{ updated_at: Date }>(
    'SELECT updated_at FROM ci_runs WHERE repo = $1 AND run_id = $2',
    [repo, runId],
  );
  return rows[0] ? new Date(rows[0].updated_at).getTime() : undefined;
}

/** A completed run kept as a CI run; a newer state of the run is never overwritten by an older one. */
export async function saveCiRun(db: Queryable, repo: string, branch: string, run: WorkflowRun): Promise<void> {
  await db.query(
    `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at, url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (repo, run_id) DO UPDATE SET conclusion = EXCLUDED.conclusion, updated_at = EXCLUDED.updated_at
     WHERE ci_runs.updated_at <= EXCLUDED.updated_at`,
    [
      repo,
      run.id,
      run.name,
      run.head_branch ?? branch,
      run.head_sha,
      run.conclusion,
      run.created_at,
      run.updated_at,
      run.html_url ?? null,
    ],
  );
}

/** The repository's stored issues last updated at or after `since`: what GitHub's list from `since` should hold. */
export async function storedIssuesSince(
  db: Queryable,
  repo: string,
  since: string,
): Promise<{ key: string; updated_at: string }[]> {
  const { rows } = await db.query<{ key: string; updated_at: string }>(
    `SELECT key, updated_at FROM work_items
      WHERE source = 'github' AND type = 'issue' AND project = $1 AND updated_at >= $2`,
    [repo, since],
  );
  return rows;
}
