import type { Queryable } from '../store/db.js';

export interface SprintItem {
  key: string;
  title: string;
  status: string;
  done: boolean;
  points: number;
  added: boolean;
  url: string | null;
  assignee: string | null;
  inStatusDays: number | null;
}

export interface SprintHealth {
  source: string;
  id: string;
  name: string;
  startAt: Date;
  endAt: Date | null;
  committed: { count: number; points: number };
  completed: { count: number; points: number };
  added: { count: number; points: number };
  removed: { count: number };
  remainingPoints: number;
  daysElapsed: number;
  daysLeft: number | null;
  /** Points likely left at the end at the pace so far (0 = on track). */
  carryOverPoints: number | null;
  blocked: SprintItem[];
  aging: SprintItem[];
  /** Open points at the end of each day so far, with the ideal line to zero at the sprint's end. */
  burndown: { day: string; series: 'remaining' | 'ideal'; points: number }[];
}

const DAY = 86_400_000;

/**
 * The active sprint (Jira) or cycle (Linear) with the most items: committed vs completed, scope change after
 * the start, the pace-based carry-over risk, and blocked or aging items. `agingDays` marks in-progress work.
 */
export async function buildSprintHealth(
  db: Queryable,
  options: { now?: Date; agingDays?: number } = {},
): Promise<SprintHealth | null> {
  const now = options.now ?? new Date();
  const { rows: sprints } = await db.query<{
    source: string;
    id: string;
    name: string;
    start_at: Date;
    end_at: Date | null;
  }>(
    `SELECT s.source, s.id, s.name, s.start_at, s.end_at FROM sprints s
      WHERE s.state = 'active' AND s.start_at IS NOT NULL
      ORDER BY (SELECT count(*) FROM work_items w WHERE w.source = s.source AND s.id = ANY(w.sprint_ids)) DESC, s.start_at DESC
      LIMIT 1`,
  );
  const sprint = sprints[0];
  if (!sprint) return null;
  const { rows } = await db.query<{
    key: string;
    title: string;
    status: string;
    status_category: string | null;
    points: number | null;
    url: string | null;
    assignee: string | null;
    added: boolean;
    status_since: Date | null;
    updated_at: Date;
    resolved_at: Date | null;
  }>(
    `SELECT w.key, w.title, w.status, w.status_category, w.points, w.url, w.assignee, w.updated_at, w.resolved_at,
            (w.created_at > $3 OR EXISTS (
               SELECT 1 FROM work_item_changes c
                WHERE c.source = w.source AND c.key = w.key AND c.field IN ('Sprint', 'cycle') AND c.changed_at > $3
                  AND position($4 IN coalesce(c.to_value, '')) > 0 AND position($4 IN coalesce(c.from_value, '')) = 0)) AS added,
            (SELECT max(c.changed_at) FROM work_item_changes c
              WHERE c.source = w.source AND c.key = w.key AND c.field = 'status' AND c.to_value = w.status) AS status_since
       FROM work_items w WHERE w.source = $1 AND $2 = ANY(w.sprint_ids) ORDER BY w.key`,
    [sprint.source, sprint.id, sprint.start_at, sprint.name],
  );
  const { rows: removedRows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT c.key)::int AS n FROM work_item_changes c
      JOIN work_items w ON w.source = c.source AND w.key = c.key
     WHERE c.source = $1 AND c.field IN ('Sprint', 'cycle') AND c.changed_at > $2
       AND position($3 IN coalesce(c.from_value, '')) > 0 AND position($3 IN coalesce(c.to_value, '')) = 0
       AND NOT ($4 = ANY(w.sprint_ids))`,
    [sprint.source, sprint.start_at, sprint.name, sprint.id],
  );
  const items: SprintItem[] = rows.map((r) => ({
    key: r.key,
    title: r.title,
    status: r.status,
    done: r.status_category === 'done',
    points: Number(r.points ?? 0),
    added: r.added,
    url: r.url,
    assignee: r.assignee,
    inStatusDays: (now.getTime() - (r.status_since ?? r.updated_at).getTime()) / DAY,
  }));
  const sum = (list: SprintItem[]) => ({ count: list.length, points: list.reduce((n, i) => n + i.points, 0) });
  const committed = sum(items.filter((i) => !i.added));
  const completed = sum(items.filter((i) => i.done));
  const added = sum(items.filter((i) => i.added));
  const remainingPoints = items.filter((i) => !i.done).reduce((n, i) => n + i.points, 0);
  const daysElapsed = Math.max(0, (now.getTime() - sprint.start_at.getTime()) / DAY);
  const daysLeft = sprint.end_at ? Math.max(0, (sprint.end_at.getTime() - now.getTime()) / DAY) : null;
  const pace = daysElapsed > 0 ? completed.points / daysElapsed : 0;
  const carryOverPoints = daysLeft === null ? null : Math.max(0, Math.round(remainingPoints - pace * daysLeft));
  const agingDays = options.agingDays ?? 3;
  const total = items.reduce((n, i) => n + i.points, 0);
  const days = sprint.end_at
    ? Math.max(1, Math.round((sprint.end_at.getTime() - sprint.start_at.getTime()) / DAY))
    : 14;
  const burndown: SprintHealth['burndown'] = [];
  for (let d = 0; d <= days; d += 1) {
    const dayEnd = new Date(sprint.start_at.getTime() + (d + 1) * DAY);
    const label = new Date(sprint.start_at.getTime() + d * DAY).toISOString().slice(5, 10);
    burndown.push({ day: label, series: 'ideal', points: Math.round(total * (1 - d / days) * 10) / 10 });
    if (dayEnd.getTime() - DAY > now.getTime()) continue;
    const open = rows
      .filter((r) => !(r.status_category === 'done' && (r.resolved_at ?? r.updated_at) < dayEnd))
      .reduce((n, r) => n + Number(r.points ?? 0), 0);
    burndown.push({ day: label, series: 'remaining', points: open });
  }
  return {
    source: sprint.source,
    id: sprint.id,
    name: sprint.name,
    startAt: sprint.start_at,
    endAt: sprint.end_at,
    committed,
    completed,
    added,
    removed: { count: removedRows[0]?.n ?? 0 },
    remainingPoints,
    daysElapsed,
    daysLeft,
    carryOverPoints,
    burndown,
    blocked: items.filter((i) => !i.done && /blocked/i.test(i.status)),
    aging: items.filter(
      (i) =>
        !i.done && !/blocked/i.test(i.status) && !/to do|backlog/i.test(i.status) && (i.inStatusDays ?? 0) > agingDays,
    ),
  };
}
