import type { Queryable } from '../../store/db.js';
import type { FieldChange, WorkItemRow } from './normalize.js';
import type { JiraSprint } from './schemas.js';

export async function upsertWorkItem(db: Queryable, source: string, row: WorkItemRow): Promise<void> {
  await db.query(
    `INSERT INTO work_items (source, key, project, title, type, status, status_category, priority, assignee, labels, points,
       sprint_ids, created_at, updated_at, resolved_at, url)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
     ON CONFLICT (source, key) DO UPDATE SET project = EXCLUDED.project, title = EXCLUDED.title, type = EXCLUDED.type,
       status = EXCLUDED.status, status_category = EXCLUDED.status_category, priority = EXCLUDED.priority,
       assignee = EXCLUDED.assignee, labels = EXCLUDED.labels, points = EXCLUDED.points, sprint_ids = EXCLUDED.sprint_ids,
       updated_at = EXCLUDED.updated_at, resolved_at = EXCLUDED.resolved_at, url = EXCLUDED.url
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

export async function upsertSprint(db: Queryable, board: string, sprint: JiraSprint): Promise<void> {
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at, goal)
     VALUES ('jira', $1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source, id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, start_at = EXCLUDED.start_at,
       end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at, goal = EXCLUDED.goal`,
    [
      String(sprint.id),
      board,
      sprint.name,
      sprint.state,
      sprint.startDate ?? null,
      sprint.endDate ?? null,
      sprint.completeDate ?? null,
      sprint.goal ?? null,
    ],
  );
}
