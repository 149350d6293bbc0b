import type { Queryable } from '../store/db.js';
import type { IncidentMatch } from './sources.js';

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
     -- Of two versions with the same time (GitHub's are to the second, deliveries come out of order), an unresolved
     -- one never undoes a resolution.
     WHERE work_items.updated_at < EXCLUDED.updated_at
        OR (work_items.updated_at = EXCLUDED.updated_at
            AND (EXCLUDED.resolved_at IS NOT NULL OR work_items.resolved_at IS NULL))`,
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

/**
 * Upserts the incidents found among a tracker's work items (by type or label, case-insensitively).
 * Only rows whose work item changed since the incident was last written are touched.
 */
export async function deriveTrackerIncidents(db: Queryable, source: string, match: IncidentMatch): Promise<number> {
  const types = (match.issue_types ?? []).map((t) => t.toLowerCase());
  const labels = match.labels.map((l) => l.toLowerCase());
  if (!types.length && !labels.length) return 0;
  const result = await db.query(
    `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at, resolved_at, url, updated_at)
     SELECT source, key, project, title, priority,
            CASE WHEN status_category = 'done' THEN 'resolved' ELSE 'open' END,
            created_at, CASE WHEN status_category = 'done' THEN coalesce(resolved_at, updated_at) END, url, updated_at
       FROM work_items
      WHERE source = $1
        AND (lower(coalesce(type, '')) = ANY($2::text[])
             OR EXISTS (SELECT 1 FROM unnest(labels) AS label WHERE lower(label) = ANY($3::text[])))
     ON CONFLICT (source, external_id) DO UPDATE SET title = EXCLUDED.title, severity = EXCLUDED.severity,
       status = EXCLUDED.status, resolved_at = EXCLUDED.resolved_at, scope = EXCLUDED.scope, url = EXCLUDED.url,
       updated_at = EXCLUDED.updated_at
     WHERE incidents.updated_at < EXCLUDED.updated_at`,
    [source, types, labels],
  );
  return result.rowCount;
}

/**
 * Removes a work item deleted at `at` (its changes, and the incident it was), unless it was updated after the
 * deletion. A deleted ticket was no incident: DORA and triage stop counting it.
 */
export async function deleteWorkItem(db: Queryable, source: string, key: string, at: string): Promise<void> {
  const gone = await db.query('DELETE FROM work_items WHERE source = $1 AND key = $2 AND updated_at <= $3', [
    source,
    key,
    at,
  ]);
  if (!gone.rowCount) return;
  await db.query('DELETE FROM work_item_changes WHERE source = $1 AND key = $2', [source, key]);
  await db.query(
    `DELETE FROM incidents i WHERE i.source = $1 AND i.external_id = $2
        AND NOT EXISTS (SELECT 1 FROM incident_rooms r WHERE r.source = i.source AND r.incident_id = i.external_id)`,
    [source, key],
  );
}
