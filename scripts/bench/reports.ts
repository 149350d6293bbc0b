// npm run bench:reports — a synthetic org (500 open PRs among the merged ones, deployments with what each shipped,
// tickets, incidents) on PGlite and, when reachable, on the PostgreSQL server, at three sizes (BENCH_SIZES,
// "merged PRs:deployments" pairs; default 50,000:12,500, 200,000:50,000 and 400,000:100,000). Prints the App Home
// build time for one user (goal < 300 ms), each report's time, and DORA over the history (goal < 1 s on PostgreSQL).
// BENCH_ENGINES=postgres skips PGlite; BENCH_PROFILE=1 prints every query slower than 20 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { homeView } from '../../blocks/home.js';
import { approvalsHomeSection } from '../../src/approvals/listeners.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { refreshShippedPullRequests } from '../../src/connectors/github/shipped.js';
import { incidentsHomeSection } from '../../src/incidents/listeners.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildDoraReport } from '../../src/reports/dora-report.js';
import { doraHomeSection, myWorkHomeSection, sprintHomeSection } from '../../src/reports/listeners.js';
import { buildSprintHealth } from '../../src/reports/sprint.js';
import { buildStandup } from '../../src/reports/standup.js';
import { buildTriage } from '../../src/reports/triage.js';
import { signalsHomeSection } from '../../src/signals/listeners.js';
import { buildHome } from '../../src/slack/home.js';
import type { Db } from '../../src/store/db.js';
import { onEachEngine } from './engines.js';

const SIZES = (process.env.BENCH_SIZES ?? '50000:12500,200000:50000,400000:100000')
  .split(',')
  .map((pair) => pair.split(':').map(Number) as [number, number]);
const OPEN = 500;
let MERGED = 0;
let DEPLOYS = 0;
const logger = createLogger('silent');

async function seed(db: Db) {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, first_commit_at,
       requested_reviewers, url, merge_commit_sha)
     SELECT 'acme/svc-' || (n % 100), n, 'ENG-' || n, 'dev' || (n % 200), CASE WHEN n <= $2 THEN 'open' ELSE 'merged' END,
            false, now() - (n % 8760) * interval '1 hour', now() - (n % 8000) * interval '1 hour',
            CASE WHEN n <= $2 THEN NULL ELSE now() - (n % 8700) * interval '1 hour' END,
            now() - (n % 8760 + 10) * interval '1 hour',
            CASE WHEN n <= $2 THEN ARRAY['dev' || ((n + 1) % 200)] ELSE '{}' END, 'https://github.com/acme/pull/' || n,
            CASE WHEN n <= $2 THEN NULL ELSE 'm' || n END
       FROM generate_series(1, $1::int) AS n`,
    [MERGED + OPEN, OPEN],
  );
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     SELECT 'github', 'd' || n, 'acme/svc-' || (n % 100), 'production', 'sha' || n, 'main',
            now() - (n % 8760) * interval '1 hour', now() - (n % 8760) * interval '1 hour',
            CASE WHEN n % 20 = 0 THEN 'failure' ELSE 'success' END
       FROM generate_series(1, $1::int) AS n`,
    [DEPLOYS],
  );
  // What each deployment shipped, as the sync caches GitHub's compare: the PRs merged since the previous one.
  await db.query(
    `INSERT INTO commit_ranges (repo, base, head, status, shas)
     SELECT d.repo, d.base, d.sha, 'ahead',
            coalesce((SELECT array_agg(p.merge_commit_sha) FROM pull_requests p
                       WHERE p.repo = d.repo AND p.merged_at > d.previous AND p.merged_at <= d.finished_at), '{}')
       FROM (SELECT repo, sha, finished_at, lag(sha) OVER w AS base, lag(finished_at) OVER w AS previous
               FROM deployments WHERE state = 'success'
             WINDOW w AS (PARTITION BY repo, environment ORDER BY finished_at, source, external_id)) d
      WHERE d.base IS NOT NULL
     ON CONFLICT DO NOTHING`,
  );
  for (let r = 0; r < 100; r += 1) await refreshShippedPullRequests(db, `acme/svc-${r}`);
  await db.query(
    `INSERT INTO incidents (source, external_id, title, status, opened_at, resolved_at)
     SELECT 'jira', 'INC-' || n, 'Incident ' || n, 'resolved', now() - (n * 7) * interval '1 hour',
            now() - (n * 7 - 3) * interval '1 hour' FROM generate_series(1, 1000) AS n`,
  );
  await db.query(
    `INSERT INTO work_items (source, key, project, title, status, status_category, priority, assignee, labels, points,
       sprint_ids, created_at, updated_at)
     SELECT 'jira', 'ENG-' || n, 'ENG', 'Ticket ' || n, (ARRAY['To Do', 'In Progress', 'Blocked', 'Done'])[1 + n % 4],
            (ARRAY['new', 'indeterminate', 'indeterminate', 'done'])[1 + n % 4], 'Medium', 'acc-' || (n % 200), '{}', 3,
            CASE WHEN n % 50 = 0 THEN ARRAY['1'] ELSE '{}' END, now() - (n % 500) * interval '1 hour', now() - (n % 100) * interval '1 hour'
       FROM generate_series(1, 50000) AS n`,
  );
  await db.query(
    "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '1', '1', 'Sprint 1', 'active', now() - interval '4 days', now() + interval '10 days')",
  );
  await db.query("INSERT INTO people (email, slack_user, github_login) VALUES ('dev1@acme.dev', 'U0DEV1', 'dev1')");
  await db.query('ANALYZE');
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

