// npm run bench:reports — a synthetic org (500 open PRs among BENCH_PRS merged ones, deployments, tickets,
// incidents) on PGlite and, when reachable, on the PostgreSQL server. Prints the App Home build time for one
// user (goal < 300 ms), each report's time, and DORA over the large history (goal < 1 s on PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { homeView } from '../../blocks/home.js';
import { approvalsHomeSection } from '../../src/approvals/listeners.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
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

const MERGED = Number(process.env.BENCH_PRS ?? 200_000);
const OPEN = 500;
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 50_000);
const logger = createLogger('silent');

async function seed(db: Db) {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, first_commit_at,
       requested_reviewers, url)
     SELECT 'acme/svc-' || (n % 100), n, 'ENG-' || n, 'dev' || (n % 200), CASE WHEN n <= $2 THEN 'open' ELSE 'merged' END,
            false, now() - (n % 8760) * interval '1 hour', now() - (n % 8000) * interval '1 hour',
            CASE WHEN n <= $2 THEN NULL ELSE now() - (n % 8700) * interval '1 hour' END,
            now() - (n % 8760 + 10) * interval '1 hour',
            CASE WHEN n <= $2 THEN ARRAY['dev' || ((n + 1) % 200)] ELSE '{}' END, 'https://github.com/acme/pull/' || n
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

await onEachEngine('reports', bench);
