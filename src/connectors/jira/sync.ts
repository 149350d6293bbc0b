import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { isDataError } from '../../store/well-formed.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import type { JiraClients } from './client.js';
import {
  type JiraHistory,
  type JiraIssue,
  jiraChangelogPageSchema,
  jiraIssueSchema,
  jiraSprintSchema,
} from './schemas.js';
import { storeJiraIssue, upsertSprint } from './store.js';

export interface JiraSyncOptions {
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
  heartbeat?: () => Promise<void>;
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

/** A record that cannot be stored; the message names it and the field at fault. */
class SkippedRecord extends Error {}

/**
 * The issue's whole history. Search inlines only the newest 40 entries (newest first); when `total` says there are
 * more, the issue's changelog endpoint is read page by page (oldest first; pages may be shorter than asked).
 */
async function fullHistory(clients: JiraClients, logger: Logger, issue: JiraIssue): Promise<JiraHistory[]> {
  const inline = issue.changelog?.histories ?? [];
  if ((issue.changelog?.total ?? inline.length) <= inline.length) return inline;
  const all: JiraHistory[] = [];
  for (;;) {
    const raw = await withAtlassianRetry(
      () => clients.issues.issues.getChangeLogs({ issueIdOrKey: issue.key, startAt: all.length, maxResults: 100 }),
      logger,
    );
    const page = jiraChangelogPageSchema.safeParse(raw);
    if (!page.success) throw new SkippedRecord(rejectionReason(`${issue.key} changelog`, page.error));
    all.push(...page.data.values);
    if (page.data.isLast || !page.data.values.length || all.length >= (page.data.total ?? Number.POSITIVE_INFINITY))
      break;
  }
  return all;
}

export async function syncJira(
  options: JiraSyncOptions,
): Promise<{ issues: number; sprints: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, clients } = options;
  const scope = options.projects.join(',');
  const cursor = (await getCursor<JiraCursor>(db, 'jira', scope)) ?? {};
  const now = options.now?.() ?? new Date();
  const jql = incrementalJql(
    options.projects,
    cursor.since ? new Date(cursor.since) : options.backfillSince,
    now,
    options.jql,
  );
  const fields = [
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
    ...Object.values(options.fields).filter((f): f is string => Boolean(f)),
  ];
  let newest = cursor.since;
  let nextPageToken: string | undefined;
  let issues = 0;
  let rejected = 0;
  let lastSkip: string | null = null;
  const skip = (reason: string, what: string) => {
    rejected += 1;
    lastSkip = reason;
    logger.warn({ reason }, what);
  };
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
    );
    for (const raw of page.issues ?? []) {
      const parsed = jiraIssueSchema.safeParse(raw);
      if (!parsed.success) {
        skip(rejectionReason((raw as { key?: unknown }).key, parsed.error), 'malformed Jira issue skipped');
        continue;
      }
      const issue = parsed.data;
      // The overlap re-reads a few issues; ones older than the cursor are already stored as they are.
      if (cursor.since && Date.parse(issue.fields.updated) < Date.parse(cursor.since)) continue;
      let histories: JiraHistory[];
      try {
        histories = await fullHistory(clients, logger, issue);
      } catch (err) {
        if (!(err instanceof SkippedRecord)) throw err;
        skip(err.message, 'malformed Jira changelog; issue skipped');
        continue;
      }
      const stored = await db
        .transaction((tx) => storeJiraIssue(tx, clients.host, issue, histories, options.fields, raw))
        .then(
          () => true,
          (err: unknown) => {
            if (!isDataError(err)) throw err;
            logger.warn(
              { id: issue.key, problem: (err as Error).message },
              'Jira issue the database cannot store skipped',
            );
            return false;
          },
        );
      if (!stored) {
        rejected += 1;
        continue;
      }
      issues += 1;
      if (!newest || Date.parse(issue.fields.updated) > Date.parse(newest)) newest = issue.fields.updated;
    }
    // Pages come oldest first, so the cursor can advance after each one: a crash resumes from here.
    if (newest) await setCursor(db, 'jira', scope, { since: newest });
    await options.heartbeat?.();
    nextPageToken = page.nextPageToken ?? undefined;
  } while (nextPageToken);

  let sprints = 0;
  for (const board of options.boards) {
    let startAt = 0;
    for (;;) {
      const page = await withAtlassianRetry(
        () => clients.agile.board.getAllSprints({ boardId: board, startAt, maxResults: 50 }),
        logger,
      );
      for (const raw of page.values ?? []) {
        const parsed = jiraSprintSchema.safeParse(raw);
        if (!parsed.success) {
          skip(
            rejectionReason(`sprint ${(raw as { id?: unknown }).id}`, parsed.error),
            'malformed Jira sprint skipped',
          );
          continue;
        }
        await upsertSprint(db, String(board), parsed.data);
        sprints += 1;
      }
      if (page.isLast || !(page.values ?? []).length) break;
      startAt += (page.values ?? []).length;
    }
  }
  return { issues, sprints, rejected, lastSkip };
}
