// Onboarding's SQL: plans, their tasks, and what it reads of the synced data (documents, tickets, merged PRs).
import type { Db, Queryable } from '../store/db.js';
import type { OwnerRole, PlanSummary, TaskKind, TaskStatus } from './model.js';

export interface Plan {
  id: number;
  person: string;
  teamKey: string | null;
  template: string;
  buddy: string | null;
  manager: string | null;
  startedBy: string;
  startedAt: Date;
  endAt: Date;
  welcomeChannel: string | null;
  welcomeTs: string | null;
  /** The checklist's further messages (one message holds 50 blocks), in order after welcomeTs. */
  welcomeMore: string[];
  finishedAt: Date | null;
  summary: PlanSummary | null;
}

export interface TaskDetail {
  links?: { url: string; title: string | null; indexed: boolean }[];
  people?: string[];
  issues?: { key: string; title: string; url: string | null; source: string }[];
  accepted?: string;
  access?: { action: string; params: Record<string, unknown>; repo?: string | null } | { system: string };
  note?: string;
}

export interface Task {
  id: number;
  planId: number;
  position: number;
  kind: TaskKind;
  title: string;
  ownerRole: OwnerRole;
  owner: string;
  dueAt: Date | null;
  status: TaskStatus;
  doneAt: Date | null;
  detail: TaskDetail;
  approvalId: number | null;
}

type PlanRow = {
  id: string | number;
  person: string;
  team_key: string | null;
  template: string;
  buddy: string | null;
  manager: string | null;
  started_by: string;
  started_at: Date;
  end_at: Date;
  welcome_channel: string | null;
  welcome_ts: string | null;
  welcome_more: string[] | null;
  finished_at: Date | null;
  summary: PlanSummary | null;
};
type TaskRow = {
  id: string | number;
  plan_id: string | number;
  position: number;
  kind: TaskKind;
  title: string;
  owner_role: OwnerRole;
  owner: string;
  due_at: Date | null;
  status: TaskStatus;
  done_at: Date | null;
  detail: TaskDetail;
  approval_id: string | number | null;
};

const toPlan = (r: PlanRow): Plan => ({
  id: Number(r.id),
  person: r.person,
  teamKey: r.team_key,
  template: r.template,
  buddy: r.buddy,
  manager: r.manager,
  startedBy: r.started_by,
  startedAt: r.started_at,
  endAt: r.end_at,
  welcomeChannel: r.welcome_channel,
  welcomeTs: r.welcome_ts,
  welcomeMore: r.welcome_more ?? [],
  finishedAt: r.finished_at,
  summary: r.summary,
});
const toTask = (r: TaskRow): Task => ({
  id: Number(r.id),
  planId: Number(r.plan_id),
  position: r.position,
  kind: r.kind,
  title: r.title,
  ownerRole: r.owner_role,
  owner: r.owner,
  dueAt: r.due_at,
  status: r.status,
  doneAt: r.done_at,
  detail: r.detail ?? {},
  approvalId: r.approval_id === null ? null : Number(r.approval_id),
});

export type NewTask = Omit<Task, 'id' | 'planId' | 'status' | 'doneAt' | 'approvalId'>;

/** Creates a plan and its tasks in one transaction; undefined when the person already has a running plan. */
export async function insertPlan(
  db: Db,
  plan: Omit<Plan, 'id' | 'welcomeChannel' | 'welcomeTs' | 'welcomeMore' | 'finishedAt' | 'summary'>,
  tasks: NewTask[],
): Promise<Plan | undefined> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<PlanRow>(
      `INSERT INTO onboarding_plans (person, team_key, template, buddy, manager, started_by, started_at, end_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (person) WHERE finished_at IS NULL DO NOTHING RETURNING *`,
      [plan.person, plan.teamKey, plan.template, plan.buddy, plan.manager, plan.startedBy, plan.startedAt, plan.endAt],
    );
    const row = rows[0];
    if (!row) return undefined;
    for (const t of tasks)
      await tx.query(
        `INSERT INTO onboarding_tasks (plan_id, position, kind, title, owner_role, owner, due_at, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [row.id, t.position, t.kind, t.title, t.ownerRole, t.owner, t.dueAt, JSON.stringify(t.detail)],
      );
    return toPlan(row);
  });
}

export async function getPlan(db: Queryable, id: number): Promise<Plan | undefined> {
  const { rows } = await db.query<PlanRow>('SELECT * FROM onboarding_plans WHERE id = $1', [id]);
  return rows[0] ? toPlan(rows[0]) : undefined;
}

/** Running plans (and finished ones with `finished`), newest first. */
export async function listPlans(db: Queryable, options: { finished?: boolean } = {}): Promise<Plan[]> {
  const { rows } = await db.query<PlanRow>(
    `SELECT * FROM onboarding_plans WHERE $1::boolean OR finished_at IS NULL ORDER BY started_at DESC, id DESC`,
    [options.finished ?? false],
  );
  return rows.map(toPlan);
}

export async function planTasks(db: Queryable, planId: number): Promise<Task[]> {
  const { rows } = await db.query<TaskRow>('SELECT * FROM onboarding_tasks WHERE plan_id = $1 ORDER BY position', [
    planId,
  ]);
  return rows.map(toTask);
}

export async function getTask(db: Queryable, id: number): Promise<Task | undefined> {
  const { rows } = await db.query<TaskRow>('SELECT * FROM onboarding_tasks WHERE id = $1', [id]);
  return rows[0] ? toTask(rows[0]) : undefined;
}

/** Sets a task's status; done_at is when it became done (kept when it already was). Returns whether it changed. */
export async function setTaskStatus(db: Queryable, id: number, status: TaskStatus, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE onboarding_tasks SET status = $2,
            done_at = CASE WHEN $2 = 'done' THEN COALESCE(done_at, $3) ELSE NULL END
      WHERE id = $1 AND status <> $2`,
    [id, status, at],
  );
  return (rowCount ?? 0) > 0;
}

