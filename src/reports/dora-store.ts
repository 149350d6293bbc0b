import type { Queryable } from '../store/db.js';

// The DORA reads (see dora.ts for what each key means). Every read takes the window as $1 (from) and $2 (to), and
// the repositories it is limited to, if any, as $3.

/** The half-open window [from, to) a read covers, optionally only some repositories. */
export interface DoraRange {
  from: Date;
  to: Date;
  repos?: string[];
}

export type DoraEvidenceMetric =
  | 'lead_time_hours'
  | 'change_failure_rate'
  | 'time_to_restore_hours'
  | 'pr_cycle_time_hours'
  | 'deployment_frequency_per_week';

/** A row behind a metric; `value` may come back as numeric text. */
export interface DoraEvidenceRow {
  label: string;
  url: string | null;
  value: number | string;
}

const rangeParams = (range: DoraRange) => [range.from, range.to, range.repos ?? null];

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

// The deployment each incident counts against, for the incidents opened (or resolved) in the window: the one a person
// confirmed, else the latest successful one that finished at or before the incident opened: of its repository for a
// GitHub issue; of the affected service's repository for one declared in Slack (owner/name or name, as the co-pilot
// suggests it), of any repository when none has that name.
/** SQL: whether a repository serves an affected service (named owner/name, or by its name alone). */
export const servesService = (repo: string, service: string) =>
  `(lower(${repo}) = lower(${service}) OR split_part(lower(${repo}), '/', 2) = lower(${service}))`;
const incidentDeployments = (where: string) => `
  SELECT i.source, i.external_id, i.title, i.url, i.opened_at, i.resolved_at, ir.visible_in,
         coalesce(c.repo, g.repo) || ' ' || coalesce(c.pipeline, c.source || ':' || c.external_id,
                                                     g.pipeline, g.source || ':' || g.external_id) AS dep_pipeline,
         coalesce(c.external_id, g.external_id) AS dep_id,
         coalesce(c.finished_at, g.finished_at) AS dep_finished_at, coalesce(c.repo, g.repo) AS dep_repo
    FROM incidents i
    LEFT JOIN incident_rooms ir ON ir.source = i.source AND ir.incident_id = i.external_id
    LEFT JOIN deployments c ON i.caused_by_source IS NOT NULL AND c.source = i.caused_by_source
                           AND c.external_id = i.caused_by_id AND c.state = 'success'
    LEFT JOIN LATERAL (
      SELECT d.source, d.external_id, d.finished_at, d.repo, d.pipeline FROM deployments d
       WHERE i.caused_by_source IS NULL AND d.state = 'success' AND d.finished_at <= i.opened_at
         AND (CASE WHEN i.source = 'github' THEN d.repo = i.scope
                   WHEN i.source = 'slack' AND i.scope IS NOT NULL AND EXISTS (
                     SELECT 1 FROM deployments s WHERE s.state = 'success' AND ${servesService('s.repo', 'i.scope')})
                     THEN ${servesService('d.repo', 'i.scope')}
                   ELSE true END)
       ORDER BY d.finished_at DESC LIMIT 1
    ) g ON true
   WHERE ${where}`;

const RESOLVED_IN_WINDOW = 'i.resolved_at >= $1 AND i.resolved_at < $2';

// The incidents that may count against the window's deployments: any opened since it began (a deployment of the
// window fails also when its incident comes later), each marked whether its deployment is one of the window's
// pipelines, so that failures are a subset of the deployments counted.
const FAILURE_CANDIDATES = `
  SELECT x.*, x.dep_pipeline IN (SELECT repo || ' ' || pipeline FROM (${PIPELINES}) p) AS dep_in_window
    FROM (${incidentDeployments('i.opened_at >= $1')}) x`;

/** The week (0 to weeks - 1, in $4) of the window a timestamp falls in; the last week takes any remainder. */
const weekOf = (column: string) =>
  `least(floor(extract(epoch FROM ${column} - $1::timestamptz) / 604800)::int, $4::int - 1)`;

/** Per week of the window that had any: deployments (pipelines) and the days with one (in `timezone`), in one pass. */
export async function pipelinesPerWeek(
  db: Queryable,
  range: DoraRange,
  weeks: number,
  timezone: string,
): Promise<{ week: number; days: number; n: number }[]> {
  const { rows } = await db.query<{ week: number; days: number; n: number }>(
    `SELECT ${weekOf('finished_at')} AS week,
              count(DISTINCT (finished_at AT TIME ZONE $5)::date)::int AS days, count(*)::int AS n
         FROM (${PIPELINES}) p
        GROUP BY 1`,
    [...rangeParams(range), weeks, timezone],
  );
  return rows;
}

/** Median hours from a shipped PR's first commit (else its merge) to its deployment. */
export async function medianLeadTimeHours(db: Queryable, range: DoraRange): Promise<number | null> {
  const { rows } = await db.query<{ hours: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600) AS hours
         FROM (${SHIPPED_PRS}) shipped
        WHERE deployed_at > coalesce(first_commit_at, merged_at)`,
    rangeParams(range),
  );
  return rows[0]?.hours ?? null;
}

/**
 * Incidents opened in the window, the distinct deployments they count against (failed) and the median hours from
 * that deployment to the resolution (recovery).
 */
export async function incidentFailures(
  db: Queryable,
  range: DoraRange,
): Promise<{ failed: number; incidents: number; recovery: number | null } | undefined> {
  const { rows } = await db.query<{ failed: number; incidents: number; recovery: number | null }>(
    `SELECT count(DISTINCT dep_pipeline) FILTER (WHERE dep_in_window)::int AS failed,
              count(*) FILTER (WHERE opened_at < $2)::int AS incidents,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - dep_finished_at) / 3600)
                FILTER (WHERE dep_in_window AND resolved_at IS NOT NULL) AS recovery
         FROM (${FAILURE_CANDIDATES}) x
        -- Incidents link to deployments org-wide; a repository's figures count the ones linked to its deployments.
        WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[])`,
    rangeParams(range),
  );
  return rows[0];
}

/** Median hours from opening to resolution of the incidents resolved in the window. */
export async function medianTimeToRestoreHours(db: Queryable, range: DoraRange): Promise<number | null> {
  const { rows } = await db.query<{ hours: number | null }>(
    // A team's or repository's time to restore counts the incidents its deployments caused, as failures do.
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at) / 3600) AS hours
         FROM (${incidentDeployments(RESOLVED_IN_WINDOW)}) x
        WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[])`,
    rangeParams(range),
  );
  return rows[0]?.hours ?? null;
}

