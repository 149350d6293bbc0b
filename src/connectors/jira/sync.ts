import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, ingestPage, RejectedRecord, type SyncPace } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import type { JiraClients } from './client.js';
import { issueEvent } from './normalize.js';
import { IssuePager, PAGE, reaches, type Stretch, updatedOf } from './paging.js';
import {
  type JiraHistory,
  type JiraIssue,
  jiraChangelogPageSchema,
  jiraIssueSchema,
  jiraSprintSchema,
} from './schemas.js';
import { storeJiraIssueRows, upsertSprint } from './store.js';

export interface JiraSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  clients: JiraClients;
  projects: string[];
  /** Extra JQL ANDed to the project filter, e.g. `issuetype != Epic`. */
  jql?: string;
  boards: number[];
  backfillSince: Date;
  /** Custom field ids of story points and sprint (they differ per site). */
  fields: { points?: string; sprint?: string };
  now?: () => Date;
}

interface JiraCursor {
  /** updated time of the newest issue stored. */
  since?: string;
}

/**
 * The issue's whole history. Search inlines only the newest 40 entries (newest first); when `total` says there are
 * more, the issue's changelog endpoint is read page by page (oldest first; pages may be shorter than asked).
 */
async function fullHistory(
  clients: JiraClients,
  logger: Logger,
  issue: JiraIssue,
  signal?: AbortSignal,
): Promise<JiraHistory[]> {
  const inline = issue.changelog?.histories ?? [];
  if ((issue.changelog?.total ?? inline.length) <= inline.length) return inline;
  const all: JiraHistory[] = [];
  for (;;) {
    const raw = await withAtlassianRetry(
      () => clients.issues.issues.getChangeLogs({ issueIdOrKey: issue.key, startAt: all.length, maxResults: 100 }),
      logger,
      { signal },
    );
    const page = jiraChangelogPageSchema.safeParse(raw);
    if (!page.success)
      throw new RejectedRecord(
        rejectionReason(`${issue.key} changelog`, page.error),
        'malformed Jira changelog; issue skipped',
      );
    all.push(...page.data.values);
    if (page.data.isLast || !page.data.values.length || all.length >= (page.data.total ?? Number.POSITIVE_INFINITY))
      break;
  }
  return all;
}

const ISSUE_FIELDS = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'assignee',
  'labels',
  'created',
  'updated',
  'resolutiondate',
  'project',
  'parent',
];

