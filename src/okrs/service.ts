// The OKR report: each key result's progress (from mapped tickets, or from a figure em-agent computes), the
// expected progress for the date, check-ins and their trend, the burn-up, and the quarter's unmapped merged work.
import { doraMetrics } from '../reports/dora.js';
import type { Queryable } from '../store/db.js';
import { getTeam, resolveScope, type TeamScope } from '../teams/store.js';
import {
  burnup,
  confidenceTrend,
  expectedProgress,
  METRICS,
  type MetricName,
  type MetricTarget,
  mapsWork,
  metricProgress,
  prIsMapped,
  type Quarter,
  type WorkMapping,
  type WorkRow,
  workProgress,
} from './model.js';
import {
  type Checkin,
  checkinsOf,
  countMergedPrs,
  type KeyResult,
  listObjectives,
  mergedPrsThatMayMap,
  workRows,
} from './store.js';

export interface KeyResultReport {
  id: number;
  title: string;
  owner: string;
  kind: 'work' | 'metric';
  /** 0..1; null when nothing is mapped yet or the figure has no value. */
  progress: number | null;
  work: { unit: 'points' | 'items'; done: number; total: number; items: number } | null;
  metric: {
    metric: MetricName;
    label: string;
    unit: string;
    baseline: number;
    target: number;
    current: number | null;
    windowDays: number;
  } | null;
  checkins: { week: string; confidence: number; note: string | null }[];
  trend: 'up' | 'down' | 'flat' | null;
}

export interface ObjectiveReport {
  id: number;
  team: string;
  title: string;
  managedByFile: string | null;
  /** Mean of its key results' progress (those with one). */
  progress: number | null;
  keyResults: KeyResultReport[];
}

export interface OkrReport {
  team: { key: string; name: string } | null;
  quarter: { key: string; start: Date; end: Date };
  now: Date;
  /** The share of the quarter elapsed: where progress should be by now. */
  expected: number;
  objectives: ObjectiveReport[];
  unmapped: { merged: number; unmapped: number; share: number | null };
  /** Completed share of each work-based key result, week by week, with the expected line. */
  burnup: { day: string; series: string; value: number }[];
}

/** A figure em-agent computes, for the last `window_days` up to `now`, on the team's repositories. */
export async function currentMetric(
  db: Queryable,
  target: MetricTarget,
  now: Date,
  repos: string[] | undefined,
): Promise<number | null> {
  const m = await doraMetrics(db, { from: new Date(now.getTime() - target.window_days * 86_400_000), to: now, repos });
  const byName: Record<MetricName, number | null> = {
    lead_time_days: m.leadTimeHours === null ? null : m.leadTimeHours / 24,
    lead_time_hours: m.leadTimeHours,
    deployment_frequency_per_week: m.deploymentFrequencyPerWeek,
    deployment_days_per_week: m.deploymentDaysPerWeek,
    change_failure_rate: m.changeFailureRate === null ? null : m.changeFailureRate * 100,
    time_to_restore_hours: m.timeToRestoreHours,
    pr_cycle_time_hours: m.prCycleTimeHours,
  };
  return byName[target.metric];
}

