import type { Queryable } from '../store/db.js';

/**
 * DORA four keys (and PR cycle time) over a window, as Apache DevLake's 2023 report defines them:
 * - a deployment is a pipeline (an Actions run, a release, else a deployment id) with a successful production
 *   deployment, dated by its last successful finish; a GitHub deployment succeeded if any of its statuses is `success`;
 * - lead time: deployment finish minus the PR's first commit (survives squash merges); a merged PR ships with the
 *   first successful deployment whose commit range (compare with the previous deployment) holds its merge commit;
 * - change failure rate: deployments with at least one incident / all deployments; an incident belongs to the
 *   deployment a person confirmed, otherwise to the latest deployment finished before it opened (same repo when known);
 * - time to restore: median of incident resolution minus opening.
 */
export interface DoraWindow {
  from: Date;
  to: Date;
  repos?: string[];
  /** Where a day starts, for deployment days (default UTC). */
  timezone?: string;
}

export interface DoraMetrics {
  /**
   * Pipelines with a successful production deployment in the window: several deployments of one pipeline (one
   * Actions run, re-runs included) count once; two pipelines deploying one commit count twice.
   */
  deployments: number;
  deploymentFrequencyPerWeek: number;
  /** Median, over the window's weeks, of the days that had at least one deployment. */
  deploymentDaysPerWeek: number;
  deploymentsPerMonth: number;
  leadTimeHours: number | null;
  changeFailureRate: number | null;
  /** Deployments with at least one incident linked. */
  failedDeployments: number;
  /** 2021 "time to restore": median of incident resolution minus opening. */
  timeToRestoreHours: number | null;
  /** 2023 "failed deployment recovery time": median of incident resolution minus the causing deployment's finish. */
  recoveryHours: number | null;
  incidents: number;
  prCycleTimeHours: number | null;
}

/** A row behind a metric, for drill-down. */
export interface DoraEvidence {
  label: string;
  url: string | null;
  value: number;
}

const repoFilter = (param: string) => `(${param}::text[] IS NULL OR repo = ANY(${param}::text[]))`;

// One row per pipeline (an Actions run, a release, else a deployment id) with a successful production deployment,
// dated by its last successful finish. Deployments of one pipeline lie within a day of each other, which lets the
// window be narrowed before grouping.
const PIPELINES = `
  SELECT repo, pipeline, finished_at FROM (
    SELECT repo, coalesce(pipeline, source || ':' || external_id) AS pipeline, max(finished_at) AS finished_at
      FROM deployments
     WHERE state = 'success' AND finished_at >= $1::timestamptz - interval '1 day'
       AND finished_at < $2::timestamptz + interval '1 day' AND ${repoFilter('$3')}
     GROUP BY 1, 2
  ) p
  WHERE finished_at >= $1 AND finished_at < $2`;

// A merged PR ships with the first successful deployment whose commit contains its merge commit: each deployment
// shipped the commits GitHub's compare lists between the previous successful deployment of its repository and
// environment and itself (commit_ranges). A rollback ("behind") ships nothing; a PR no range holds is not deployed.
// The sync keeps pull_requests.deployed_at up to date with that rule (refreshShippedPullRequests).
const SHIPPED_PRS = `
  SELECT repo, number, title, url, merged_at, first_commit_at, deployed_at
    FROM pull_requests
   WHERE deployed_at >= $1 AND deployed_at < $2 AND ${repoFilter('$3')}`;

