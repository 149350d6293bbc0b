import { doraEvidence, doraMetrics } from '../../reports/dora.js';
import { type EvalContext, type Finding, round1 } from '../finding.js';
import type { RuleOf } from '../rules.js';
import { loadRedWorkflows, type RedWorkflow } from './store.js';

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