const SOURCES = ['jira', 'linear', 'github'] as const;
const sourcesOf = (mappings: WorkMapping[]) => SOURCES.filter((s) => mappings.some((m) => m[s]));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The OKR report of a team (or, for null, every team) and quarter, as of `now`. */
export async function buildOkrReport(
  db: Queryable,
  options: { scope: TeamScope | null; quarter: Quarter; now: Date },
): Promise<OkrReport> {
  const { scope, quarter, now } = options;
  const objectives = await listObjectives(db, { team: scope?.team.key, quarter: quarter.key });
  const krs = objectives.flatMap((o) => o.keyResults);
  const mappings = krs.flatMap((k) => (k.work ? [k.work] : []));
  const work: WorkRow[] = await workRows(db, sourcesOf(mappings), quarter.start);
  const checkins = await checkinsOf(
    db,
    krs.map((k) => k.id),
  );
  const at = new Date(Math.min(now.getTime(), quarter.end.getTime()));
  const repos = scope ? scope.repos : undefined;
  // For every team at once, a metric is each key result's own team's (read once per team).
  const teamRepos = new Map<string, Promise<string[] | undefined>>();
  const reposOf = (team: string) => {
    if (scope) return Promise.resolve(repos);
    if (!teamRepos.has(team))
      teamRepos.set(
        team,
        getTeam(db, team).then(async (t) => (t ? (await resolveScope(db, t)).repos : undefined)),
      );
    return teamRepos.get(team) as Promise<string[] | undefined>;
  };

  const reportOf = async (kr: KeyResult, team: string): Promise<KeyResultReport> => {
    const mine: Checkin[] = checkins.filter((c) => c.keyResultId === kr.id);
    const base = {
      id: kr.id,
      title: kr.title,
      owner: kr.owner,
      kind: kr.kind,
      checkins: mine.map((c) => ({ week: c.week, confidence: c.confidence, note: c.note })),
      trend: confidenceTrend(mine.map((c) => c.confidence)),
    };
    if (kr.work) {
      const p = workProgress(kr.work, work, quarter);
      return {
        ...base,
        progress: p.progress,
        work: { unit: p.unit, done: p.done, total: p.total, items: p.items },
        metric: null,
      };
    }
    const target = kr.metric as MetricTarget;
    const current = await currentMetric(db, target, at, await reposOf(team));
    return {
      ...base,
      progress: metricProgress(target, current),
      work: null,
      metric: {
        metric: target.metric,
        label: METRICS[target.metric].label,
        unit: METRICS[target.metric].unit,
        baseline: target.baseline,
        target: target.target,
        current: current === null ? null : Math.round(current * 100) / 100,
        windowDays: target.window_days,
      },
    };
  };

  const reports: ObjectiveReport[] = [];
  for (const o of objectives) {
    const keyResults: KeyResultReport[] = [];
    for (const kr of o.keyResults) keyResults.push(await reportOf(kr, o.team));
    reports.push({
      id: o.id,
      team: o.team,
      title: o.title,
      managedByFile: o.managedByFile,
      progress: mean(keyResults.flatMap((k) => (k.progress === null ? [] : [k.progress]))),
      keyResults,
    });
  }

  // Unmapped work: this quarter's merged PRs (in the team's repositories) that no key result maps.
  const mappedKeys = new Set(work.filter((w) => mappings.some((m) => mapsWork(m, w))).map((w) => w.key.toUpperCase()));
  const window = { from: quarter.start, to: at, repos: repos ?? null };
  const merged = await countMergedPrs(db, window.from, window.to, window.repos);
  const mayMap = await mergedPrsThatMayMap(db, window, {
    tickets: mappedKeys.size > 0,
    labels: mappings.some((m) => (m.github?.labels.length ?? 0) > 0),
    milestones: mappings.some((m) => (m.github?.milestones.length ?? 0) > 0),
  });
  const unmapped = merged - mayMap.filter((pr) => prIsMapped(pr, mappings, mappedKeys)).length;

  const chart = krs.flatMap((kr) => {
    if (!kr.work) return [];
    const points = burnup(kr.work, work, quarter, at);
    const total = Math.max(...points.filter((p) => p.series === 'scope').map((p) => p.value), 0);
    if (!total) return [];
    return points
      .filter((p) => p.series === 'done')
      .map((p) => ({ day: p.day, series: kr.title, value: Math.round((p.value / total) * 100) }));
  });
  const days = [...new Set(chart.map((p) => p.day))];
  const expectedLine = days.map((day) => ({
    day,
    series: 'expected',
    value: Math.round(expectedProgress(quarter, new Date(`${day}T00:00:00Z`)) * 100),
  }));

  return {
    team: scope ? { key: scope.team.key, name: scope.team.name } : null,
    quarter: { key: quarter.key, start: quarter.start, end: quarter.end },
    now,
    expected: expectedProgress(quarter, now),
    objectives: reports,
    unmapped: { merged, unmapped, share: merged ? unmapped / merged : null },
    burnup: chart.length ? [...chart, ...expectedLine] : [],
  };
}
