import type { Queryable } from '../../store/db.js';
import { conditionalFirstPage } from '../../sync/conditional.js';
import { IngestRun } from '../../sync/ingest.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { hasNextPage, PER_PAGE } from './client.js';
import { releaseSchema, type WorkflowRun, workflowRunSchema } from './schemas.js';
import { ciRunVersions, type DeploymentRow, releaseCommits, saveCiRun, upsertDeploymentRow } from './store.js';
import type { DeploySignals, RepoSyncOptions } from './sync-options.js';
import { tagCommit } from './tag-commit.js';

export type { DeploySignals } from './sync-options.js';

interface SignalCursor {
  etag?: string;
  defaultBranch?: string;
  /** The repository's own ETag: a renamed default branch is noticed by a conditional request that is free otherwise. */
  repoEtag?: string;
}

interface ReleasesCursor {
  etag?: string;
  /**
   * Set once the list was read by a version that stores each release at its tag's commit: releases stored before
   * (at their branch name) are read once more to be put at their commit.
   */
  tagCommits?: boolean;
}

/** A run's conclusion as a deployment state (timed_out and startup failures are failures). */
function runState(conclusion: string | null): string {
  if (conclusion === 'success') return 'success';
  if (conclusion === 'cancelled' || conclusion === 'skipped') return 'inactive';
  return 'failure';
}

async function readDefaultBranch(
  options: RepoSyncOptions,
  cursor: SignalCursor,
): Promise<{ name: string; etag?: string }> {
  const [owner, name] = options.repo.split('/') as [string, string];
  const first = await conditionalFirstPage(cursor.defaultBranch ? cursor.repoEtag : undefined, (headers) =>
    options.octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name, headers }),
  );
  if (!first) return { name: cursor.defaultBranch as string, etag: cursor.repoEtag };
  return { name: String(first.response.data.default_branch), etag: first.etag ?? '' };
}

async function storeDeployment(db: Queryable, row: DeploymentRow & { finishedAt: string }, raw: unknown) {
  await insertEvents(db, [
    {
      source: row.source,
      kind: 'deployment',
      externalId: `${row.repo}/${row.id}@${row.state}`,
      occurredAt: row.finishedAt,
      subject: row.repo,
      normalized: { environment: row.environment, sha: row.sha, state: row.state },
      raw,
    },
  ]);
  await upsertDeploymentRow(db, row);
}

/**
 * A completed run on the default branch (poll or webhook; call it in a transaction): kept as a CI run (a newer
 * state of the run is never overwritten by an older one); when its name matches the deployment workflow, also a
 * deployment. True when it was a deployment.
 */
export async function storeWorkflowRun(
  db: Queryable,
  scope: { repo: string; defaultBranch: string; pattern?: RegExp; environment: string },
  r: WorkflowRun,
  raw: unknown,
): Promise<boolean> {
  const { repo, pattern } = scope;
  await saveCiRun(db, repo, scope.defaultBranch, r);
  if (!pattern || !r.name || !pattern.test(r.name)) return false;
  await storeDeployment(
    db,
    {
      source: 'github-actions',
      id: String(r.id),
      repo,
      environment: scope.environment,
      sha: r.head_sha,
      ref: scope.defaultBranch,
      createdAt: r.run_started_at ?? r.created_at,
      // A re-run keeps the run id: one pipeline, dated by its last finish.
      finishedAt: r.updated_at,
      state: runState(r.conclusion),
      pipeline: `run:${r.id}`,
    },
    raw,
  );
  return true;
}

/**
 * Completed workflow runs on the default branch (all kept as CI runs), and the deployments signalled by
 * matching workflow runs and/or releases, as configured. Conditional on the first page.
 */
