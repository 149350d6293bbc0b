import { recordIdentity } from '../../identity/store.js';
import type { Logger } from '../../observability/logger.js';
import type { Db, Queryable } from '../../store/db.js';
import { isDataError } from '../../store/well-formed.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, insertEvents, setCursor } from '../../sync/store.js';
import { type FieldChange, insertChanges, upsertWorkItem, type WorkItemRow } from '../../sync/work-items.js';
import { type ShortcutClient, withShortcutRetry } from './client.js';
import {
  epicSchema,
  groupSchema,
  historySchema,
  iterationSchema,
  memberSchema,
  type ShortcutHistory,
  type ShortcutStory,
  searchPageSchema,
  storySchema,
  workflowSchema,
} from './schemas.js';

export { createShortcutClient } from './client.js';

// Shortcut's workflow state types mapped onto the status categories reports use (Jira's names).
const CATEGORY: Record<string, string> = { backlog: 'new', unstarted: 'new', started: 'indeterminate', done: 'done' };
const DAY = 86_400_000;
/** Search pages: Shortcut serves at most 25 a page, and only the first 1000 matches of a query. */
const PAGE = 25;
const REACH = 1000;

/** What a sync needs to read stories: the configured teams, workflow states and members by id. */
export interface ShortcutWorkspace {
  /** Team (group) id → mention name, for the teams sources.yml names. */
  teams: Map<string, string>;
  states: Map<number, { name: string; type: string }>;
  members: Map<string, { name: string | null; email: string | null }>;
}

export async function loadWorkspace(
  client: ShortcutClient,
  logger: Logger,
  teams: string[],
): Promise<ShortcutWorkspace> {
  const groups = await withShortcutRetry('list teams', () => client.listGroups({}), logger);
  const byMention = new Map<string, string>();
  for (const raw of groups) {
    const g = groupSchema.safeParse(raw);
    if (g.success) byMention.set(g.data.mention_name.toLowerCase(), g.data.id);
  }
  const missing = teams.filter((t) => !byMention.has(t.toLowerCase()));
  if (missing.length)
    throw new Error(`Shortcut has no team with mention name ${missing.join(', ')} (sources.yml shortcut.teams)`);
  const states = new Map<number, { name: string; type: string }>();
  for (const raw of await withShortcutRetry('list workflows', () => client.listWorkflows(), logger)) {
    const w = workflowSchema.safeParse(raw);
    if (w.success) for (const s of w.data.states) states.set(s.id, { name: s.name, type: s.type });
  }
  const members = new Map<string, { name: string | null; email: string | null }>();
  for (const raw of await withShortcutRetry('list members', () => client.listMembers({}), logger)) {
    const m = memberSchema.safeParse(raw);
    if (m.success)
      members.set(m.data.id, { name: m.data.profile.name ?? null, email: m.data.profile.email_address ?? null });
  }
  return {
    teams: new Map(teams.map((t) => [byMention.get(t.toLowerCase()) as string, t])),
    states,
    members,
  };
}

export const storyKey = (id: number | string) => `SC-${id}`;

