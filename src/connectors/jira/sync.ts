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
// with a few minutes of overlap (re-reading an issue is harmless: rows are upserted).
const OVERLAP_MINUTES = 5;
const PAGE = 100;

export function incrementalJql(projects: string[], since: Date, now: Date, extra?: string): string {
  const minutes = Math.max(1, Math.ceil((now.getTime() - since.getTime()) / 60_000) + OVERLAP_MINUTES);
  const filter = `project in (${projects.map((p) => `"${p}"`).join(', ')}) AND updated >= "-${minutes}m"`;
  return `${extra ? `${filter} AND (${extra})` : filter} ORDER BY updated ASC`;
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
  const jql = incrementalJql(options.projects, since, options.now?.() ?? new Date(), options.jql);
  const fields = [...ISSUE_FIELDS, ...Object.values(options.fields).filter((f): f is string => Boolean(f))];
  let newest = cursor.since;
  let nextPageToken: string | undefined;
  do {
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
    // Pages come oldest first, so the cursor advances after each one: a crash resumes from here.
    await ingestPage(run, {
      what: 'Jira issue',
      records: page.issues ?? [],
      schema: jiraIssueSchema,
      idOf: (raw) => (raw as { key?: unknown }).key,
      keyOf: (issue) => issue.key,
      // The overlap re-reads a few issues; ones older than the cursor are already stored as they are.
      fresh: async (issues) =>
        issues.filter((i) => !cursor.since || Date.parse(i.fields.updated) >= Date.parse(cursor.since)),
      details: (issue) => fullHistory(clients, logger, issue, options.signal),
      events: (issue, raw) => [issueEvent(issue, raw)],
      upsert: (tx, issue, _raw, histories) => storeJiraIssueRows(tx, clients.host, issue, histories, options.fields),
      stored: (issue) => {
        if (!newest || Date.parse(issue.fields.updated) > Date.parse(newest)) newest = issue.fields.updated;
      },
      cursor: { source: 'jira', scope, value: () => (newest ? { since: newest } : undefined) },
    });
    nextPageToken = page.nextPageToken ?? undefined;
  } while (nextPageToken);
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