// The deployment each incident counts against, for the incidents opened (or resolved) in the window: the one a person confirmed, else the latest successful one that
// finished at or before the incident opened (of the same repository when the incident names one).
const incidentDeployments = (dated: 'opened_at' | 'resolved_at') => `
  SELECT i.source, i.external_id, i.title, i.url, i.opened_at, i.resolved_at,
         coalesce(c.repo, g.repo) || ' ' || coalesce(c.pipeline, c.source || ':' || c.external_id,
                                                     g.pipeline, g.source || ':' || g.external_id) AS dep_pipeline,
         coalesce(c.external_id, g.external_id) AS dep_id,
         coalesce(c.finished_at, g.finished_at) AS dep_finished_at, coalesce(c.repo, g.repo) AS dep_repo
    FROM incidents i
    LEFT JOIN deployments c ON i.caused_by_source IS NOT NULL AND c.source = i.caused_by_source
                           AND c.external_id = i.caused_by_id AND c.state = 'success'
    LEFT JOIN LATERAL (
      SELECT d.source, d.external_id, d.finished_at, d.repo, d.pipeline FROM deployments d
       WHERE i.caused_by_source IS NULL AND d.state = 'success' AND d.finished_at <= i.opened_at
         AND (i.source <> 'github' OR d.repo = i.scope)
       ORDER BY d.finished_at DESC LIMIT 1
    ) g ON true
   WHERE i.${dated} >= $1 AND i.${dated} < $2`;

