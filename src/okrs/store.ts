// The SQL of OKRs: objectives and key results, check-ins and their weekly requests, and the synced work they map to.
import { readInPages } from '../lib/slices.js';
import type { Queryable } from '../store/db.js';
import type { KeyResultInput, MergedPr, MetricTarget, ObjectiveInput, WorkMapping, WorkRow } from './model.js';

export interface KeyResult {
  id: number;
  objectiveId: number;
  title: string;
  owner: string;
  kind: 'work' | 'metric';
  work: WorkMapping | null;
  metric: MetricTarget | null;
}

export interface Objective {
  id: number;
  team: string;
  quarter: string;
  title: string;
  managedByFile: string | null;
  keyResults: KeyResult[];
}

interface ObjectiveRow {
  id: string;
  team: string;
  quarter: string;
  title: string;
  managed_by_file: string | null;
}
interface KeyResultRow {
  id: string;
  objective_id: string;
  title: string;
  owner: string;
  kind: 'work' | 'metric';
  spec: WorkMapping | MetricTarget;
}

const keyResultOf = (r: KeyResultRow): KeyResult => ({
  id: Number(r.id),
  objectiveId: Number(r.objective_id),
  title: r.title,
  owner: r.owner,
  kind: r.kind,
  work: r.kind === 'work' ? (r.spec as WorkMapping) : null,
  metric: r.kind === 'metric' ? (r.spec as MetricTarget) : null,
});

/**
 * Objectives with their key results, in order; filtered by team and quarter when given. Without a team (the org's
 * view) an archived team's objectives are left out.
 */
