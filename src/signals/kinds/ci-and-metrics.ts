import { doraEvidence, doraMetrics } from '../../reports/dora.js';
import { type EvalContext, type Finding, round1, scopeParam } from '../finding.js';
import type { RuleOf } from '../rules.js';

interface RedWorkflow {
  repo: string;
  name: string;
  red_since: Date;
  failures: number;
  url: string | null;
}

/** Workflows whose latest default-branch run failed, with when the red streak began. */
export async function loadRedWorkflows(ctx: EvalContext, repos: string[] | undefined): Promise<RedWorkflow[]> {
  const { rows } = await ctx.db.query<RedWorkflow>(
    `WITH latest AS (
       SELECT DISTINCT ON (repo, name) repo, name, conclusion, url
         FROM ci_runs WHERE ($1::text[] IS NULL OR repo = ANY($1::text[]))
        ORDER BY repo, name, updated_at DESC
     )
     SELECT l.repo, coalesce(l.name, '(unnamed)') AS name, l.url, min(r.updated_at) AS red_since, count(*)::int AS failures
       FROM latest l
       JOIN ci_runs r ON r.repo = l.repo AND r.name IS NOT DISTINCT FROM l.name
        AND r.updated_at > coalesce((SELECT max(g.updated_at) FROM ci_runs g
                                      WHERE g.repo = l.repo AND g.name IS NOT DISTINCT FROM l.name AND g.conclusion = 'success'),
                                    '-infinity')
      WHERE l.conclusion IN ('failure', 'timed_out', 'startup_failure')
      GROUP BY l.repo, l.name, l.url`,
    [scopeParam(repos)],
  );
  return rows;
}

export function findFailingMain(red: RedWorkflow[], rule: RuleOf<'failing_main'>, ctx: EvalContext): Finding[] {
  return red.flatMap((w) => {
    const minutes = (ctx.now.getTime() - w.red_since.getTime()) / 60_000;
    if (minutes < rule.red_minutes) return [];
    return [
      {
        subject: `ci:${w.repo}:${w.name}`,
        title: `${w.repo} default branch is red: "${w.name}" has failed ${w.failures} time(s) over ${Math.round(minutes)} minutes`,
        url: w.url,
        evidence: { red_minutes: Math.round(minutes), failures: w.failures, threshold_minutes: rule.red_minutes },
        target: { repo: w.repo },
      },
    ];
  });
}

export const failingMain = async (rule: RuleOf<'failing_main'>, ctx: EvalContext) =>
  findFailingMain(await loadRedWorkflows(ctx, rule.scope.repos), rule, ctx);

const METRIC_FIELD = {
  lead_time_hours: 'leadTimeHours',
  deployment_frequency_per_week: 'deploymentFrequencyPerWeek',
  change_failure_rate: 'changeFailureRate',
  time_to_restore_hours: 'timeToRestoreHours',
  pr_cycle_time_hours: 'prCycleTimeHours',
} as const;

/** One finding while the metric is past its threshold; it resolves (and says so) when the metric recovers. */
export async function metricThreshold(rule: RuleOf<'metric_threshold'>, ctx: EvalContext): Promise<Finding[]> {
  const window = {
    from: new Date(ctx.now.getTime() - rule.window_days * 86_400_000),
    to: ctx.now,
    repos: rule.scope.repos,
  };
  const raw = (await doraMetrics(ctx.db, window))[METRIC_FIELD[rule.metric]];
  if (raw === null) return [];
  // Change failure rate is written in percent in rules (above: 15).
  const percent = rule.metric === 'change_failure_rate';
  const value = percent ? raw * 100 : raw;
  const crossed = rule.above !== undefined ? value > rule.above : value < (rule.below as number);
  if (!crossed) return [];
  const threshold = rule.above ?? rule.below;
  const shown = percent ? `${Math.round(value)}%` : String(round1(value));
  return [
    {
      subject: `metric:${rule.metric}`,
      title: `${rule.metric.replaceAll('_', ' ')} is ${shown} over the last ${rule.window_days} days (${rule.above !== undefined ? 'above' : 'below'} ${threshold}${percent ? '%' : ''})`,
      evidence: {
        value: round1(value),
        threshold: threshold ?? null,
        window_days: rule.window_days,
        behind_it: await doraEvidence(ctx.db, rule.metric, window),
      },
      target: {},
    },
  ];
}
