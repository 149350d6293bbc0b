import type { SourceRetryOptions } from '../../lib/source-retry.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, ingestPage, type SyncPace } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { type ShortcutClient, withShortcutRetry } from './client.js';
import { type ShortcutWorkspace, storyEvent, storyKey, storyRow } from './normalize.js';
import {
  epicSchema,
  groupSchema,
  historySchema,
  iterationSchema,
  memberSchema,
  type ShortcutHistory,
  searchPageSchema,
  storySchema,
  workflowSchema,
} from './schemas.js';
import { storedUpdates, storeStoryRows, upsertShortcutEpic, upsertShortcutIteration } from './store.js';

export { createShortcutClient } from './client.js';

const DAY = 86_400_000;
/** Search pages: Shortcut serves at most 25 a page, and only the first 1000 matches of a query. */
const PAGE = 25;
const REACH = 1000;

export type { ShortcutWorkspace } from './normalize.js';

export async function loadWorkspace(
  client: ShortcutClient,
  logger: Logger,
  teams: string[],
  signal?: AbortSignal,
): Promise<ShortcutWorkspace> {
  const groups = await withShortcutRetry('list teams', () => client.listGroups({}), logger, { signal });
  const byMention = new Map<string, string>();
  for (const raw of groups) {
    const g = groupSchema.safeParse(raw);
    if (g.success) byMention.set(g.data.mention_name.toLowerCase(), g.data.id);
  }
  const missing = teams.filter((t) => !byMention.has(t.toLowerCase()));
  if (missing.length)
    throw new Error(`Shortcut has no team with mention name ${missing.join(', ')} (sources.yml shortcut.teams)`);
  const states = new Map<number, { name: string; type: string }>();
  for (const raw of await withShortcutRetry('list workflows', () => client.listWorkflows(), logger, { signal })) {
    const w = workflowSchema.safeParse(raw);
    if (w.success) for (const s of w.data.states) states.set(s.id, { name: s.name, type: s.type });
  }
  const members = new Map<string, { name: string | null; email: string | null }>();
  for (const raw of await withShortcutRetry('list members', () => client.listMembers({}), logger, { signal })) {
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

/** The story's whole history (Shortcut returns it in one response); a malformed entry is named and skipped. */
export async function storyHistory(
  client: ShortcutClient,
  logger: Logger,
  id: number,
  signal?: AbortSignal,
  retry: SourceRetryOptions = {},
): Promise<{ entries: ShortcutHistory[]; rejected: string[] }> {
  const raw = await withShortcutRetry(`story ${id} history`, () => client.storyHistory(id), logger, {
    ...retry,
    signal,
  });
  const entries: ShortcutHistory[] = [];
  const rejected: string[] = [];
  for (const item of raw as unknown[]) {
    const parsed = historySchema.safeParse(item);
    if (parsed.success) entries.push(parsed.data);
    else rejected.push(rejectionReason(`${storyKey(id)} history`, parsed.error));
  }
  return { entries, rejected };
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface ShortcutSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  client: ShortcutClient;
  /** Team mention names. */
  teams: string[];
  backfillSince: Date;
  now?: () => Date;
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
  const run = new IngestRun(db, logger, {}, options);
  const scope = teams.join(',');
  const now = (options.now?.() ?? new Date()).getTime();
  const { signal } = options;
  const ws = await loadWorkspace(client, logger, teams, signal);
  const cursor = (await getCursor<{ since?: string }>(db, 'shortcut', scope)) ?? {};
  // A day earlier than the cursor: search reads `updated` dates in the workspace's time zone.
  const since = cursor.since ? Date.parse(cursor.since) - DAY : options.backfillSince.getTime();
  let newest = cursor.since;

  const ingest = (records: unknown[]) =>
    ingestPage(run, {
      what: 'Shortcut story',
      records,
      schema: storySchema,
      idOf: (raw) => storyKey(String((raw as { id?: unknown }).id)),
      keyOf: (story) => storyKey(story.id),
      fresh: async (stories) => {
        const stored = await storedUpdates(
          db,
          stories.map((s) => storyKey(s.id)),
        );
        return stories.filter((s) => (stored.get(storyKey(s.id)) ?? -1) < Date.parse(s.updated_at));
      },
      details: async (story) => {
        const history = await storyHistory(client, logger, story.id, signal);
        for (const reason of history.rejected) run.reject(reason, 'malformed Shortcut history entry skipped');
        return history.entries;
      },
      events: (story, raw) => [storyEvent(story, storyRow(story, ws), raw)],
      upsert: (tx, story, _raw, history) => storeStoryRows(tx, ws, story, history),
      stored: (story) => {
        if (!newest || Date.parse(story.updated_at) > Date.parse(newest)) newest = story.updated_at;
      },
    });

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
          { signal },
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
      await ingest(page.data);
      // `next` is the path and query of the next page; the client sends its token as the `next` parameter.
      next = page.next ? (new URL(page.next, 'http://x').searchParams.get('next') ?? undefined) : undefined;
    } while (next);
  };

  for (const team of teams) await searchRange(team, since, null);
  // Search results are not in update order: the cursor moves once every range is stored.
  if (newest) await setCursor(db, 'shortcut', scope, { since: newest });
  const stories = run.stored;

  // An iteration or epic of other teams only is none of ours; one without teams is the workspace's.
  const teamOf = (groupIds: string[]) =>
    groupIds.map((g) => ws.teams.get(g)).find(Boolean) ?? (groupIds.length ? undefined : scope);
  let sprints = 0;
  const iterations = await withShortcutRetry('list iterations', () => client.listIterations(), logger, { signal });
  for (const { value } of run.valid(
    iterationSchema,
    iterations,
    (raw) => `iteration ${idOf(raw)}`,
    'Shortcut iteration',
  )) {
    const team = teamOf(value.group_ids);
    if (!team) continue;
    await upsertShortcutIteration(db, team, value);
    sprints += 1;
  }
  let epics = 0;
  const listed = await withShortcutRetry('list epics', () => client.listEpics({}), logger, { signal });
  for (const { value } of run.valid(epicSchema, listed, (raw) => `epic ${idOf(raw)}`, 'Shortcut epic')) {
    const team = teamOf(value.group_ids);
    if (!team) continue;
    await upsertShortcutEpic(db, team, value);
    epics += 1;
  }
  return { stories, sprints, epics, ...run.tally() };
}

const idOf = (raw: unknown) => (raw as { id?: unknown }).id;
