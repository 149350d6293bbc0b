import { readInPages } from '../lib/slices.js';
import type { Queryable } from '../store/db.js';

export interface ActiveSprint {
  source: string;
  id: string;
  name: string;
  start_at: Date;
  end_at: Date | null;
}

/** A work item that is or was in a sprint, with when it entered its current status. */
export interface SprintItemRow {
  key: string;
  title: string;
  status: string;
  status_category: string | null;
  points: number | null;
  url: string | null;
  assignee: string | null;
  labels: string[];
  sprint_ids: string[];
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  status_since: Date | null;
}

/** One change of an item's sprint membership (`sprint_ids`, or by name `Sprint`/`cycle`) or of its `points`. */
export interface SprintChangeRow {
  key: string;
  field: string;
  from_value: string | null;
  to_value: string | null;
  changed_at: Date;
}

/**
 * The active sprint with the most items (the latest started on a tie). With `boards`, only those of these boards;
 * with an empty `boards`, those holding items of `projects`.
 */
export async function activeSprint(
  db: Queryable,
  boards: string[] | null,
  projects: string[],
): Promise<ActiveSprint | undefined> {
  const { rows } = await db.query<ActiveSprint>(
    `SELECT s.source, s.id, s.name, s.start_at, s.end_at FROM sprints s
      WHERE s.state = 'active' AND s.start_at IS NOT NULL
        AND ($1::text[] IS NULL OR s.board = ANY($1::text[])
             OR (cardinality($1::text[]) = 0 AND EXISTS (
                   SELECT 1 FROM work_items w WHERE w.source = s.source AND s.id = ANY(w.sprint_ids)
                      AND w.project = ANY($2::text[]))))
      ORDER BY (SELECT count(*) FROM work_items w WHERE w.source = s.source AND s.id = ANY(w.sprint_ids)) DESC, s.start_at DESC
      LIMIT 1`,
    [boards, projects],
  );
  return rows[0];
}

/** The items in the sprint now, or that a membership change names it in (by id or by name), by key. */
export async function sprintItems(
  db: Queryable,
  sprint: Pick<ActiveSprint, 'source' | 'id' | 'name'>,
): Promise<SprintItemRow[]> {
  return readInPages(async (after, limit) => {
    const { rows } = await db.query<SprintItemRow>(
      `SELECT w.key, w.title, w.status, w.status_category, w.points::float AS points, w.url, w.assignee, w.labels,
            w.sprint_ids, w.created_at, w.updated_at, w.resolved_at,
            (SELECT max(c.changed_at) FROM work_item_changes c
              WHERE c.source = w.source AND c.key = w.key AND c.field = 'status' AND c.to_value = w.status) AS status_since
       FROM work_items w
      WHERE w.source = $1 AND ($2 = ANY(w.sprint_ids) OR EXISTS (
              SELECT 1 FROM work_item_changes c
               WHERE c.source = w.source AND c.key = w.key AND c.field IN ('sprint_ids', 'Sprint', 'cycle')
                 AND (position($2 IN coalesce(c.from_value, '') || ',' || coalesce(c.to_value, '')) > 0
                      OR position($3 IN coalesce(c.from_value, '') || ',' || coalesce(c.to_value, '')) > 0)))
        AND ($4::text IS NULL OR w.key > $4)
      ORDER BY w.key LIMIT $5`,
      [sprint.source, sprint.id, sprint.name, after?.key ?? null, limit],
    );
    return rows;
  });
}

const CHANGES_KEYS_PER_READ = 1000;

/** The sprint membership and points changes of these items, by key, oldest first. */
export async function sprintChanges(db: Queryable, source: string, keys: string[]): Promise<SprintChangeRow[]> {
  const rows: SprintChangeRow[] = [];
  // By slices of keys: a big sprint's history is tens of thousands of rows, too many to take in one piece.
  for (let i = 0; i < keys.length; i += CHANGES_KEYS_PER_READ) {
    const { rows: slice } = await db.query<SprintChangeRow>(
      `SELECT key, field, from_value, to_value, changed_at FROM work_item_changes
        WHERE source = $1 AND key = ANY($2::text[]) AND field IN ('sprint_ids', 'Sprint', 'cycle', 'points')
        ORDER BY key, changed_at, change_id`,
      [source, keys.slice(i, i + CHANGES_KEYS_PER_READ)],
    );
    for (const row of slice) rows.push(row);
  }
  return rows;
}

/** The ids of the source's other sprints that started before this one. */
export async function earlierSprintIds(
  db: Queryable,
  sprint: Pick<ActiveSprint, 'source' | 'id' | 'start_at'>,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM sprints WHERE source = $1 AND id <> $2 AND start_at < $3',
    [sprint.source, sprint.id, sprint.start_at],
  );
  return rows.map((r) => r.id);
}
