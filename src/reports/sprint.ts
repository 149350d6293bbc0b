import { DateTime } from 'luxon';
import { flatMapInSlices } from '../lib/slices.js';
import type { Queryable } from '../store/db.js';
import {
  activeSprint,
  earlierSprintIds,
  type SprintChangeRow,
  type SprintItemRow,
  sprintChanges,
  sprintItems,
} from './sprint-store.js';

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
  removed: { count: number; points: number };
  /** Committed items that were already in an earlier sprint (not finished there). */
  carriedOver: { count: number; points: number };
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

/** An item with what its history says about the sprint. */
type ReplayedItem = SprintItem & {
  inNow: boolean;
  atStart: boolean;
  removed: boolean;
  startPoints: number;
  carried: boolean;
  inProgress: boolean;
  blockedLabel: boolean;
};

const plain = (i: SprintItem): SprintItem => ({
  key: i.key,
  title: i.title,
  status: i.status,
  done: i.done,
  points: i.points,
  added: i.added,
  url: i.url,
  assignee: i.assignee,
  inStatusDays: i.inStatusDays,
});

/** "41, 42" or "Sprint 41, Sprint 42" as a list. */
const list = (value: string | null) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

/**
 * Unfinished work rolls over when the previous sprint or cycle completes, which Linear does at the moment the next one
 * starts (and a Jira sprint completed just after the next one started does the same): the move lands minutes after
 * the start. A move from another sprint into this one within this grace is membership at the start, carried over,
 * not scope added.
 */
export const ROLLOVER_GRACE_MS = 60 * 60 * 1000;

function asOfRollover(c: SprintChangeRow, token: string, start: number): SprintChangeRow {
  const at = c.changed_at.getTime();
  if (at <= start || at > start + ROLLOVER_GRACE_MS) return c;
  const from = list(c.from_value);
  const rollover = from.length > 0 && !from.includes(token) && list(c.to_value).includes(token);
  return rollover ? { ...c, changed_at: new Date(start) } : c;
}

/**
 * Replays an item's history around the sprint's start: whether it was in the sprint then (the first membership
 * change after the start says what it was before; with none, it is what it is now), with the estimate it had then
 * (the first points change after the start says it), and which other sprints it was in.
 */
function reconstruct(
  r: SprintItemRow,
  sprint: { id: string; name: string },
  changes: SprintChangeRow[],
  start: number,
): { inNow: boolean; atStart: boolean; joinedLater: boolean; startPoints: number; otherSprints: string[] } {
  const inNow = r.sprint_ids.includes(sprint.id);
  // Ids tell sprints apart exactly; names are the fallback for histories stored before ids were.
  const token = changes.some((c) => c.field === 'sprint_ids') ? sprint.id : sprint.name;
  const byId = changes.filter((c) => c.field === 'sprint_ids').map((c) => asOfRollover(c, token, start));
  const membership = byId.length
    ? byId
    : changes.filter((c) => c.field === 'Sprint' || c.field === 'cycle').map((c) => asOfRollover(c, token, start));
  const firstAfter = membership.find((c) => c.changed_at.getTime() > start);
  const created = r.created_at.getTime() <= start;
  const before = firstAfter ? list(firstAfter.from_value) : null;
  const atStart = created && (before ? before.includes(token) : inNow);
  const joinedLater = membership.some((c) => c.changed_at.getTime() > start && list(c.to_value).includes(token));
  const pointsAfter = changes.find((c) => c.field === 'points' && c.changed_at.getTime() > start);
  const startPoints = pointsAfter ? Number(pointsAfter.from_value ?? 0) || 0 : Number(r.points ?? 0);
  // Every sprint it was in up to the start (Jira keeps closed sprints in the field; Linear moves it between cycles).
  const upToStart = byId
    .filter((c) => c.changed_at.getTime() <= start)
    .flatMap((c) => [...list(c.from_value), ...list(c.to_value)]);
  const otherSprints = [...new Set([...upToStart, ...(before ?? []), ...r.sprint_ids])].filter(
    (id) => id !== sprint.id,
  );
  return { inNow, atStart, joinedLater, startPoints, otherSprints };
}

/**
 * The active sprint (Jira) or cycle (Linear) with the most items: committed vs completed, scope change after
 * the start, the pace-based carry-over risk, and blocked or aging items. `agingDays` marks in-progress work.
 */