async function bench(engine: string, db: Db) {
  await seed(db);
  if (process.env.BENCH_PROFILE) {
    const query = db.query.bind(db);
    (db as { query: unknown }).query = async (sql: string, params?: unknown[]) => {
      const t = performance.now();
      const r = await query(sql, params as never);
      const ms = performance.now() - t;
      if (ms > 20) console.log(`${ms.toFixed(0)} ms: ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      return r;
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'em-bench-policies-'));
  const approvals = new ApprovalService({ db, logger, clients: {}, policies: new PolicyBook(dir) });
  const providers = [
    approvalsHomeSection(approvals),
    myWorkHomeSection(),
    signalsHomeSection(),
    doraHomeSection({ bandSet: '2023', timezone: 'UTC' }),
    sprintHomeSection(),
    incidentsHomeSection(),
  ];
  await buildHome(providers, { userId: 'U0DEV1', db }, logger); // warm
  const homes: number[] = [];
  for (let i = 0; i < 5; i += 1)
    homes.push((await time(async () => homeView(await buildHome(providers, { userId: 'U0DEV1', db }, logger))))[0]);
  const [dora] = await time(() => buildDoraReport(db, { days: 30 }));
  const [doraYear] = await time(() => buildDoraReport(db, { days: 365 }));
  const [triage] = await time(() => buildTriage(db));
  const [standup] = await time(() => buildStandup(db, { hours: 24 }));
  const [sprint] = await time(() => buildSprintHealth(db));
  const median = [...homes].sort((a, b) => a - b)[2] as number;
  console.log(
    `${engine.padEnd(9)} ${(MERGED + OPEN).toLocaleString('en-US')} PRs (${OPEN} open), ${DEPLOYS.toLocaleString('en-US')} deployments, 50,000 tickets, 1,000 incidents`,
  );
  console.log(
    `          App Home build (6 sections): median ${median.toFixed(0)} ms (goal < 300 ms; publish is one Slack call on top)`,
  );
  console.log(
    `          /em dora 30d (org + 12 repos, this and the previous window) ${dora.toFixed(0)} ms; 365d ${doraYear.toFixed(0)} ms (goal < 1 s on PostgreSQL)`,
  );
  console.log(
    `          /em triage ${triage.toFixed(0)} ms · /em standup ${standup.toFixed(0)} ms · /em sprint ${sprint.toFixed(0)} ms`,
  );
  rmSync(dir, { recursive: true, force: true });
}

for (const [merged, deploys] of SIZES) {
  MERGED = merged;
  DEPLOYS = deploys;
  await onEachEngine('reports', bench);
}
