import type { Db, Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { deploymentEvent, deploymentState, type PullRequestRow } from './normalize.js';
import type { Deployment, DeploymentStatus, Review } from './schemas.js';

export async function upsertPullRequest(db: Queryable, row: PullRequestRow): Promise<void> {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, closed_at,
       head_ref, base_ref, additions, deletions, changed_files, requested_reviewers, labels, ticket_keys, first_commit_at, url)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
     ON CONFLICT (repo, number) DO UPDATE SET
       title = EXCLUDED.title, author = EXCLUDED.author, state = EXCLUDED.state, draft = EXCLUDED.draft,
       updated_at = EXCLUDED.updated_at, merged_at = EXCLUDED.merged_at, closed_at = EXCLUDED.closed_at,
       head_ref = EXCLUDED.head_ref, base_ref = EXCLUDED.base_ref, additions = EXCLUDED.additions,
       deletions = EXCLUDED.deletions, changed_files = EXCLUDED.changed_files,
       requested_reviewers = EXCLUDED.requested_reviewers, labels = EXCLUDED.labels,
       ticket_keys = EXCLUDED.ticket_keys, url = EXCLUDED.url,
       -- a webhook carries no commits: keep the first-commit time polling found
       first_commit_at = COALESCE(EXCLUDED.first_commit_at, pull_requests.first_commit_at)
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
}

export async function upsertDeploymentRow(db: Queryable, row: DeploymentRow): Promise<void> {
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (source, external_id) DO UPDATE SET state = EXCLUDED.state, finished_at = EXCLUDED.finished_at`,
    [row.source, row.id, row.repo, row.environment, row.sha, row.ref, row.createdAt, row.finishedAt, row.state],
  );
}

export async function upsertDeployment(
  db: Queryable,
  repo: string,
  deployment: Deployment,
  state: string,
  finishedAt: string | null,
): Promise<void> {
  await upsertDeploymentRow(db, {
    source: 'github',
    id: String(deployment.id),
    repo,
    environment: deployment.environment,
    sha: deployment.sha,
    ref: deployment.ref,
    createdAt: deployment.created_at,
    finishedAt,
    state,
  });
}

/** One observed version of a deployment: its raw event and its normalized row, together. Polling and webhooks share it. */
export async function saveDeployment(
  db: Db,
  repo: string,
  deployment: Deployment,
  statuses: DeploymentStatus[],
  raw: unknown,
): Promise<void> {
  const { state, finishedAt } = deploymentState(statuses);
  await db.transaction(async (tx) => {
    await insertEvents(tx, [deploymentEvent(repo, deployment, statuses, raw)]);
    await upsertDeployment(tx, repo, deployment, state, finishedAt);
  });
}
