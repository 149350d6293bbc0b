// The four keys and flow figures as Prometheus gauges, per team and repository, for the Grafana dashboard
// (dashboards/em-agent.json). A job refreshes them; label values are bounded: `team` is `all` (every team) or one of
// the first MAX_TEAMS teams (by name; their figures with repo="all"), `repo` is `all` (the organization) or one of the
// report's MAX_REPOS most active repositories.
import { Gauge } from 'prom-client';
import type { JobDefinition } from '../jobs/scheduler.js';
import { metrics } from '../observability/metrics.js';
import type { Queryable } from '../store/db.js';
import { listTeams, resolveScope } from '../teams/store.js';
import type { BandSet } from './dora-bands.js';
import { buildDoraReport, type DoraReport, MAX_REPOS } from './dora-report.js';
import { orgReviewWait, reviewFlowByRepo } from './flow-store.js';

export { MAX_REPOS };
/** Teams with labels of their own, at most. */
export const MAX_TEAMS = 20;

const labelNames = ['team', 'repo'] as const;
const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, registers: [metrics] });

export const dashboardGauges = {
  deploymentsPerWeek: gauge(
    'em_dora_deployments_per_week',
    'DORA deployment frequency: production deployments per week',
  ),
  leadTimeHours: gauge('em_dora_lead_time_hours', 'DORA lead time for changes: median hours from commit to production'),
  changeFailureRatio: gauge(
    'em_dora_change_failure_ratio',
    'DORA change failure rate: share of deployments linked to an incident',
  ),
  timeToRestoreHours: gauge(
    'em_dora_time_to_restore_hours',
    'DORA time to restore (MTTR): median hours from incident open to resolved',
  ),
  recoveryHours: gauge(
    'em_dora_recovery_hours',
    'DORA failed deployment recovery time: median hours from the deployment to the resolution',
  ),
  prCycleTimeHours: gauge('em_flow_pr_cycle_time_hours', 'Median hours from a pull request opened to merged'),
  reviewWaitHours: gauge('em_flow_review_wait_hours', 'Median hours from a pull request opened to its first review'),
  wipPullRequests: gauge('em_flow_wip_pull_requests', 'Open, non-draft pull requests (work in progress)'),
};

const set = (g: Gauge<'team' | 'repo'>, repo: string, value: number | null, team = 'all') => {
  if (value === null || !Number.isFinite(value)) g.remove({ team, repo });
  else g.set({ team, repo }, value);
};

/** The four keys and cycle time of one scope (the organization, a repository or a team). */
function setDoraGauges(m: DoraReport['org']['current'], repo: string, team = 'all') {
  set(dashboardGauges.deploymentsPerWeek, repo, m.deploymentFrequencyPerWeek, team);
  set(dashboardGauges.leadTimeHours, repo, m.leadTimeHours, team);
  set(dashboardGauges.changeFailureRatio, repo, m.changeFailureRate, team);
  set(dashboardGauges.timeToRestoreHours, repo, m.timeToRestoreHours, team);
  set(dashboardGauges.recoveryHours, repo, m.recoveryHours, team);
  set(dashboardGauges.prCycleTimeHours, repo, m.prCycleTimeHours, team);
}

/** Recomputes every gauge over the last `days` days. */
export async function refreshDashboardGauges(
  db: Queryable,
  options: { days: number; bandSet: BandSet; timezone: string; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date();
  const report = await buildDoraReport(db, {
    days: options.days,
    now,
    bandSet: options.bandSet,
    timezone: options.timezone,
  });
  const from = new Date(now.getTime() - options.days * 86_400_000);
  const flow = await reviewFlowByRepo(db, from, now);
  const orgWait = await orgReviewWait(db, from, now);
  const flowOf = new Map(flow.map((r) => [r.repo, r]));
  // The DORA report's repositories are already bounded (its MAX_REPOS most active in the window).
  const busiest = report.repos;
  for (const g of Object.values(dashboardGauges)) g.reset();
  const scopes = [{ repo: 'all', scope: report.org }, ...busiest.map((scope) => ({ repo: scope.name, scope }))];
  for (const { repo, scope } of scopes) {
    const m = scope.current;
    setDoraGauges(m, repo);
    const f = repo === 'all' ? undefined : flowOf.get(repo);
    const wait = repo === 'all' ? orgWait : f?.wait;
    set(dashboardGauges.reviewWaitHours, repo, wait === null || wait === undefined ? null : Number(wait));
    set(
      dashboardGauges.wipPullRequests,
      repo,
      repo === 'all' ? flow.reduce((sum, r) => sum + r.wip, 0) : (f?.wip ?? 0),
    );
  }
  // Each team's four keys and cycle time, from its repositories alone.
  for (const team of (await listTeams(db)).slice(0, MAX_TEAMS)) {
    const scope = await resolveScope(db, team);
    const teamReport = await buildDoraReport(db, {
      days: options.days,
      now,
      bandSet: options.bandSet,
      timezone: options.timezone,
      scope: { name: team.name, repos: scope.repos },
    });
    const m = teamReport.org.current;
    setDoraGauges(m, 'all', team.key);
  }
}

export function dashboardGaugesJob(
  settings: { bandSet: BandSet; timezone: string },
  every = '5 minutes',
  days = 30,
): JobDefinition {
  return {
    name: 'dashboard-gauges',
    every,
    run: ({ db }) => refreshDashboardGauges(db, { days, ...settings }),
  };
}