export async function setTaskApproval(db: Queryable, id: number, approvalId: number | null, note?: string) {
  await db.query(
    `UPDATE onboarding_tasks SET approval_id = $2,
            detail = CASE WHEN $3::text IS NULL THEN detail ELSE detail || jsonb_build_object('note', $3::text) END
      WHERE id = $1`,
    [id, approvalId, note ?? null],
  );
}

export async function setTaskDetail(db: Queryable, id: number, detail: TaskDetail) {
  await db.query('UPDATE onboarding_tasks SET detail = $2 WHERE id = $1', [id, JSON.stringify(detail)]);
}

/** Where the welcome checklist is: its DM, its first message and the further ones, in order. */
export async function setWelcome(db: Queryable, planId: number, channel: string, ts: string[]) {
  await db.query(
    'UPDATE onboarding_plans SET welcome_channel = $2, welcome_ts = $3, welcome_more = $4::text[] WHERE id = $1',
    [planId, channel, ts[0] ?? null, ts.slice(1)],
  );
}

/** Marks a plan finished once (true for the caller that did). */
export async function finishPlan(db: Queryable, planId: number, summary: PlanSummary, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE onboarding_plans SET finished_at = $2, summary = $3 WHERE id = $1 AND finished_at IS NULL',
    [planId, at, JSON.stringify(summary)],
  );
  return (rowCount ?? 0) > 0;
}

// ---- what onboarding reads of the synced data ---------------------------------------------------------------------

/** Which of these addresses are documents in the ask index (not deleted), with their titles. */
export async function indexedDocs(db: Queryable, urls: string[]): Promise<Map<string, string>> {
  if (!urls.length) return new Map();
  const { rows } = await db.query<{ url: string; title: string }>(
    'SELECT url, title FROM docs WHERE url = ANY($1::text[]) AND deleted_at IS NULL',
    [urls],
  );
  return new Map(rows.map((r) => [r.url, r.title]));
}

/**
 * The team's most useful documents: those cited by answers people marked helpful (most helpful citations first),
 * then documents whose title names the team; at most `limit`.
 */
export async function usefulDocs(db: Queryable, words: string[], limit = 5): Promise<{ url: string; title: string }[]> {
  const { rows } = await db.query<{ url: string; title: string }>(
    `WITH helpful AS (
       SELECT c->>'url' AS url, count(*) AS n
         FROM ask_answers a
         JOIN ask_feedback f ON f.answer_id = a.id AND f.helpful
         CROSS JOIN LATERAL jsonb_array_elements(a.citations) c
        WHERE c->>'url' IS NOT NULL
        GROUP BY 1
     )
     SELECT d.url, d.title FROM docs d
       LEFT JOIN helpful h ON h.url = d.url
      -- A private channel's documents (a private incident's postmortem) are not for a reading list.
      WHERE d.deleted_at IS NULL AND d.url IS NOT NULL AND d.visible_in IS NULL
        AND (h.n IS NOT NULL OR EXISTS (SELECT 1 FROM unnest($1::text[]) w WHERE d.title ILIKE '%' || w || '%'))
      ORDER BY COALESCE(h.n, 0) DESC, d.updated_at DESC, d.url
      LIMIT $2`,
    [words, limit],
  );
  return rows;
}

/** Open, unassigned tickets labelled for newcomers in the team's repositories and projects, oldest first. */
export async function newcomerIssues(
  db: Queryable,
  scope: { repos: string[]; projects: string[] },
  labels: string[],
  limit: number,
): Promise<{ key: string; title: string; url: string | null; source: string }[]> {
  const { rows } = await db.query<{ key: string; title: string; url: string | null; source: string }>(
    `SELECT key, title, url, source FROM work_items
      WHERE COALESCE(status_category, '') <> 'done' AND assignee IS NULL
        AND EXISTS (SELECT 1 FROM unnest(labels) l WHERE lower(l) = ANY($3::text[]))
        AND ((source = 'github' AND project = ANY($1::text[])) OR (source <> 'github' AND project = ANY($2::text[])))
      ORDER BY created_at, key
      LIMIT $4`,
    [scope.repos, scope.projects, labels.map((l) => l.toLowerCase()), limit],
  );
  return rows;
}

/** When the person's first pull request merged after `since`, by their GitHub login. */
export async function firstMergedPr(db: Queryable, github: string | null, since: Date): Promise<Date | null> {
  if (!github) return null;
  const { rows } = await db.query<{ at: Date | null }>(
    'SELECT min(merged_at) AS at FROM pull_requests WHERE lower(author) = lower($1) AND merged_at >= $2',
    [github, since],
  );
  return rows[0]?.at ?? null;
}

export async function githubLoginOf(db: Queryable, slack: string): Promise<string | null> {
  const { rows } = await db.query<{ github_login: string | null }>(
    'SELECT github_login FROM people WHERE slack_user = $1 AND github_login IS NOT NULL LIMIT 1',
    [slack],
  );
  return rows[0]?.github_login ?? null;
}
