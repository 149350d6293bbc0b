import type { Queryable } from '../../store/db.js';
import type { JiraSprint } from './schemas.js';

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