export async function listObjectives(
  db: Queryable,
  filter: { team?: string; quarter?: string; ids?: number[] } = {},
): Promise<Objective[]> {
  const { rows } = await db.query<ObjectiveRow>(
    `SELECT id, team, quarter, title, managed_by_file FROM okr_objectives
      WHERE ($1::text IS NULL OR team = $1) AND ($2::text IS NULL OR quarter = $2)
        AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))
        AND ($1::text IS NOT NULL
          OR NOT EXISTS (SELECT 1 FROM teams t WHERE t.key = okr_objectives.team AND t.archived_at IS NOT NULL))
      ORDER BY quarter, team, position, id`,
    [filter.team ?? null, filter.quarter ?? null, filter.ids ?? null],
  );
  if (!rows.length) return [];
  const krs = await db.query<KeyResultRow>(
    `SELECT id, objective_id, title, owner, kind, spec FROM okr_key_results
      WHERE objective_id = ANY($1::bigint[]) ORDER BY position, id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((o) => ({
    id: Number(o.id),
    team: o.team,
    quarter: o.quarter,
    title: o.title,
    managedByFile: o.managed_by_file,
    keyResults: krs.rows.filter((k) => k.objective_id === o.id).map(keyResultOf),
  }));
}

export async function getKeyResult(
  db: Queryable,
  id: number,
): Promise<(KeyResult & { team: string; quarter: string; objective: string }) | undefined> {
  const { rows } = await db.query<KeyResultRow & { team: string; quarter: string; objective: string }>(
    `SELECT k.id, k.objective_id, k.title, k.owner, k.kind, k.spec, o.team, o.quarter, o.title AS objective
       FROM okr_key_results k JOIN okr_objectives o ON o.id = k.objective_id WHERE k.id = $1`,
    [id],
  );
  const row = rows[0];
  return row ? { ...keyResultOf(row), team: row.team, quarter: row.quarter, objective: row.objective } : undefined;
}

/**
 * Creates or replaces an objective (by team, quarter and title) and its key results (by title): key results kept
 * keep their id and check-ins; those no longer listed are deleted.
 */
export async function saveObjective(
  db: Queryable,
  team: string,
  quarter: string,
  objective: ObjectiveInput,
  options: { position?: number; managedByFile?: string | null; actor: string },
): Promise<{ id: number; created: boolean }> {
  const { rows } = await db.query<{ id: string; created: boolean }>(
    `INSERT INTO okr_objectives (team, quarter, title, position, managed_by_file, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (team, quarter, title) DO UPDATE SET position = EXCLUDED.position,
       managed_by_file = EXCLUDED.managed_by_file
     RETURNING id, (xmax = 0) AS created`,
    [team, quarter, objective.title, options.position ?? 0, options.managedByFile ?? null, options.actor],
  );
  const id = Number(rows[0]?.id);
  for (const [position, kr] of objective.key_results.entries()) await saveKeyResult(db, id, kr, position);
  await db.query('DELETE FROM okr_key_results WHERE objective_id = $1 AND NOT (title = ANY($2::text[]))', [
    id,
    objective.key_results.map((k) => k.title),
  ]);
  return { id, created: Boolean(rows[0]?.created) };
}

async function saveKeyResult(db: Queryable, objectiveId: number, kr: KeyResultInput, position: number) {
  const kind = kr.work ? 'work' : 'metric';
  await db.query(
    `INSERT INTO okr_key_results (objective_id, position, title, owner, kind, spec)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     ON CONFLICT (objective_id, title) DO UPDATE SET position = EXCLUDED.position, owner = EXCLUDED.owner,
       kind = EXCLUDED.kind, spec = EXCLUDED.spec`,
    [objectiveId, position, kr.title, kr.owner, kind, JSON.stringify(kr.work ?? kr.metric)],
  );
}

/** Objectives a file made that it no longer lists are deleted (with their key results and check-ins). */
export async function deleteFileObjectivesExcept(db: Queryable, file: string, keep: number[]): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM okr_objectives WHERE managed_by_file = $1 AND NOT (id = ANY($2::bigint[]))',
    [file, keep],
  );
  return rowCount ?? 0;
}

// ---- synced work ---------------------------------------------------------------------------------------------------

interface WorkItemDbRow {
  source: string;
  key: string;
  project: string;
  type: string | null;
  status: string;
  status_category: string | null;
  labels: string[];
  assignee: string | null;
  points: string | number | null;
  project_id: string | null;
  project_name: string | null;
  milestone: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

/**
 * The tickets key results may map to: every source named, except tickets finished before `since` (the quarter's
 * start); Linear projects come with their names.
 */
export async function workRows(db: Queryable, sources: string[], since: Date): Promise<WorkRow[]> {
  if (!sources.length) return [];
  const { rows } = await db.query<WorkItemDbRow>(
    `SELECT w.source, w.key, w.project, w.type, w.status, w.status_category, w.labels, w.assignee, w.points,
            w.project_id, p.name AS project_name, w.milestone, w.created_at, w.resolved_at
       FROM work_items w LEFT JOIN projects p ON p.source = w.source AND p.id = w.project_id
      WHERE w.source = ANY($1::text[])
        AND (w.status_category IS DISTINCT FROM 'done' OR w.resolved_at IS NULL OR w.resolved_at >= $2)`,
    [sources, since],
  );
  return rows.map((r) => ({
    source: r.source,
    key: r.key,
    project: r.project,
    type: r.type,
    status: r.status,
    statusCategory: r.status_category,
    labels: r.labels,
    assignee: r.assignee,
    points: r.points === null ? null : Number(r.points),
    projectId: r.project_id,
    projectName: r.project_name,
    milestone: r.milestone,
    createdAt: new Date(r.created_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
  }));
}

/** Pull requests merged in [from, to) in the given repositories (all when null). */
/** How many pull requests were merged in [from, to) (in `repos`, or anywhere). */
export async function countMergedPrs(db: Queryable, from: Date, to: Date, repos: string[] | null): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pull_requests
      WHERE merged_at >= $1 AND merged_at < $2 AND ($3::text[] IS NULL OR repo = ANY($3::text[]))`,
    [from, to, repos],
  );
  return rows[0]?.n ?? 0;
}

interface MergedPrRow {
  repo: string;
  number: number;
  labels: string[];
  milestone: string | null;
  ticket_keys: string[];
}

/**
 * The pull requests merged in [from, to) that carry what a key result can map by: ticket keys, labels or a
 * milestone (each only when some key result maps by it). Read in pages: a quarter of a big org is tens of thousands.
 */
export async function mergedPrsThatMayMap(
  db: Queryable,
  window: { from: Date; to: Date; repos: string[] | null },
  by: { tickets: boolean; labels: boolean; milestones: boolean },
): Promise<MergedPr[]> {
  if (!by.tickets && !by.labels && !by.milestones) return [];
  const rows = await readInPages<MergedPrRow>(async (after, limit) => {
    const { rows } = await db.query<MergedPrRow>(
      `SELECT repo, number, labels, milestone, ticket_keys FROM pull_requests
        WHERE merged_at >= $1 AND merged_at < $2 AND ($3::text[] IS NULL OR repo = ANY($3::text[]))
          AND (($4 AND cardinality(ticket_keys) > 0) OR ($5 AND cardinality(labels) > 0) OR ($6 AND milestone IS NOT NULL))
          AND ($7::text IS NULL OR (repo, number) > ($7, $8::int))
        ORDER BY repo, number LIMIT $9`,
      [
        window.from,
        window.to,
        window.repos,
        by.tickets,
        by.labels,
        by.milestones,
        after?.repo ?? null,
        after?.number ?? null,
        limit,
      ],
    );
    return rows;
  });
  return rows.map((r) => ({
    repo: r.repo,
    number: r.number,
    labels: r.labels,
    milestone: r.milestone,
    ticketKeys: r.ticket_keys,
  }));
}

// ---- check-ins -----------------------------------------------------------------------------------------------------

export interface Checkin {
  keyResultId: number;
  week: string;
  owner: string;
  confidence: number;
  note: string | null;
  progress: number | null;
  createdAt: Date;
}

export async function saveCheckin(
  db: Queryable,
  c: {
    keyResultId: number;
    week: string;
    owner: string;
    confidence: number;
    note: string | null;
    progress: number | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO okr_checkins (key_result_id, week, owner, confidence, note, progress)
     VALUES ($1, $2::date, $3, $4, $5, $6)
     ON CONFLICT (key_result_id, week) DO UPDATE SET owner = EXCLUDED.owner, confidence = EXCLUDED.confidence,
       note = EXCLUDED.note, progress = EXCLUDED.progress, created_at = now()`,
    [c.keyResultId, c.week, c.owner, c.confidence, c.note, c.progress],
  );
}

/** Check-ins of the given key results, oldest first. */
export async function checkinsOf(db: Queryable, keyResultIds: number[]): Promise<Checkin[]> {
  if (!keyResultIds.length) return [];
  const { rows } = await db.query<{
    key_result_id: string;
    week: string | Date;
    owner: string;
    confidence: number;
    note: string | null;
    progress: string | number | null;
    created_at: Date;
  }>(
    `SELECT key_result_id, to_char(week, 'YYYY-MM-DD') AS week, owner, confidence, note, progress, created_at
       FROM okr_checkins WHERE key_result_id = ANY($1::bigint[]) ORDER BY week, key_result_id`,
    [keyResultIds],
  );
  return rows.map((r) => ({
    keyResultId: Number(r.key_result_id),
    week: String(r.week),
    owner: r.owner,
    confidence: r.confidence,
    note: r.note,
    progress: r.progress === null ? null : Number(r.progress),
    createdAt: new Date(r.created_at),
  }));
}

/**
 * Records this week's request for every key result of the quarter (once) whose team is not archived; returns those
 * not sent yet, each to the key result's owner now. A key result whose owner changed since its request was recorded
 * is asked of the new owner (the old one may no longer check in on it), even when the old one was asked already.
 */
export async function pendingRequests(
  db: Queryable,
  quarter: string,
  week: string,
): Promise<{ keyResultId: number; owner: string }[]> {
  await db.query(
    `INSERT INTO okr_checkin_requests AS r (key_result_id, week, owner)
     SELECT k.id, $2::date, k.owner FROM okr_key_results k JOIN okr_objectives o ON o.id = k.objective_id
      WHERE o.quarter = $1
        AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.key = o.team AND t.archived_at IS NOT NULL)
     ON CONFLICT (key_result_id, week) DO UPDATE SET owner = EXCLUDED.owner, sent_at = NULL
      WHERE r.owner <> EXCLUDED.owner`,
    [quarter, week],
  );
  const { rows } = await db.query<{ key_result_id: string; owner: string }>(
    `SELECT r.key_result_id, k.owner FROM okr_checkin_requests r
       JOIN okr_key_results k ON k.id = r.key_result_id
       JOIN okr_objectives o ON o.id = k.objective_id
      WHERE r.week = $1::date AND r.sent_at IS NULL AND r.owner = k.owner
        AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.key = o.team AND t.archived_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM okr_checkins c WHERE c.key_result_id = r.key_result_id AND c.week = r.week)
      ORDER BY k.owner, r.key_result_id`,
    [week],
  );
  return rows.map((r) => ({ keyResultId: Number(r.key_result_id), owner: r.owner }));
}

export async function markRequestSent(db: Queryable, keyResultIds: number[], week: string): Promise<void> {
  await db.query(
    'UPDATE okr_checkin_requests SET sent_at = now() WHERE key_result_id = ANY($1::bigint[]) AND week = $2::date',
    [keyResultIds, week],
  );
}