export function storyRow(story: ShortcutStory, ws: ShortcutWorkspace): WorkItemRow {
  const state = ws.states.get(story.workflow_state_id);
  return {
    key: storyKey(story.id),
    project: (story.group_id && ws.teams.get(story.group_id)) || 'shortcut',
    title: story.name,
    type: story.story_type,
    status: state?.name ?? String(story.workflow_state_id),
    statusCategory: state ? (CATEGORY[state.type] ?? null) : null,
    priority: null,
    assignee: story.owner_ids[0] ?? null,
    labels: story.labels.map((l) => l.name),
    points: story.estimate ?? null,
    sprintIds: story.iteration_id ? [String(story.iteration_id)] : [],
    createdAt: story.created_at,
    updatedAt: story.updated_at,
    resolvedAt: state?.type === 'done' ? (story.completed_at ?? story.updated_at) : null,
    url: story.app_url,
    projectId: story.epic_id ? String(story.epic_id) : null,
  };
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Workflow state, iteration (by id, as sprint membership) and estimate changes of one story, as work item changes. */
export function historyChanges(storyId: number, entries: ShortcutHistory[], ws: ShortcutWorkspace): FieldChange[] {
  return entries.flatMap((h) => {
    const stateName = (id: unknown) => {
      if (id === undefined || id === null) return null;
      const ref = h.references.find((r) => r.entity_type === 'workflow-state' && String(r.id) === String(id));
      return ref?.name ?? ws.states.get(Number(id))?.name ?? String(id);
    };
    const base = { changeId: h.id, author: h.member_id ?? null, at: h.changed_at };
    return h.actions
      .filter((a) => a.entity_type === 'story' && String(a.id) === String(storyId) && a.changes)
      .flatMap((a) => {
        const c = a.changes ?? {};
        return [
          ...(c.workflow_state_id?.new !== undefined
            ? [
                {
                  ...base,
                  field: 'status',
                  from: stateName(c.workflow_state_id.old),
                  to: stateName(c.workflow_state_id.new) as string,
                },
              ]
            : []),
          ...(c.iteration_id
            ? [{ ...base, field: 'sprint_ids', from: text(c.iteration_id.old), to: text(c.iteration_id.new) }]
            : []),
          ...(c.estimate ? [{ ...base, field: 'points', from: text(c.estimate.old), to: text(c.estimate.new) }] : []),
        ];
      });
  });
}

/** The story's whole history (Shortcut returns it in one response); a malformed entry is named and skipped. */
export async function storyHistory(
  client: ShortcutClient,
  logger: Logger,
  id: number,
): Promise<{ entries: ShortcutHistory[]; rejected: string[] }> {
  const raw = await withShortcutRetry(`story ${id} history`, () => client.storyHistory(id), logger);
  const entries: ShortcutHistory[] = [];
  const rejected: string[] = [];
  for (const item of raw as unknown[]) {
    const parsed = historySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
    else rejected.push(rejectionReason(`${storyKey(id)} history`, parsed.error));
  }
  return { entries, rejected };
}

/** One story, its changes and its owner, stored as polling and webhooks both store it. */
export async function storeStory(
  db: Db,
  ws: ShortcutWorkspace,
  story: ShortcutStory,
  raw: unknown,
  history: ShortcutHistory[],
): Promise<void> {
  const row = storyRow(story, ws);
  await db.transaction(async (tx) => {
    await insertEvents(tx, [
      {
        source: 'shortcut',
        kind: 'story',
        externalId: `${row.key}@${story.updated_at}`,
        occurredAt: story.updated_at,
        actor: row.assignee,
        subject: row.key,
        normalized: { status: row.status, title: row.title },
        raw,
      },
    ]);
    await upsertWorkItem(tx, 'shortcut', row);
    await insertChanges(tx, 'shortcut', row.key, historyChanges(story.id, history, ws));
    const owner = row.assignee ? ws.members.get(row.assignee) : undefined;
    if (row.assignee)
      await recordIdentity(tx, { shortcut: row.assignee, email: owner?.email, displayName: owner?.name });
  });
}

/** When the stored copy of each story was last updated (to skip the unchanged ones a day-wide search returns). */
async function storedUpdates(db: Queryable, keys: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ key: string; updated_at: Date }>(
    "SELECT key, updated_at FROM work_items WHERE source = 'shortcut' AND key = ANY($1::text[])",
    [keys],
  );
  return new Map(rows.map((r) => [r.key, new Date(r.updated_at).getTime()]));
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface ShortcutSyncOptions {
  db: Db;
  logger: Logger;
  client: ShortcutClient;
  /** Team mention names. */
  teams: string[];
  backfillSince: Date;
  now?: () => Date;
  heartbeat?: () => Promise<void>;
}

export interface ShortcutSyncResult {
  stories: number;
  sprints: number;
  epics: number;
  rejected: number;
  lastSkip: string | null;
}

/**
 * Stories of the teams updated since the cursor (with their workflow-state, iteration and estimate history), then
 * the teams' iterations (as sprints) and epics (as projects). Search filters `updated` by day, so the cursor's day
 * is searched again and stories whose stored copy is as new are skipped without reading their history.
 */
export async function syncShortcut(options: ShortcutSyncOptions): Promise<ShortcutSyncResult> {
  const { db, logger, client, teams } = options;
  const scope = teams.join(',');
  const now = (options.now?.() ?? new Date()).getTime();
  const ws = await loadWorkspace(client, logger, teams);
  const cursor = (await getCursor<{ since?: string }>(db, 'shortcut', scope)) ?? {};
  // A day earlier than the cursor: search reads `updated` dates in the workspace's time zone.
  const since = cursor.since ? Date.parse(cursor.since) - DAY : options.backfillSince.getTime();
  let newest = cursor.since;
  let stories = 0;
  let rejected = 0;
  let lastSkip: string | null = null;
  const skip = (reason: string, what: string) => {
    rejected += 1;
    lastSkip = reason;
    logger.warn({ reason }, what);
  };

  const handle = async (page: unknown[]) => {
    const parsed = page.map((raw) => ({ raw, story: storySchema.safeParse(raw) }));
    const stored = await storedUpdates(
      db,
      parsed.flatMap((p) => (p.story.success ? [storyKey(p.story.data.id)] : [])),
    );
    for (const { raw, story: result } of parsed) {
      if (!result.success) {
        skip(
          rejectionReason(storyKey(String((raw as { id?: unknown }).id)), result.error),
          'malformed Shortcut story skipped',
        );
        continue;
      }
      const story = result.data;
      if ((stored.get(storyKey(story.id)) ?? -1) >= Date.parse(story.updated_at)) continue;
      const history = await storyHistory(client, logger, story.id);
      for (const reason of history.rejected) skip(reason, 'malformed Shortcut history entry skipped');
      const ok = await storeStory(db, ws, story, raw, history.entries).then(
        () => true,
        (err: unknown) => {
          if (!isDataError(err)) throw err;
          skip(
            `${storyKey(story.id)}: ${(err as Error).message}`.slice(0, 300),
            'Shortcut story the database cannot store skipped',
          );
          return false;
        },
      );
      if (!ok) continue;
      stories += 1;
      if (!newest || Date.parse(story.updated_at) > Date.parse(newest)) newest = story.updated_at;
    }
    await options.heartbeat?.();
  };

  /** Searches one range of days; a range with more matches than search can page through is split in two. */
  const searchRange = async (team: string, from: number, to: number | null): Promise<void> => {
    const query = `team:${team} updated:${dayOf(from)}..${to === null ? '*' : dayOf(to)}`;
    let next: string | undefined;
    let first = true;
    do {
      const page = searchPageSchema.parse(
        await withShortcutRetry(
          'story search',
          () => client.searchStories({ query, page_size: PAGE, detail: 'full', ...(next ? { next } : {}) }),
          logger,
        ),
      );
      const end = to ?? now;
      if (first && (page.total ?? 0) > REACH && dayOf(from) < dayOf(end)) {
        const middle = from + Math.floor((end - from) / DAY / 2) * DAY;
        await searchRange(team, from, middle);
        await searchRange(team, middle + DAY, to);
        return;
      }
      if (first && (page.total ?? 0) > REACH)
        logger.warn(
          { team, day: dayOf(from), total: page.total },
          'more Shortcut stories updated in one day than search reaches',
        );
      first = false;
      await handle(page.data);
      // `next` is the path and query of the next page; the client sends its token as the `next` parameter.
      next = page.next ? (new URL(page.next, 'http://x').searchParams.get('next') ?? undefined) : undefined;
    } while (next);
  };

  for (const team of teams) await searchRange(team, since, null);
  if (newest) await setCursor(db, 'shortcut', scope, { since: newest });

  const teamOf = (groupIds: string[]) => groupIds.map((g) => ws.teams.get(g)).find(Boolean);
  let sprints = 0;
  for (const raw of await withShortcutRetry('list iterations', () => client.listIterations(), logger)) {
    const parsed = iterationSchema.safeParse(raw);
    if (!parsed.success) {
      skip(
        rejectionReason(`iteration ${(raw as { id?: unknown }).id}`, parsed.error),
        'malformed Shortcut iteration skipped',
      );
      continue;
    }
    const it = parsed.data;
    const team = teamOf(it.group_ids);
    // An iteration of other teams only is none of ours; one without teams is the workspace's.
    if (!team && it.group_ids.length) continue;
    // Dates without a time: the iteration runs from the start of its first day to the end of its last (UTC).
    const start = `${it.start_date}T00:00:00.000Z`;
    const end = new Date(Date.parse(`${it.end_date}T00:00:00.000Z`) + DAY).toISOString();
    const state = it.status === 'done' ? 'closed' : it.status === 'started' ? 'active' : 'future';
    await db.query(
      `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at) VALUES ('shortcut', $1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source, id) DO UPDATE SET board = EXCLUDED.board, name = EXCLUDED.name, state = EXCLUDED.state,
         start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at`,
      [String(it.id), team ?? scope, it.name, state, start, end, state === 'closed' ? end : null],
    );
    sprints += 1;
  }

  let epics = 0;
  for (const raw of await withShortcutRetry('list epics', () => client.listEpics({}), logger)) {
    const parsed = epicSchema.safeParse(raw);
    if (!parsed.success) {
      skip(rejectionReason(`epic ${(raw as { id?: unknown }).id}`, parsed.error), 'malformed Shortcut epic skipped');
      continue;
    }
    const e = parsed.data;
    const team = teamOf(e.group_ids);
    if (!team && e.group_ids.length) continue;
    const points = e.stats?.num_points ?? 0;
    await db.query(
      `INSERT INTO projects (source, id, team, name, state, lead, progress, target_date, updated_at, url)
       VALUES ('shortcut', $1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source, id) DO UPDATE SET team = EXCLUDED.team, name = EXCLUDED.name, state = EXCLUDED.state,
         lead = EXCLUDED.lead, progress = EXCLUDED.progress, target_date = EXCLUDED.target_date,
         updated_at = EXCLUDED.updated_at, url = EXCLUDED.url`,
      [
        String(e.id),
        team ?? scope,
        e.name,
        e.state,
        e.owner_ids[0] ?? null,
        points > 0 ? (e.stats?.num_points_done ?? 0) / points : 0,
        e.deadline ? e.deadline.slice(0, 10) : null,
        e.updated_at,
        e.app_url,
      ],
    );
    epics += 1;
  }
  return { stories, sprints, epics, rejected, lastSkip };
}