/** Median hours from opening to merge of the pull requests merged in the window. */
export async function medianPrCycleTimeHours(db: Queryable, range: DoraRange): Promise<number | null> {
  const { rows } = await db.query<{ hours: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at) / 3600) AS hours
         FROM pull_requests WHERE merged_at >= $1 AND merged_at < $2 AND ${repoFilter('$3')}`,
    rangeParams(range),
  );
  return rows[0]?.hours ?? null;
}

// An alert's evidence goes to channels and digests: a private incident counts, but is not named there.
const INCIDENT_LABEL = `CASE WHEN visible_in IS NULL THEN external_id || ' ' || title ELSE 'a private incident' END AS label,
  CASE WHEN visible_in IS NULL THEN url END AS url`;

const EVIDENCE: Record<DoraEvidenceMetric, string> = {
  lead_time_hours: `SELECT repo || '#' || number || ' ' || title AS label, url,
                extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600 AS value
           FROM (${SHIPPED_PRS}) shipped ORDER BY value DESC LIMIT $4`,
  pr_cycle_time_hours: `SELECT repo || '#' || number || ' ' || title AS label, url, extract(epoch FROM merged_at - created_at) / 3600 AS value
           FROM pull_requests WHERE merged_at >= $1 AND merged_at < $2 AND ${repoFilter('$3')}
          ORDER BY value DESC LIMIT $4`,
  change_failure_rate: `SELECT ${INCIDENT_LABEL}, 1 AS value FROM (${FAILURE_CANDIDATES}) x
          WHERE dep_in_window AND ($3::text[] IS NULL OR dep_repo = ANY($3::text[]))
          ORDER BY opened_at DESC LIMIT $4`,
  time_to_restore_hours: `SELECT ${INCIDENT_LABEL}, extract(epoch FROM resolved_at - opened_at) / 3600 AS value
           FROM (${incidentDeployments(RESOLVED_IN_WINDOW)}) x
          WHERE $3::text[] IS NULL OR dep_repo = ANY($3::text[]) ORDER BY value DESC LIMIT $4`,
  deployment_frequency_per_week: `SELECT repo || ' ' || coalesce(ref, sha, external_id) AS label, NULL AS url, 1 AS value FROM deployments
          WHERE state = 'success' AND finished_at >= $1 AND finished_at < $2 AND ${repoFilter('$3')}
          ORDER BY finished_at DESC LIMIT $4`,
};

/** Up to `limit` rows behind a metric: the slowest first (the latest first for counts). */
export async function doraEvidenceRows(
  db: Queryable,
  metric: DoraEvidenceMetric,
  range: DoraRange,
  limit: number,
): Promise<DoraEvidenceRow[]> {
  const { rows } = await db.query<DoraEvidenceRow>(EVIDENCE[metric], [...rangeParams(range), limit]);
  return rows;
}

/** Per week of the window that had any (0 to weeks - 1): deployments (pipelines). */
export async function pipelinesByWeek(
  db: Queryable,
  range: DoraRange,
  weeks: number,
): Promise<{ week: number; n: number }[]> {
  const { rows } = await db.query<{ week: number; n: number }>(
    `SELECT ${weekOf('finished_at')} AS week, count(*)::int AS n FROM (${PIPELINES}) p GROUP BY 1`,
    [...rangeParams(range), weeks],
  );
  return rows;
}

/** Per week of the window that had any (0 to weeks - 1): the median lead time of the PRs shipped. */
export async function leadTimeByWeek(
  db: Queryable,
  range: DoraRange,
  weeks: number,
): Promise<{ week: number; hours: number | null }[]> {
  const { rows } = await db.query<{ week: number; hours: number | null }>(
    `SELECT ${weekOf('deployed_at')} AS week,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM deployed_at - coalesce(first_commit_at, merged_at)) / 3600) AS hours
       FROM (${SHIPPED_PRS}) shipped WHERE deployed_at > coalesce(first_commit_at, merged_at) GROUP BY 1`,
    [...rangeParams(range), weeks],
  );
  return rows;
}

/**
 * The `limit` repositories with the most successful deployments and merged PRs in [from, to), most first (then by
 * name), among `repos` when given.
 */
export async function busiestRepos(
  db: Queryable,
  from: Date,
  to: Date,
  limit: number,
  repos: string[] | null,
): Promise<string[]> {
  const { rows } = await db.query<{ repo: string }>(
    `SELECT repo FROM (
       SELECT repo, count(*) AS n FROM deployments WHERE state = 'success' AND finished_at >= $1 AND finished_at < $2 GROUP BY repo
       UNION ALL
       SELECT repo, count(*) FROM pull_requests WHERE merged_at >= $1 AND merged_at < $2 GROUP BY repo
     ) x WHERE $4::text[] IS NULL OR repo = ANY($4::text[]) GROUP BY repo ORDER BY sum(n) DESC, repo LIMIT $3`,
    [from, to, limit, repos],
  );
  return rows.map((r) => r.repo);
}
