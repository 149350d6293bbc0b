// dashboards/em-agent.json against the metrics the app exports: every PromQL expression (panel targets and
// template queries) parsed with Prometheus' own grammar, and each metric it selects registered by the app. The
// dashboard's own gauges are then filled from a database on each engine.
import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import '../../src/app.js';
import { metrics } from '../../src/observability/metrics.js';
import { dashboardGauges, MAX_REPOS, refreshDashboardGauges } from '../../src/reports/gauges.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';

const dashboard = JSON.parse(readFileSync('dashboards/em-agent.json', 'utf8'));

/** Every `expr` of a panel target, and the selector inside each `label_values(...)` template query. */
function expressions(): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') out.push(value);
      else walk(value);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(query ?? '')?.[1];
    if (variable.type === 'query') out.push(selector ?? `unparsable template query ${query}`);
  }
  return out;
}

/** The metric names a PromQL expression selects; throws when the expression does not parse. */
function metricNames(expr: string): string[] {
  // Grafana's variables are not PromQL: `$team` sits inside quoted label values only, so the text parses as is.
  const tree = parser.parse(expr);
  const names: string[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new Error(`PromQL does not parse: ${expr}`);
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector')
      names.push(expr.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return names;
}

async function exported(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await metrics.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${s}`);
  }
  return names;
}

describe('dashboards/em-agent.json', () => {
  test('every PromQL expression parses and names only metrics the app exports', async () => {
    const known = await exported();
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(15);
    const used = new Set<string>();
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect({ expr, selectsAMetric: names.length > 0 }).toEqual({ expr, selectsAMetric: true });
      for (const name of names) {
        expect({ expr, name, exported: known.has(name) }).toEqual({ expr, name, exported: true });
        used.add(name);
      }
    }
    // The four keys, the flow figures, approvals, auto vs HITL, sync lag and event loop delay are all on it.
    for (const g of Object.values(dashboardGauges)) expect(used).toContain((g as unknown as { name: string }).name);
    for (const name of [
      'approvals_decisions_total',
      'workflows_auto_vs_hitl_total',
      'sync_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ])
      expect(used).toContain(name);
  });

  test('a metric the app does not export is caught (the check can fail)', async () => {
    const known = await exported();
    expect(metricNames('sum(rate(em_dora_deployment_count[5m]))').every((n) => known.has(n))).toBe(false);
  });
});

describeEachEngine('dashboard gauges', ({ freshDb }) => {
  test('per repository with bounded labels: review wait, WIP and cycle time from the pull requests, the organization as repo="all"', async () => {
    const db = await freshDb();
    const now = new Date('2026-11-30T12:00:00Z');
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
    // 25 repositories with merged pull requests: only the MAX_REPOS most active get a label of their own.
    for (let r = 0; r < 25; r += 1) {
      const repo = `acme/r${String(r).padStart(2, '0')}`;
      for (let n = 1; n <= (r === 0 ? 3 : 1); n += 1)
        await db.query(
          `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at)
           VALUES ($1, $2, 't', 'sam', $3, false, $4, $4, $5)`,
          [repo, n, n === 1 ? 'merged' : 'open', at(48), n === 1 ? at(8) : null],
        );
    }
    // acme/r00#1 first reviewed 10 h after it was opened (a later review does not count).
    await db.query(
      `INSERT INTO pr_reviews (repo, number, review_id, reviewer, state, submitted_at)
       VALUES ('acme/r00', 1, 1, 'maya', 'APPROVED', $1), ('acme/r00', 1, 2, 'ines', 'COMMENTED', $2)`,
      [at(38), at(20)],
    );
    // A team owning acme/r00 only: its cycle time is r00's merged PR alone, opened 48 h and merged 8 h before now.
    await saveTeam(db, teamInput.parse({ key: 'core', name: 'Core', repos: ['acme/r00'] }), { actor: 'U0TEST' });
    await refreshDashboardGauges(db, { days: 30, bandSet: '2023', timezone: 'UTC', now });
    const values = async (name: string) =>
      (await metrics.getSingleMetric(name)?.get())?.values.map((v) => ({
        repo: v.labels.repo,
        team: v.labels.team,
        value: v.value,
      })) ?? [];
    const wip = await values('em_flow_wip_pull_requests');
    expect(wip.find((v) => v.repo === 'acme/r00')).toEqual({ repo: 'acme/r00', team: 'all', value: 2 });
    expect(wip.find((v) => v.repo === 'all')?.value).toBe(2);
    expect(new Set(wip.map((v) => v.repo)).size).toBe(MAX_REPOS + 1);
    expect(await values('em_flow_review_wait_hours')).toEqual(
      expect.arrayContaining([
        { repo: 'acme/r00', team: 'all', value: 10 },
        { repo: 'all', team: 'all', value: 10 },
      ]),
    );
    const cycle = await values('em_flow_pr_cycle_time_hours');
    expect(cycle.find((v) => v.repo === 'all' && v.team === 'all')?.value).toBe(40);
    expect(cycle.find((v) => v.team === 'core')).toEqual({ repo: 'all', team: 'core', value: 40 });
    // WIP is kept per repository only: teams get no WIP series.
    expect((await values('em_flow_wip_pull_requests')).some((v) => v.team === 'core')).toBe(false);
  });
});
