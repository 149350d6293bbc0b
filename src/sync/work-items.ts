import type { Queryable } from '../store/db.js';

// Tickets from every tracker (Jira, Linear, GitHub issues) share one normalized shape.
export interface WorkItemRow {
  key: string;
  project: string;
  title: string;
  type: string | null;
  status: string;
  statusCategory: string | null;
  priority: string | null;
  assignee: string | null;
  labels: string[];
  points: number | null;
  sprintIds: string[];
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  url: string;
  /** The tracker project (epic/Linear project) the item belongs to. */
  projectId?: string | null;
  /** The GitHub milestone's title (GitHub issues). */
  milestone?: string | null;
}

export interface FieldChange {
  changeId: string;
  field: string;
  from: string | null;
  to: string | null;
  author: string | null;
  at: string;
}

export async function upsertWorkItem(db: Queryable, source: string, row: WorkItemRow): Promise<void> {
  await db.query(
    `INSERT INTO work_items (source, key, project, title, type, status, status_category, priority, assignee, labels, points,
       sprint_ids, created_at, updated_at, resolved_at, url, project_id, milestone)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)
     ON CONFLICT (source, key) DO UPDATE SET project = EXCLUDED.project, title = EXCLUDED.title, type = EXCLUDED.type,
       status = EXCLUDED.status, status_category = EXCLUDED.status_category, priority = EXCLUDED.priority,
       assignee = EXCLUDED.assignee, labels = EXCLUDED.labels, points = EXCLUDED.points, sprint_ids = EXCLUDED.sprint_ids,
       updated_at = EXCLUDED.updated_at, resolved_at = EXCLUDED.resolved_at, url = EXCLUDED.url, project_id = EXCLUDED.project_id,
       milestone = EXCLUDED.milestone
     WHERE work_items.updated_at <= EXCLUDED.updated_at`,
    [
      source,
      row.key,
      row.project,
      row.title,
      row.type,
      row.status,
      row.statusCategory,
      row.priority,
      row.assignee,
      row.labels,
      row.points,
      row.sprintIds,
      row.createdAt,
      row.updatedAt,
      row.resolvedAt,
      row.url,
      row.projectId ?? null,
      row.milestone ?? null,
    ],
  );
}

export async function insertChanges(db: Queryable, source: string, key: string, changes: FieldChange[]): Promise<void> {
  for (const c of changes) {
    await db.query(
      `INSERT INTO work_item_changes (source, key, change_id, field, from_value, to_value, author, changed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
      [source, key, c.changeId, c.field, c.from, c.to, c.author, c.at],
    );
  }
}
