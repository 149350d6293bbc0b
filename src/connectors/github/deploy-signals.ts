import type { Queryable } from '../../store/db.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { isNotModified } from './client.js';
import { releaseSchema, type WorkflowRun, workflowRunSchema } from './schemas.js';
import { type DeploymentRow, upsertDeploymentRow } from './store.js';
import type { RepoSyncOptions } from './sync.js';

export interface DeploySignals {
  /** Completed workflow runs on the default branch whose name matches count as deployments. */
  workflow?: string;
  /** Published, non-draft, non-prerelease releases whose name or tag matches count as deployments. */
  release?: string;
}

interface SignalCursor {
  etag?: string;
  defaultBranch?: string;
}

async function saveCiRun(db: Queryable, repo: string, branch: string, run: WorkflowRun) {
  await db.query(
    `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at, url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (repo, run_id) DO UPDATE SET conclusion = EXCLUDED.conclusion, updated_at = EXCLUDED.updated_at`,
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
 * Completed workflow runs on the default branch (all kept as CI runs), and the deployments signalled by
 * matching workflow runs and/or releases, as configured. Conditional on the first page.
 */
export async function syncDeploySignals(
  options: RepoSyncOptions,
  signals: DeploySignals,
): Promise<{ stored: number; rejected: number }> {
  const { db, octokit, repo } = options;
  const [owner, name] = repo.split('/') as [string, string];
  let stored = 0;
  let rejected = 0;

  // Every completed default-branch run is kept (failing_main reads them); matching ones are also deployments.
  {
    const pattern = signals.workflow ? new RegExp(signals.workflow, 'i') : undefined;
    const cursor = (await getCursor<SignalCursor>(db, 'github', `${repo}:workflow-runs`)) ?? {};
    const defaultBranch =
      cursor.defaultBranch ??
      String((await octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name })).data.default_branch);
    let etag = cursor.etag;
    try {
      const response = await octokit.request('GET /repos/{owner}/{repo}/actions/runs', {
        owner,
        repo: name,
        branch: defaultBranch,
        status: 'completed',
        per_page: 100,
        headers: cursor.etag ? { 'if-none-match': cursor.etag } : {},
      });
      etag = String(response.headers.etag ?? '');
      for (const raw of response.data.workflow_runs as unknown[]) {
        const run = workflowRunSchema.safeParse(raw);
        if (!run.success) {
          rejected += 1;
          continue;
        }
        const r = run.data;
        if (Date.parse(r.created_at) < options.backfillSince.getTime()) continue;
        await saveCiRun(db, repo, defaultBranch, r);
        if (!pattern || !r.name || !pattern.test(r.name)) continue;
        const state =
          r.conclusion === 'success'
            ? 'success'
            : r.conclusion === 'cancelled' || r.conclusion === 'skipped'
              ? 'inactive'
              : 'failure';
        await db.transaction((tx) =>
          storeDeployment(
            tx,
            {
              source: 'github-actions',
              id: String(r.id),
              repo,
              environment: options.environment,
              sha: r.head_sha,
              ref: defaultBranch,
              createdAt: r.run_started_at ?? r.created_at,
              finishedAt: r.updated_at,
              state,
            },
            raw,
          ),
        );
        stored += 1;
      }
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
    await setCursor(db, 'github', `${repo}:workflow-runs`, { etag, defaultBranch });
  }

  if (signals.release) {
    const pattern = new RegExp(signals.release, 'i');
    const cursor = (await getCursor<SignalCursor>(db, 'github', `${repo}:releases`)) ?? {};
    let etag = cursor.etag;
    try {
      const response = await octokit.request('GET /repos/{owner}/{repo}/releases', {
        owner,
        repo: name,
        per_page: 100,
        headers: cursor.etag ? { 'if-none-match': cursor.etag } : {},
      });
      etag = String(response.headers.etag ?? '');
      for (const raw of response.data as unknown[]) {
        const release = releaseSchema.safeParse(raw);
        if (!release.success) {
          rejected += 1;
          continue;
        }
        const r = release.data;
        if (r.draft || r.prerelease || !r.published_at || !(pattern.test(r.name ?? '') || pattern.test(r.tag_name)))
          continue;
        if (Date.parse(r.published_at) < options.backfillSince.getTime()) continue;
        await db.transaction((tx) =>
          storeDeployment(
            tx,
            {
              source: 'github-releases',
              id: String(r.id),
              repo,
              environment: options.environment,
              sha: r.target_commitish,
              ref: r.tag_name,
              createdAt: r.created_at,
              finishedAt: r.published_at as string,
              state: 'success',
            },
            raw,
          ),
        );
        stored += 1;
      }
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
    await setCursor(db, 'github', `${repo}:releases`, { etag });
  }
  return { stored, rejected };
}
