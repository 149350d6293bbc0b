// What one repository's sync is given: shared by sync.ts and the passes it runs (issues, deploy signals), so that
// those passes need not import sync.ts back.
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import type { SyncPace } from '../../sync/ingest.js';
import type { GitHubOctokit } from './client.js';

export interface DeploySignals {
  /** Completed workflow runs on the default branch whose name matches count as deployments. */
  workflow?: string;
  /** Published, non-draft, non-prerelease releases whose name or tag matches count as deployments. */
  release?: string;
}

export interface RepoSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  octokit: GitHubOctokit;
  repo: string;
  environment: string;
  /** How far back the first sync reaches. */
  backfillSince: Date;
  /** Workflow runs and/or releases that also count as production deployments. */
  signals?: DeploySignals;
  /** Also sync the repository's issues as work items (default true). */
  issues?: boolean;
}
