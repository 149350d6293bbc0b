import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, ingestPage, RejectedRecord, type SyncPace } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor } from '../../sync/store.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import type { JiraClients } from './client.js';
import { issueEvent } from './normalize.js';
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

// JQL dates are read in the API user's time zone; a relative "-Nm" is not, so the cursor is sent that way,
// with a few minutes of overlap (re-reading an issue is harmless: rows are upserted). Within a pass, where the
// bound is a time Jira itself reported, two minutes cover the rounding to whole minutes and a minute of clock skew.
const OVERLAP_MINUTES = 5;
const IN_PASS_OVERLAP_MINUTES = 2;
const PAGE = 100;

export function incrementalJql(
  projects: string[],
  since: Date,
  now: Date,
  extra?: string,
  overlapMinutes = OVERLAP_MINUTES,
): string {
  const minutes = Math.max(1, Math.ceil((now.getTime() - since.getTime()) / 60_000) + overlapMinutes);
  const filter = `project in (${projects.map((p) => `"${p}"`).join(', ')}) AND updated >= "-${minutes}m"`;
  // The key breaks ties: issues sharing an update time have no fixed order otherwise.
  return `${extra ? `${filter} AND (${extra})` : filter} ORDER BY updated ASC, key ASC`;
}

/**
 * Where the next page comes from. Following `nextPageToken` alone walks positions in a result that moves while it
 * is read (an issue updated mid-pass jumps to the end, a deleted one drops out), so an issue can slide past a page
 * boundary unread, for good once the cursor is beyond it. So each page is a new search from the newest update read
 * so far; the token is followed where that search would bring back mostly issues already read (more than half a
 * page updated within the overlap, as after a bulk change), and after a search that brought nothing new, so every
 * step reads something new or moves down the result.
 */
function nextPage(
  seen: Map<string, string>,
  read: JiraIssue[],
  token: string | undefined,
): { from: Date } | { token: string } | undefined {
  if (!token) return undefined;
  const brandNew = read.filter((i) => seen.get(i.key) !== i.fields.updated).length;
  for (const issue of read) seen.set(issue.key, issue.fields.updated);
  const newest = Math.max(...read.map((i) => Date.parse(i.fields.updated)));
  if (!brandNew || !Number.isFinite(newest)) return { token };
  const overlapStart = newest - (IN_PASS_OVERLAP_MINUTES + 1) * 60_000;
  const reread = [...seen.values()].filter((updated) => Date.parse(updated) >= overlapStart).length;
  return reread * 2 > read.length ? { token } : { from: new Date(newest) };
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
  let jql = incrementalJql(options.projects, since, now(), options.jql);
  const fields = [...ISSUE_FIELDS, ...Object.values(options.fields).filter((f): f is string => Boolean(f))];
  let newest = cursor.since;
  /** Issues read in this pass, with the update time read: a later search's overlap re-reads them. */
  const seen = new Map<string, string>();
  const skipped = new Set<string>();
  let nextPageToken: string | undefined;
  for (;;) {
    const page = await withAtlassianRetry(
      () =>
        clients.issues.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
          jql,
          nextPageToken,
          maxResults: PAGE,
          fields,
          expand: 'changelog',
        }),
      logger,
      { signal: options.signal },
    );
    const read: JiraIssue[] = [];
    const keyOfRaw = (raw: unknown) => String((raw as { key?: unknown }).key);
    // A malformed issue the overlap brings back was counted as skipped already.
    const records = (page.issues ?? []).filter((raw) => !skipped.has(keyOfRaw(raw)));
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
            seen.get(i.key) !== i.fields.updated,
        );
      },
      details: (issue) => fullHistory(clients, logger, issue, options.signal),
      events: (issue, raw) => [issueEvent(issue, raw)],
      upsert: (tx, issue, _raw, histories) => storeJiraIssueRows(tx, clients.host, issue, histories, options.fields),
      stored: (issue) => {
        if (!newest || Date.parse(issue.fields.updated) > Date.parse(newest)) newest = issue.fields.updated;
      },
      cursor: { source: 'jira', scope, value: () => (newest ? { since: newest } : undefined) },
    });
    const valid = new Set(read.map((i) => i.key));
    for (const raw of records) if (!valid.has(keyOfRaw(raw))) skipped.add(keyOfRaw(raw));
    const next = nextPage(seen, read, page.nextPageToken ?? undefined);
    if (!next) break;
    if ('token' in next) nextPageToken = next.token;
    else {
      nextPageToken = undefined;
      jql = incrementalJql(options.projects, next.from, now(), options.jql, IN_PASS_OVERLAP_MINUTES);
    }
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
