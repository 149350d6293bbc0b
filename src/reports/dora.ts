import { DateTime } from 'luxon';
import type { Queryable } from '../store/db.js';
import {
  type DoraEvidenceMetric,
  doraEvidenceRows,
  incidentFailures,
  leadTimeByWeek,
  medianLeadTimeHours,
  medianPrCycleTimeHours,
  medianTimeToRestoreHours,
  pipelinesByWeek,
  pipelinesPerWeek,
} from './dora-store.js';

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

/** The plain median: for an even count, the mean of the two middle values (as SQL's percentile_cont(0.5)). */
const median = (values: number[]) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export async function doraMetrics(db: Queryable, window: DoraWindow): Promise<DoraMetrics> {
  const windowMs = window.to.getTime() - window.from.getTime();
  const weeks = windowMs / (7 * 86_400_000);
  const fullWeeks = Math.max(1, Math.round(weeks));
  // Independent reads, sent together: a PostgreSQL pool runs them side by side (PGlite one after the other).
  const [perWeek, leadHours, failures, restoreHours, cycleHours] = await Promise.all([
    pipelinesPerWeek(db, window, fullWeeks, window.timezone ?? 'UTC'),
    medianLeadTimeHours(db, window),
    incidentFailures(db, window),
    medianTimeToRestoreHours(db, window),
    medianPrCycleTimeHours(db, window),
  ]);
  // A week holds at most seven deployment days: a block shorter or longer than a week (the last one takes the
  // remainder) is scaled to seven days, so a daily deployer reads 7 whatever the window.
  const blockDays = (i: number) => (i < fullWeeks - 1 ? 7 : windowMs / 86_400_000 - 7 * (fullWeeks - 1));
  const daysByWeek = Array.from({ length: fullWeeks }, (_, i) => {
    const days = perWeek.find((r) => r.week === i)?.days ?? 0;
    return Math.min(7, Math.round(((days * 7) / blockDays(i)) * 10) / 10);
  });
  const count = perWeek.reduce((sum, r) => sum + r.n, 0);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const failed = failures?.failed ?? 0;
  return {
    deployments: count,
    deploymentFrequencyPerWeek: weeks > 0 ? count / weeks : 0,
    deploymentDaysPerWeek: median(daysByWeek) ?? 0,
    deploymentsPerMonth: windowMs > 0 ? count / (windowMs / (30 * 86_400_000)) : 0,
    leadTimeHours: num(leadHours),
    changeFailureRate: count ? failed / count : null,
    failedDeployments: failed,
    timeToRestoreHours: num(restoreHours),
    recoveryHours: num(failures?.recovery),
    incidents: failures?.incidents ?? 0,
    prCycleTimeHours: num(cycleHours),
  };
}

/** The rows behind a metric (slowest first), so an alert can show what moved it. */
export async function doraEvidence(
  db: Queryable,
  metric: DoraEvidenceMetric,
  window: DoraWindow,
  limit = 5,
): Promise<DoraEvidence[]> {
  const rows = await doraEvidenceRows(db, metric, window, limit);
  return rows.map((r) => ({ ...r, value: Number(r.value) }));
}

/** A moment's calendar date (YYYY-MM-DD) in a time zone (default UTC). */
export const localDate = (at: Date, timezone = 'UTC') =>
  DateTime.fromJSDate(at, { zone: timezone }).toISODate() ?? at.toISOString().slice(0, 10);

/** Per week of the window: distinct deployments and the median lead time of the PRs they shipped. */
export async function doraTrend(
  db: Queryable,
  window: DoraWindow,
): Promise<{ week: string; deployments: number; leadTimeHours: number | null }[]> {
  const weeks = Math.max(1, Math.round((window.to.getTime() - window.from.getTime()) / (7 * 86_400_000)));
  const deployments = await pipelinesByWeek(db, window, weeks);
  const lead = await leadTimeByWeek(db, window, weeks);
  return Array.from({ length: weeks }, (_, i) => ({
    // The date each week starts on where the report counts its days (in UTC a Tokyo morning is the day before).
    week: localDate(new Date(window.from.getTime() + i * 7 * 86_400_000), window.timezone),
    deployments: deployments.find((r) => r.week === i)?.n ?? 0,
    leadTimeHours: ((h) => (h === null || h === undefined ? null : Math.round(Number(h) * 10) / 10))(
      lead.find((r) => r.week === i)?.hours,
    ),
  }));
}
