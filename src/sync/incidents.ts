import type { Queryable } from '../store/db.js';
import type { IncidentMatch } from './sources.js';

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