export async function buildSprintHealth(
  db: Queryable,
  options: {
    now?: Date;
    agingDays?: number;
    /** A team's sprints: those of its boards (Jira board ids, Linear team keys), else those holding its projects' items. */
    team?: { boards: string[]; projects: string[] };
    /**
     * Where the burndown's days are dated (the team's time zone, else REPORTS_TIMEZONE; default UTC): day N starts N
     * calendar days after the sprint's start at the same local time, so a DST change moves no day and a team east
     * of UTC does not see the day before on its chart.
     */
    timezone?: string;
  } = {},
): Promise<SprintHealth | null> {
  const now = options.now ?? new Date();
  const sprint = await activeSprint(db, options.team?.boards ?? null, options.team?.projects ?? []);
  if (!sprint) return null;
  const rows = await sprintItems(db, sprint);
  const keys = rows.map((r) => r.key);
  const changeRows = await sprintChanges(db, sprint.source, keys);
  const earlierIds = new Set(await earlierSprintIds(db, sprint));
  const start = sprint.start_at.getTime();
  const changesByKey = new Map<string, SprintChangeRow[]>();
  for (const c of changeRows) {
    const list = changesByKey.get(c.key);
    if (list) list.push(c);
    else changesByKey.set(c.key, [c]);
  }
  // A big sprint is thousands of items: replayed in slices, so Slack's acks do not wait for it.
  const items = await flatMapInSlices(rows, (slice) =>
    slice.map((r) => {
      const history = reconstruct(r, sprint, changesByKey.get(r.key) ?? [], start);
      const inProgress = r.status_category ? r.status_category === 'indeterminate' : !/to do|backlog/i.test(r.status);
      const item: ReplayedItem = {
        key: r.key,
        title: r.title,
        status: r.status,
        done: r.status_category === 'done',
        points: Number(r.points ?? 0),
        added: history.inNow && !history.atStart,
        url: r.url,
        assignee: r.assignee,
        inStatusDays: (now.getTime() - (r.status_since ?? r.updated_at).getTime()) / DAY,
        inNow: history.inNow,
        atStart: history.atStart,
        // Left after the start: it was in the sprint at the start or joined it later (planning moves do not count).
        removed: !history.inNow && (history.atStart || history.joinedLater),
        startPoints: history.startPoints,
        carried: history.atStart && history.otherSprints.some((id) => earlierIds.has(id)),
        inProgress,
        blockedLabel: r.labels.some((l) => l.toLowerCase() === 'blocked'),
      };
      return item;
    }),
  );
  const current = items.filter((i) => i.inNow);
  const atStart = items.filter((i) => i.atStart);
  const sum = (list: SprintItem[]) => ({ count: list.length, points: list.reduce((n, i) => n + i.points, 0) });
  const sumAtStart = (list: ReplayedItem[]) => ({
    count: list.length,
    points: list.reduce((n, i) => n + i.startPoints, 0),
  });
  const committed = sumAtStart(atStart);
  const carriedOver = sumAtStart(atStart.filter((i) => i.carried));
  const completed = sum(current.filter((i) => i.done));
  const added = sum(current.filter((i) => i.added));
  const removed = sumAtStart(items.filter((i) => i.removed));
  const remainingPoints = current.filter((i) => !i.done).reduce((n, i) => n + i.points, 0);
  const daysElapsed = Math.max(0, (now.getTime() - sprint.start_at.getTime()) / DAY);
  const daysLeft = sprint.end_at ? Math.max(0, (sprint.end_at.getTime() - now.getTime()) / DAY) : null;
  const pace = daysElapsed > 0 ? completed.points / daysElapsed : 0;
  const carryOverPoints = daysLeft === null ? null : Math.max(0, Math.round(remainingPoints - pace * daysLeft));
  const agingDays = options.agingDays ?? 3;
  const total = current.reduce((n, i) => n + i.points, 0);
  const currentKeys = new Set(current.map((i) => i.key));
  const currentRows = rows.filter((r) => currentKeys.has(r.key));
  const startLocal = DateTime.fromMillis(start, { zone: options.timezone ?? 'UTC' });
  const days = sprint.end_at
    ? Math.max(
        1,
        Math.round(DateTime.fromJSDate(sprint.end_at, { zone: startLocal.zone }).diff(startLocal, 'days').days),
      )
    : 14;
  // Where each day begins: N calendar days after the start at the same local time (a 23- or 25-hour day is one day).
  const dayStarts = Array.from({ length: days + 2 }, (_, d) => startLocal.plus({ days: d }).toMillis());
  /** The day a moment falls in: 0 before the start (done before it), `days + 1` after the last. */
  const dayOf = (at: number) => {
    let day = Math.min(days + 1, Math.max(0, Math.floor((at - start) / DAY)));
    while (day > 0 && at < (dayStarts[day] as number)) day -= 1;
    while (day <= days && at >= (dayStarts[day + 1] as number)) day += 1;
    return day;
  };
  // Points done by the end of each day: each done item counted once, on the day it was resolved (or before day 0).
  const doneOnDay = new Array<number>(days + 1).fill(0);
  for (const r of currentRows) {
    if (r.status_category !== 'done') continue;
    const day = dayOf((r.resolved_at ?? r.updated_at).getTime());
    if (day <= days) doneOnDay[day] = (doneOnDay[day] ?? 0) + Number(r.points ?? 0);
  }
  const burndown: SprintHealth['burndown'] = [];
  let open = currentRows.reduce((n, r) => n + Number(r.points ?? 0), 0);
  for (let d = 0; d <= days; d += 1) {
    // Dated in the team's time zone: a sprint starting Monday 09:00 in Sydney reads Monday, not Sunday (UTC).
    const label = startLocal.plus({ days: d }).toFormat('MM-dd');
    burndown.push({ day: label, series: 'ideal', points: Math.round(total * (1 - d / days) * 10) / 10 });
    open -= doneOnDay[d] ?? 0;
    if ((dayStarts[d] as number) > now.getTime()) continue;
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
    removed,
    carriedOver,
    remainingPoints,
    daysElapsed,
    daysLeft,
    carryOverPoints,
    burndown,
    blocked: current.filter((i) => !i.done && (/blocked/i.test(i.status) || i.blockedLabel)).map(plain),
    aging: current
      .filter((i) => !i.done && i.inProgress && !/blocked/i.test(i.status) && (i.inStatusDays ?? 0) > agingDays)
      .map(plain),
  };
}