/** Issues of the projects updated since the cursor (oldest first, with their whole history), then boards' sprints. */
export async function syncJira(
  options: JiraSyncOptions,
): Promise<{ issues: number; sprints: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, clients } = options;
  const run = new IngestRun(db, logger, {}, options);
  const scope = options.projects.join(',');
  const cursor = (await getCursor<JiraCursor>(db, 'jira', scope)) ?? {};
  const since = cursor.since ? new Date(cursor.since) : options.backfillSince;
  const now = () => options.now?.() ?? new Date();
  const pager = new IssuePager(options.projects, since, now, options.jql, Boolean(cursor.since));
  const fields = [...ISSUE_FIELDS, ...Object.values(options.fields).filter((f): f is string => Boolean(f))];
  let newest = cursor.since;
  /** Malformed issues counted already in this pass, as read (the overlaps bring some back). */
  const skipped = new Set<string>();
  const skipKey = (raw: unknown) => {
    const r = raw as { id?: unknown; key?: unknown; fields?: { updated?: unknown } };
    return `${String(r.id)}/${String(r.key)}@${String(r.fields?.updated)}`;
  };
  const search = (request: { jql: string; nextPageToken?: string }, fieldList = fields, maxResults = PAGE) =>
    withAtlassianRetry(
      () =>
        clients.issues.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
          ...request,
          maxResults,
          fields: fieldList,
          ...(fieldList === fields ? { expand: 'changelog' } : {}),
        }),
      logger,
      { signal: options.signal },
    );
  const store = async (raws: unknown[]): Promise<JiraIssue[]> => {
    const read: JiraIssue[] = [];
    const records = raws.filter((raw) => !skipped.has(skipKey(raw)));
    // Pages come oldest first, so the cursor advances after each one: a crash resumes from here.
    await ingestPage(run, {
      what: 'Jira issue',
      records,
      schema: jiraIssueSchema,
      idOf: (raw) => (raw as { key?: unknown }).key,
      keyOf: (issue) => issue.key,
      // The overlaps re-read a few issues; ones older than the cursor, or read already in this pass as they are, are
      // stored as they are.
      fresh: async (issues) => {
        read.push(...issues);
        return issues.filter(
          (i) =>
            (!cursor.since || Date.parse(i.fields.updated) >= Date.parse(cursor.since)) &&
            !pager.readBefore(i.key, i.fields.updated),
        );
      },
      details: (issue) => fullHistory(clients, logger, issue, options.signal),
      events: (issue, raw) => [issueEvent(issue, raw)],
      upsert: (tx, issue, _raw, histories) => storeJiraIssueRows(tx, clients.host, issue, histories, options.fields),
      stored: (issue) => {
        if (!newest || Date.parse(issue.fields.updated) > Date.parse(newest)) newest = issue.fields.updated;
      },
      cursor: { source: 'jira', scope, value: () => (newest ? { since: pager.cursor(newest) } : undefined) },
    });
    const valid = new Set(read.map((i) => i.key));
    for (const raw of records) if (!valid.has(String((raw as { key?: unknown }).key))) skipped.add(skipKey(raw));
    return read;
  };
  /**
   * Token pages are positions in a result that may have moved while they were read: the stretch's range is listed
   * again (keys and update times only, so it is cheap), and an issue it holds that was not read is read by key.
   */
  const readWhatTheStretchSlidPast = async (stretch: Stretch) => {
    let jql = pager.windowFrom(stretch.from);
    const unread: string[] = [];
    listing: for (let token: string | undefined; ; ) {
      const page = await search({ jql, ...(token ? { nextPageToken: token } : {}) }, ['updated'], 1000);
      if (!token && stretch.checked && !reaches(page.issues ?? [], stretch.from) && pager.widen()) {
        jql = pager.windowFrom(stretch.from);
        continue;
      }
      for (const raw of page.issues ?? []) {
        const issue = raw as { key?: string; fields?: { updated?: string } };
        const updated = updatedOf(raw);
        if (updated > stretch.newest) break listing;
        if (!issue.key || !issue.fields?.updated || (cursor.since && updated < Date.parse(cursor.since))) continue;
        if (!pager.readBefore(issue.key, issue.fields.updated)) unread.push(issue.key);
      }
      token = page.nextPageToken ?? undefined;
      if (!token) break;
    }
    for (let i = 0; i < unread.length; i += PAGE) await readByKeys(unread.slice(i, i + PAGE));
  };
  /** Issues by key. Jira fails the whole search when one key is gone (deleted since it was listed): halves are tried. */
  const readByKeys = async (keys: string[]): Promise<void> => {
    let page: Awaited<ReturnType<typeof search>>;
    try {
      page = await search({ jql: `key in (${keys.join(', ')}) ORDER BY updated ASC, key ASC` });
    } catch (err) {
      if ((err as { status?: number }).status !== 400) throw err;
      if (keys.length === 1) return;
      const half = Math.ceil(keys.length / 2);
      await readByKeys(keys.slice(0, half));
      await readByKeys(keys.slice(half));
      return;
    }
    pager.remember(await store(page.issues ?? []));
  };
  for (;;) {
    const page = await search(pager.request());
    if (!pager.reachesBack(page.issues ?? [])) continue;
    const read = await store(page.issues ?? []);
    const more = pager.next(read, page.nextPageToken ?? undefined);
    const stretch = pager.endedStretch();
    if (stretch) {
      await readWhatTheStretchSlidPast(stretch);
      pager.checkedStretch();
      // Checked: the cursor may move past the stretch now.
      if (newest) await setCursor(db, 'jira', scope, { since: pager.cursor(newest) });
    }
    if (!more) break;
  }
  const issues = run.stored;
  const sprints = await syncSprints(options, run);
  return { issues, sprints, ...run.tally() };
}

/** The sprints of each configured board. */
async function syncSprints(options: JiraSyncOptions, run: IngestRun): Promise<number> {
  let sprints = 0;
  for (const board of options.boards) {
    for (let startAt = 0; ; ) {
      run.stopIfStopping();
      const page = await withAtlassianRetry(
        () => options.clients.agile.board.getAllSprints({ boardId: board, startAt, maxResults: 50 }),
        options.logger,
        { signal: options.signal },
      );
      for (const { value } of run.valid(jiraSprintSchema, page.values ?? [], sprintId, 'Jira sprint')) {
        await upsertSprint(options.db, String(board), value);
        sprints += 1;
      }
      if (page.isLast || !(page.values ?? []).length) break;
      startAt += (page.values ?? []).length;
    }
  }
  return sprints;
}

const sprintId = (raw: unknown) => `sprint ${(raw as { id?: unknown }).id}`;