export async function syncDeploySignals(
  options: RepoSyncOptions,
  signals: DeploySignals,
): Promise<{ stored: number; rejected: number }> {
  const { db, octokit, repo } = options;
  const run = new IngestRun(db, options.logger, { repo }, options);
  const [owner, name] = repo.split('/') as [string, string];

  // Every completed default-branch run is kept (failing_main reads them); matching ones are also deployments.
  {
    const pattern = signals.workflow ? new RegExp(signals.workflow, 'i') : undefined;
    const cursor = (await getCursor<SignalCursor>(db, 'github', `${repo}:workflow-runs`)) ?? {};
    const defaultBranch = await readDefaultBranch(options, cursor);
    let etag = cursor.defaultBranch === defaultBranch.name ? cursor.etag : undefined;
    const seen = await ciRunVersions(db, repo);
    // Newest first, page after page, while a page still holds runs that are new or changed (a re-run keeps its id
    // and moves updated_at) and younger than the backfill.
    for (let page = 1; ; page += 1) {
      run.stopIfStopping();
      const first = await conditionalFirstPage(page === 1 ? etag : undefined, (headers) =>
        octokit.request('GET /repos/{owner}/{repo}/actions/runs', {
          owner,
          repo: name,
          branch: defaultBranch.name,
          status: 'completed',
          per_page: PER_PAGE,
          page,
          headers,
        }),
      );
      if (!first) break;
      if (page === 1) etag = first.etag ?? '';
      let fresh = 0;
      let old = false;
      const runs = first.response.data.workflow_runs as unknown[];
      for (const { value: r, raw } of run.valid(workflowRunSchema, runs, idOf, 'workflow run')) {
        if (Date.parse(r.created_at) < options.backfillSince.getTime()) {
          old = true;
          continue;
        }
        if ((seen.get(String(r.id)) ?? -Infinity) >= Date.parse(r.updated_at)) continue;
        fresh += 1;
        const scope = { repo, defaultBranch: defaultBranch.name, pattern, environment: options.environment };
        if (await db.transaction((tx) => storeWorkflowRun(tx, scope, r, raw))) run.stored += 1;
      }
      if (old || fresh === 0 || !hasNextPage(first.response.headers as Record<string, unknown>)) break;
      await options.heartbeat?.();
    }
    await setCursor(db, 'github', `${repo}:workflow-runs`, {
      etag,
      defaultBranch: defaultBranch.name,
      repoEtag: defaultBranch.etag,
    });
  }

  if (signals.release) {
    const pattern = new RegExp(signals.release, 'i');
    const cursor = (await getCursor<ReleasesCursor>(db, 'github', `${repo}:releases`)) ?? {};
    const first = await conditionalFirstPage(cursor.tagCommits ? cursor.etag : undefined, (headers) =>
      octokit.request('GET /repos/{owner}/{repo}/releases', { owner, repo: name, per_page: 100, headers }),
    );
    const releases = first ? run.valid(releaseSchema, first.response.data as unknown[], idOf, 'release') : [];
    // A tag is resolved once: the list is read again whenever a release is added.
    const resolved = await releaseCommits(db, repo);
    for (const { value: r, raw } of releases) {
      if (r.draft || r.prerelease || !r.published_at || !(pattern.test(r.name ?? '') || pattern.test(r.tag_name)))
        continue;
      if (Date.parse(r.published_at) < options.backfillSince.getTime()) continue;
      // Without its tag (deleted since), the release still counts as a deployment; what it shipped stays unknown.
      const sha = resolved.get(String(r.id)) ?? (await tagCommit(octokit, repo, r.tag_name)) ?? r.target_commitish;
      await db.transaction((tx) =>
        storeDeployment(
          tx,
          {
            source: 'github-releases',
            id: String(r.id),
            repo,
            environment: options.environment,
            sha,
            ref: r.tag_name,
            createdAt: r.created_at,
            finishedAt: r.published_at as string,
            state: 'success',
            pipeline: `release:${r.id}`,
          },
          raw,
        ),
      );
      run.stored += 1;
    }
    await setCursor(db, 'github', `${repo}:releases`, {
      etag: first ? (first.etag ?? '') : cursor.etag,
      tagCommits: true,
    });
  }
  return { stored: run.stored, rejected: run.rejected };
}

const idOf = (raw: unknown) => (raw as { id?: unknown } | null)?.id;
