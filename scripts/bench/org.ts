// The benchmark org: 200 repositories, PRs and tickets in the numbers asked for, deployments and CI runs.
import type { Db } from '../../src/store/db.js';

const REPOS = 200;

/** A plausible org: most PRs merged, a tail still open (some stale, some large), tickets across statuses. */
export async function seedOrg(db: Db, size: { prs: number; tickets: number }): Promise<void> {
  await db.query(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, merged_at, closed_at,
       head_ref, base_ref, additions, deletions, changed_files, requested_reviewers, labels, ticket_keys, first_commit_at, url)
     SELECT 'acme/svc-' || (n % ${REPOS}), n, CASE WHEN n % 7 = 0 THEN 'tidy up' ELSE 'ENG-' || n || ' change' END,
            'dev' || (n % 150), CASE WHEN n % 10 = 0 THEN 'open' ELSE 'merged' END, n % 50 = 0,
            now() - (n % 2000) * interval '1 hour', now() - (n % 200) * interval '1 hour',
            CASE WHEN n % 10 = 0 THEN NULL ELSE now() - (n % 1900) * interval '1 hour' END, NULL,
            'eng-' || n, 'main', (n * 37) % 900, (n * 11) % 300, 3,
            CASE WHEN n % 10 = 0 THEN ARRAY['dev' || ((n + 1) % 150)] ELSE '{}' END, '{}',
            CASE WHEN n % 7 = 0 THEN '{}'::text[] ELSE ARRAY['ENG-' || n] END,
            now() - (n % 2000 + 5) * interval '1 hour', 'https://github.com/acme/svc/pull/' || n
       FROM generate_series(1, $1::int) AS n`,
    [size.prs],
  );
  await db.query(
    `INSERT INTO pr_reviews (repo, number, review_id, reviewer, state, submitted_at)
     SELECT 'acme/svc-' || (n % ${REPOS}), n, n, 'dev' || ((n + 3) % 150), 'APPROVED', now() - (n % 1000) * interval '1 hour'
       FROM generate_series(1, $1::int) AS n WHERE n % 3 = 0`,
    [size.prs],
  );
  await db.query(
    `INSERT INTO work_items (source, key, project, title, type, status, status_category, priority, assignee, labels,
       points, sprint_ids, created_at, updated_at, resolved_at, url)
     SELECT 'jira', 'ENG-' || n, 'ENG', 'Ticket ' || n, 'Story',
            (ARRAY['To Do', 'In Progress', 'Blocked', 'Done'])[1 + n % 4],
            (ARRAY['new', 'indeterminate', 'indeterminate', 'done'])[1 + n % 4],
            (ARRAY['Highest', 'High', 'Medium', 'Low'])[1 + n % 4],
            CASE WHEN n % 9 = 0 THEN NULL ELSE 'acc-' || (n % 150) END, '{}', 3,
            CASE WHEN n % 5 = 0 THEN ARRAY['42'] ELSE '{}' END,
            now() - (n % 3000) * interval '1 hour', now() - (n % 300) * interval '1 hour', NULL, 'https://acme.atlassian.net/browse/ENG-' || n
       FROM generate_series(1, $1::int) AS n`,
    [size.tickets],
  );
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at)
     VALUES ('jira', '42', '1', 'Sprint 42', 'active', now() - interval '5 days', now() + interval '9 days')`,
  );
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     SELECT 'github', 'd' || n, 'acme/svc-' || (n % ${REPOS}), 'production', 'sha' || n, 'main',
            now() - (n % 600) * interval '1 hour', now() - (n % 600) * interval '1 hour', 'success'
       FROM generate_series(1, 4000) AS n`,
  );
  await db.query(
    `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at)
     SELECT 'acme/svc-' || (n % ${REPOS}), n, 'CI', 'main', 'sha' || n, CASE WHEN n % 13 = 0 THEN 'failure' ELSE 'success' END,
            now() - (n % 500) * interval '1 minute' * 30, now() - (n % 500) * interval '1 minute' * 30
       FROM generate_series(1, 10000) AS n`,
  );
  await db.query('ANALYZE');
}