/** The plain median: for an even count, the mean of the two middle values (as SQL's percentile_cont(0.5)). */
const median = (values: number[]) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export async function doraMetrics(db: Queryable, window: DoraWindow): Promise<DoraMetrics> {
  const params = [window.from, window.to, window.repos ?? null];
  const windowMs = window.to.getTime() - window.from.getTime();
  const weeks = windowMs / (7 * 86_400_000);
  const fullWeeks = Math.max(1, Math.round(weeks));
  // Independent reads, sent together: a PostgreSQL pool runs them side by side (PGlite one after the other).
  const [perWeek, lead, failures, restore, cycle] = await Promise.all([
    // Deployments (pipelines) and deployment days per week, in one pass.
    db.query<{ week: number; days: number; n: number }>(
      `SELECT least(floor(extract(epoch FROM finished_at - $1::timestamptz) / 604800)::int, $4::int - 1) AS week,
              count(DISTINCT (finished_at AT TIME ZONE $5)::date)::int AS days, count(*)::int AS n
         FROM (${PIPELINES}) p
        GROUP BY 1`,
      [...params, fullWeeks, window.timezone ?? 'UTC'],
    ),
    db.query<{ hours: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600) AS hours
         FROM (${SHIPPED_PRS}) shipped
        WHERE deployed_at > coalesce(first_commit_at, merged_at)`,
      params,
    ),
    db.query<{ failed: number; incidents: number; recovery: number | null }>(
      `SELECT count(DISTINCT dep_pipeline) FILTER (WHERE dep_id IS NOT NULL)::int AS failed,
              count(*)::int AS incidents,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - dep_finished_at) / 3600)
                FILTER (WHERE dep_id IS NOT NULL AND resolved_at IS NOT NULL) AS recovery
         FROM (${incidentDeployments('opened_at')}) x
        -- Incidents link to deployments org-wide; a repository's figures count the ones linked to its deployments.
        WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[])`,
      params,
    ),
    db.query<{ hours: number | null }>(
      // A team's or repository's time to restore counts the incidents its deployments caused, as failures do.
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at) / 3600) AS hours
         FROM (${incidentDeployments('resolved_at')}) x
        WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[])`,
      params,
    ),
    db.query<{ hours: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at) / 3600) AS hours
         FROM pull_requests WHERE merged_at >= $1 AND merged_at < $2 AND ${repoFilter('$3')}`,
      params,
    ),
  ]);
  const daysByWeek = Array.from({ length: fullWeeks }, (_, i) => perWeek.rows.find((r) => r.week === i)?.days ?? 0);
  const count = perWeek.rows.reduce((sum, r) => sum + r.n, 0);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const failed = failures.rows[0]?.failed ?? 0;
  return {
    deployments: count,
    deploymentFrequencyPerWeek: weeks > 0 ? count / weeks : 0,
    deploymentDaysPerWeek: median(daysByWeek) ?? 0,
    deploymentsPerMonth: windowMs > 0 ? count / (windowMs / (30 * 86_400_000)) : 0,
    leadTimeHours: num(lead.rows[0]?.hours),
    changeFailureRate: count ? Math.min(1, failed / count) : null,
    failedDeployments: failed,
    timeToRestoreHours: num(restore.rows[0]?.hours),
    recoveryHours: num(failures.rows[0]?.recovery),
    incidents: failures.rows[0]?.incidents ?? 0,
    prCycleTimeHours: num(cycle.rows[0]?.hours),
  };
}

/** The rows behind a metric (slowest first), so an alert can show what moved it. */
export async function doraEvidence(
  db: Queryable,
  metric:
    | 'lead_time_hours'
    | 'change_failure_rate'
    | 'time_to_restore_hours'
    | 'pr_cycle_time_hours'
    | 'deployment_frequency_per_week',
  window: DoraWindow,
  limit = 5,
): Promise<DoraEvidence[]> {
  const params = [window.from, window.to, window.repos ?? null, limit];
  const rows = async (sql: string, p: unknown[] = params) =>
    (await db.query<{ label: string; url: string | null; value: number }>(sql, p)).rows.map((r) => ({
      ...r,
      value: Number(r.value),
    }));
  switch (metric) {
    case 'lead_time_hours':
      return rows(
        `SELECT repo || '#' || number || ' ' || title AS label, url,
                extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600 AS value
           FROM (${SHIPPED_PRS}) shipped ORDER BY value DESC LIMIT $4`,
      );
    case 'pr_cycle_time_hours':
      return rows(
        `SELECT repo || '#' || number || ' ' || title AS label, url, extract(epoch FROM merged_at - created_at) / 3600 AS value
           FROM pull_requests WHERE merged_at >= $1 AND merged_at < $2 AND ${repoFilter('$3')}
          ORDER BY value DESC LIMIT $4`,
      );
    case 'change_failure_rate':
      return rows(
        `SELECT external_id || ' ' || title AS label, url, 1 AS value FROM (${incidentDeployments('opened_at')}) x
          WHERE dep_id IS NOT NULL AND ($3::text[] IS NULL OR dep_repo = ANY($3::text[]))
          ORDER BY opened_at DESC LIMIT $4`,
      );
    case 'time_to_restore_hours':
      return rows(
        `SELECT external_id || ' ' || title AS label, url, extract(epoch FROM resolved_at - opened_at) / 3600 AS value
           FROM (${incidentDeployments('resolved_at')}) x
          WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[]) ORDER BY value DESC LIMIT $4`,
      );
    case 'deployment_frequency_per_week':
      return rows(
        `SELECT repo || ' ' || coalesce(ref, sha, external_id) AS label, NULL AS url, 1 AS value FROM deployments
          WHERE state = 'success' AND finished_at >= $1 AND finished_at < $2 AND ${repoFilter('$3')}
          ORDER BY finished_at DESC LIMIT $4`,
      );
  }
}

/** Per week of the window: distinct deployments and the median lead time of the PRs they shipped. */
export async function doraTrend(
  db: Queryable,
  window: DoraWindow,
): Promise<{ week: string; deployments: number; leadTimeHours: number | null }[]> {
  const weeks = Math.max(1, Math.round((window.to.getTime() - window.from.getTime()) / (7 * 86_400_000)));
  const params = [window.from, window.to, window.repos ?? null, weeks];
  const bucket = (column: string) =>
    `least(floor(extract(epoch FROM ${column} - $1::timestamptz) / 604800)::int, $4::int - 1)`;
  const deployments = await db.query<{ week: number; n: number }>(
    `SELECT ${bucket('finished_at')} AS week, count(*)::int AS n FROM (${PIPELINES}) p GROUP BY 1`,
    params,
  );
  const lead = await db.query<{ week: number; hours: number | null }>(
    `SELECT ${bucket('deployed_at')} AS week,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600) AS hours
       FROM (${SHIPPED_PRS}) shipped WHERE deployed_at > coalesce(first_commit_at, merged_at) GROUP BY 1`,
    params,
  );
  return Array.from({ length: weeks }, (_, i) => ({
    week: new Date(window.from.getTime() + i * 7 * 86_400_000).toISOString().slice(0, 10),
    deployments: deployments.rows.find((r) => r.week === i)?.n ?? 0,
    leadTimeHours: ((h) => (h === null || h === undefined ? null : Math.round(Number(h) * 10) / 10))(
      lead.rows.find((r) => r.week === i)?.hours,
    ),
  }));
}
