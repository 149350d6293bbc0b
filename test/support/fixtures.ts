// Synced-data fixtures written through the product's own upserts, as the connectors would write them.
import { createHash } from 'node:crypto';
import { upsertPullRequest, upsertReview } from '../../src/connectors/github/store.js';
import type { Queryable } from '../../src/store/db.js';
import { upsertWorkItem, type WorkItemRow } from '../../src/sync/work-items-store.js';

export const NOW = new Date('2026-11-25T12:00:00Z'); // a Wednesday
export const hoursBefore = (h: number, from = NOW) => new Date(from.getTime() - h * 3_600_000).toISOString();

export async function pr(
  db: Queryable,
  p: { repo?: string; number: number; title?: string; author?: string; ageHours: number } & Partial<{
    draft: boolean;
    state: 'open' | 'closed' | 'merged';
    reviewers: string[];
    additions: number;
    deletions: number;
    headRef: string;
    ticketKeys: string[];
    mergedHoursAgo: number;
    firstCommitHoursAgo: number;
    mergeCommitSha: string;
    mergedBy: string;
    /** The clock the ages count back from (default NOW): the real one for a running app that reads its own clock. */
    now: Date;
  }>,
): Promise<void> {
  const ago = (h: number) => hoursBefore(h, p.now);
  const created = ago(p.ageHours);
  await upsertPullRequest(db, {
    repo: p.repo ?? 'acme/api',
    number: p.number,
    title: p.title ?? `ENG-${p.number}: change`,
    author: p.author ?? 'maya',
    state: p.state ?? 'open',
    draft: p.draft ?? false,
    createdAt: created,
    updatedAt: created,
    mergedAt: p.mergedHoursAgo !== undefined ? ago(p.mergedHoursAgo) : null,
    closedAt: p.mergedHoursAgo !== undefined ? ago(p.mergedHoursAgo) : null,
    headRef: p.headRef ?? `eng-${p.number}-change`,
    baseRef: 'main',
    additions: p.additions ?? 10,
    deletions: p.deletions ?? 2,
    changedFiles: 1,
    requestedReviewers: p.reviewers ?? [],
    labels: [],
    ticketKeys: p.ticketKeys ?? (p.title ?? `ENG-${p.number}`).match(/[A-Z]+-\d+/g) ?? [],
    firstCommitAt: p.firstCommitHoursAgo !== undefined ? ago(p.firstCommitHoursAgo) : created,
    url: `https://github.com/${p.repo ?? 'acme/api'}/pull/${p.number}`,
    mergeCommitSha: p.mergeCommitSha ?? null,
    mergedBy: p.mergedBy ?? null,
  });
}

let reviewIds = 0;
export async function review(db: Queryable, repo: string, number: number, reviewer: string, hoursAgo: number) {
  reviewIds += 1;
  await upsertReview(db, repo, number, {
    id: reviewIds,
    user: { login: reviewer },
    state: 'APPROVED',
    submitted_at: hoursBefore(hoursAgo),
  } as never);
}

export async function ticket(
  db: Queryable,
  t: Partial<WorkItemRow> & { key: string; ageHours?: number; source?: string },
): Promise<void> {
  const created = hoursBefore(t.ageHours ?? 1);
  await upsertWorkItem(db, t.source ?? 'jira', {
    project: t.key.split('-')[0] as string,
    title: `Ticket ${t.key}`,
    type: 'Story',
    status: 'To Do',
    statusCategory: 'new',
    priority: 'Medium',
    assignee: null,
    labels: [],
    points: null,
    sprintIds: [],
    createdAt: created,
    updatedAt: created,
    resolvedAt: null,
    url: `https://acme.atlassian.net/browse/${t.key}`,
    ...t,
  });
}

export async function ciRun(
  db: Queryable,
  repo: string,
  id: number,
  conclusion: string,
  minutesAgo: number,
  name = 'CI',
) {
  const at = new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
  await db.query(
    `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at, url)
     VALUES ($1, $2, $3, 'main', $4, $5, $6, $6, $7)`,
    [repo, id, name, `sha${id}`, conclusion, at, `https://github.com/${repo}/actions/runs/${id}`],
  );
}

/** The commit a fixture deployment is at: a full sha, as GitHub reports it (what shipped is derived from those alone). */
export const deploymentSha = (id: string) => createHash('sha1').update(`deployment ${id}`).digest('hex');

export async function deployment(db: Queryable, repo: string, id: string, hoursAgo: number, state = 'success') {
  const at = hoursBefore(hoursAgo);
  await db.query(
    `INSERT INTO deployments (source, external_id, repo, environment, sha, ref, created_at, finished_at, state)
     VALUES ('github', $1, $2, 'production', $3, 'main', $4, $4, $5)`,
    [id, repo, deploymentSha(id), at, state],
  );
}

export async function incident(db: Queryable, id: string, openedHoursAgo: number, resolvedHoursAgo?: number) {
  await db.query(
    `INSERT INTO incidents (source, external_id, title, status, opened_at, resolved_at)
     VALUES ('jira', $1, $2, $3, $4, $5)`,
    [
      id,
      `Incident ${id}`,
      resolvedHoursAgo === undefined ? 'open' : 'resolved',
      hoursBefore(openedHoursAgo),
      resolvedHoursAgo === undefined ? null : hoursBefore(resolvedHoursAgo),
    ],
  );
}
