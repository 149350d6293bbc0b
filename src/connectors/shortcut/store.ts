import { recordIdentity } from '../../identity/store.js';
import type { Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { insertChanges, upsertWorkItem } from '../../sync/work-items-store.js';
import {
  epicProgress,
  historyChanges,
  iterationSprint,
  type ShortcutWorkspace,
  storyEvent,
  storyRow,
} from './normalize.js';
import type { ShortcutEpic, ShortcutHistory, ShortcutIteration, ShortcutStory } from './schemas.js';

/** One story, its changes and its owner, stored as polling and webhooks both store it (call it in a transaction). */
export async function storeStory(
  db: Queryable,
  ws: ShortcutWorkspace,
  story: ShortcutStory,
  raw: unknown,
  history: ShortcutHistory[],
): Promise<void> {
  await insertEvents(db, [storyEvent(story, storyRow(story, ws), raw)]);
  await storeStoryRows(db, ws, story, history);
}

/** A story's rows (its event is written by the caller): work item, changes, owner. */
export async function storeStoryRows(
  db: Queryable,
  ws: ShortcutWorkspace,
  story: ShortcutStory,
  history: ShortcutHistory[],
): Promise<void> {
  const row = storyRow(story, ws);
  await upsertWorkItem(db, 'shortcut', row);
  await insertChanges(db, 'shortcut', row.key, historyChanges(story.id, history, ws));
  const owner = row.assignee ? ws.members.get(row.assignee) : undefined;
  if (row.assignee) await recordIdentity(db, { shortcut: row.assignee, email: owner?.email, displayName: owner?.name });
}

/** When the stored copy of each story was last updated (to skip the unchanged ones a day-wide search returns). */
export async function storedUpdates(db: Queryable, keys: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ key: string; updated_at: Date }>(
    "SELECT key, updated_at FROM work_items WHERE source = 'shortcut' AND key = ANY($1::text[])",
    [keys],
  );
  return new Map(rows.map((r) => [r.key, new Date(r.updated_at).getTime()]));
}

export async function upsertShortcutIteration(db: Queryable, team: string, it: ShortcutIteration): Promise<void> {
  const s = iterationSprint(it);
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at) VALUES ('shortcut', $1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (source, id) DO UPDATE SET board = EXCLUDED.board, name = EXCLUDED.name, state = EXCLUDED.state,
       start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at`,
    [s.id, team, s.name, s.state, s.start, s.end, s.completedAt],
  );
}

export async function upsertShortcutEpic(db: Queryable, team: string, e: ShortcutEpic): Promise<void> {
  await db.query(
    `INSERT INTO projects (source, id, team, name, state, lead, progress, target_date, updated_at, url)
     VALUES ('shortcut', $1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (source, id) DO UPDATE SET team = EXCLUDED.team, name = EXCLUDED.name, state = EXCLUDED.state,
       lead = EXCLUDED.lead, progress = EXCLUDED.progress, target_date = EXCLUDED.target_date,
       updated_at = EXCLUDED.updated_at, url = EXCLUDED.url`,
    [
      String(e.id),
      team,
      e.name,
      e.state,
      e.owner_ids[0] ?? null,
      epicProgress(e),
      e.deadline ? e.deadline.slice(0, 10) : null,
      e.updated_at,
      e.app_url,
    ],
  );
}
