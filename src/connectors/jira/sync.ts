import { IngestRun } from '../../sync/ingest.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { recordDeletion } from '../../sync/webhooks.js';
import { statusOf, withAtlassianRetry } from '../atlassian/retry.js';
import { IssuePass, type JiraSyncOptions } from './issue-pass.js';
import { incrementalJql } from './paging.js';
import { jiraSprintSchema } from './schemas.js';
import { storedJiraIssues, upsertSprint } from './store.js';

export type { JiraSyncOptions };

interface JiraCursor {
  /** updated time of the newest issue stored. */
  since?: string;
}

/** Issues of the projects updated since the cursor (oldest first, with their whole history), then boards' sprints. */
export async function syncJira(
  options: JiraSyncOptions,
): Promise<{ issues: number; sprints: number; rejected: number; lastSkip: string | null }> {
  const { db, logger } = options;
  const run = new IngestRun(db, logger, {}, options);
  const scope = options.projects.join(',');
  const cursor = (await getCursor<JiraCursor>(db, 'jira', scope)) ?? {};
  await new IssuePass(options, run, scope, cursor.since).read();
  const issues = run.stored;
  await removeWhatJiraNoLongerHas(options, scope);
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

const RECONCILE_EVERY_MS = 6 * 3_600_000;
/** Stored issues asked for by key in one run at most (the rest wait for the next run). */
const CHECKS_PER_RUN = 200;
/** Minutes before the oldest stored issue's update that the listing reaches back (clocks, time zones). */
const LISTING_MARGIN_MINUTES = 24 * 60;

/**
 * Deletions and moves out of the projects, which a search cannot show: a deleted issue, or one moved to a project
 * sources.yml does not name, is simply no longer found, so until 2026-12-08 it stayed a work item, open, for good
 * (without the webhook). Every six hours the issues of the projects updated since the oldest stored one are listed
 * (keys and update times only), and each stored issue missing from the list is asked for by key: an answer under
 * another key (moved) or 404 (deleted, or no longer visible to the account) removes it, as the webhook would. Many
 * 404s at once (more than half of what is stored) look like lost access rather than deletions: they are only logged.
 */
async function removeWhatJiraNoLongerHas(options: JiraSyncOptions, scope: string): Promise<void> {
  const { db, logger, clients, projects, signal } = options;
  const now = options.now?.() ?? new Date();
  const last = await getCursor<{ at?: string }>(db, 'jira-reconcile', scope);
  // The first sync stores what the projects hold: nothing to compare yet.
  if (!last?.at) return setCursor(db, 'jira-reconcile', scope, { at: now.toISOString() });
  if (now.getTime() - Date.parse(last.at) < (options.reconcileEveryMs ?? RECONCILE_EVERY_MS)) return;
  const stored = await storedJiraIssues(db, projects);
  if (!stored.length) return setCursor(db, 'jira-reconcile', scope, { at: now.toISOString() });
  const oldest = new Date(Math.min(...stored.map((s) => s.updatedAt.getTime())));
  const jql = incrementalJql(projects, oldest, now, undefined, LISTING_MARGIN_MINUTES);
  const listed = new Set<string>();
  for (let token: string | undefined; ; ) {
    const page = await withAtlassianRetry(
      () =>
        clients.issues.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
          jql,
          fields: ['updated'],
          maxResults: 1000,
          ...(token ? { nextPageToken: token } : {}),
        }),
      logger,
      { signal },
    );
    for (const issue of page.issues ?? []) if (issue.key) listed.add(issue.key);
    token = page.nextPageToken ?? undefined;
    if (!token) break;
  }
  const missing = stored.filter((s) => !listed.has(s.key)).map((s) => s.key);
  const gone: string[] = [];
  let moved = 0;
  for (const key of missing.slice(0, CHECKS_PER_RUN)) {
    signal?.throwIfAborted();
    const found = await withAtlassianRetry(
      () => clients.issues.issues.getIssue({ issueIdOrKey: key, fields: ['project', 'updated'] }),
      logger,
      { signal },
    ).catch((err: unknown) => {
      if (statusOf(err) === 404) return null;
      throw err;
    });
    if (found === null) gone.push(key);
    else if (found.key && found.key !== key) {
      await recordDeletion(db, 'jira', key, now.toISOString(), { movedTo: found.key });
      moved += 1;
    }
  }
  const lostAccess = gone.length > 10 && gone.length > stored.length / 2;
  if (lostAccess)
    logger.warn(
      { scope, notFound: gone.length, stored: stored.length },
      'most stored Jira issues are not found: not removed (has the account lost access to the projects?)',
    );
  else for (const key of gone) await recordDeletion(db, 'jira', key, now.toISOString(), { notFound: true });
  if (gone.length || moved) logger.info({ scope, deleted: gone.length, moved }, 'Jira issues gone from the projects');
  // What was not checked yet is checked by the next run (not while the account seems to have lost access).
  if (missing.length <= CHECKS_PER_RUN || lostAccess)
    await setCursor(db, 'jira-reconcile', scope, { at: now.toISOString() });
}
