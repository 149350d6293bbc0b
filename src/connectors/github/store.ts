import type { Db, Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { deploymentEvent, deploymentPipeline, deploymentState, type PullRequestRow } from './normalize.js';
import type { Deployment, DeploymentStatus, Review } from './schemas.js';

export async function upsertPullRequest(db: Queryable, row: PullRequestRow): Promise<void> {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, closed_at,
       head_ref, base_ref, additions, deletions, changed_files, requested_reviewers, labels, ticket_keys, first_commit_at, url,
       merge_commit_sha, milestone, merged_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
     ON CONFLICT (repo, number) DO UPDATE SET
       title = EXCLUDED.title, author = EXCLUDED.author, state = EXCLUDED.state, draft = EXCLUDED.draft,
       updated_at = EXCLUDED.updated_at, merged_at = EXCLUDED.merged_at, closed_at = EXCLUDED.closed_at,
       head_ref = EXCLUDED.head_ref, base_ref = EXCLUDED.base_ref, additions = EXCLUDED.additions,
       deletions = EXCLUDED.deletions, changed_files = EXCLUDED.changed_files,
       requested_reviewers = EXCLUDED.requested_reviewers, labels = EXCLUDED.labels,
       ticket_keys = EXCLUDED.ticket_keys, url = EXCLUDED.url, milestone = EXCLUDED.milestone,
       -- a webhook carries no commits: keep the first-commit time polling found
       first_commit_at = COALESCE(EXCLUDED.first_commit_at, pull_requests.first_commit_at),
       merge_commit_sha = COALESCE(EXCLUDED.merge_commit_sha, pull_requests.merge_commit_sha),
       merged_by = COALESCE(EXCLUDED.merged_by, pull_requests.merged_by)
     WHERE pull_requests.updated_at <= EXCLUDED.updated_at`,
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
    ],
  );
}

export async function upsertReview(db: Queryable, repo: string, number: number, review: Review): Promise<void> {
  await db.query(
    `INSERT INTO pr_reviews (repo, number, review_id, reviewer, state, submitted_at) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (repo, review_id) DO UPDATE SET state = EXCLUDED.state, submitted_at = EXCLUDED.submitted_at`,
    [repo, number, review.id, review.user?.login ?? null, review.state, review.submitted_at ?? null],
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
