import type { LinearClient } from '@linear/sdk';
import { isStopping } from '../../lib/stopping.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, ingestPage, RejectedRecord, type SyncPace } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { CYCLES, HISTORY, ISSUES, request } from './client.js';
import { issueEvent } from './normalize.js';
import {
  cycleSchema,
  type HistoryEntry,
  historySchema,
  type LinearIssue,
  linearIssueSchema,
  projectSchema,
} from './schemas.js';
import { storeLinearIssueRows, upsertLinearCycle, upsertLinearProject } from './store.js';

export { createLinearClient } from './client.js';

export interface LinearSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  client: LinearClient;
  teams: string[];
  backfillSince: Date;
}

type IssuesPage = { issues: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } };
type TeamsPage = { teams: { nodes: { key: string; projects: { nodes: unknown[] }; cycles: { nodes: unknown[] } }[] } };

/** The issue's whole history: the issue query carries the newest 50 entries, the rest is read page by page. */
async function fullHistory(
  client: LinearClient,
  logger: Logger,
  issue: LinearIssue,
  signal?: AbortSignal,
): Promise<HistoryEntry[]> {
  const history = [...issue.history.nodes];
  for (let next = issue.history.pageInfo; next?.hasNextPage && next.endCursor; ) {
    const more: { issue: { history: unknown } } = await request(
      client,
      logger,
      HISTORY,
      { id: issue.id, after: next.endCursor },
      signal,
    );
    const page = historySchema.safeParse(more.issue.history);
    if (!page.success)
      throw new RejectedRecord(
        rejectionReason(`${issue.identifier} history`, page.error),
        'malformed Linear history; issue skipped',
      );
    history.push(...page.data.nodes);
    next = page.data.pageInfo;
  }
  return history;
}

interface LinearCursor {
  /** Where the next pass starts (see `watermark`). */
  since?: string;
  /** A pass under way: its filter, the page to read next, the newest update stored so far and when it began. */
  pass?: { since: string; after: string; newest?: string; startedAt: string };
}

/** A stopped pass older than this starts again from its beginning (Linear's page cursors are not kept forever). */
const RESUMABLE_FOR_MS = 24 * 3_600_000;

/** How far Linear's clock may be from ours. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Where the next pass starts: the newest update stored, but never after this pass began. Pages come in creation
 * order, so an issue updated mid-pass (or while a stopped pass waited) after its page was read keeps its old state
 * here, while an issue read later may carry a newer update; starting from that one would skip the first for good.
 */
function watermark(newest: string | undefined, passStarted: number): { since: string } | undefined {
  if (!newest) return undefined;
  const began = passStarted - CLOCK_SKEW_MS;
  return { since: Date.parse(newest) > began ? new Date(began).toISOString() : newest };
}

/** Issues of the teams updated since the cursor (with state history), and their cycles and projects. */
export async function syncLinear(
  options: LinearSyncOptions,
): Promise<{ issues: number; cycles: number; projects: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, client, teams } = options;
  const run = new IngestRun(db, logger, {}, options);
  const scope = teams.join(',');
  const cursor = (await getCursor<LinearCursor>(db, 'linear', scope)) ?? {};
  // A pass that a stop cut short goes on from its next page, with its own filter, start and newest update.
  const resumed =
    cursor.pass && Date.now() - Date.parse(cursor.pass.startedAt) < RESUMABLE_FOR_MS ? cursor.pass : undefined;
  const since = resumed?.since ?? cursor.since ?? options.backfillSince.toISOString();
  const passStarted = resumed ? Date.parse(resumed.startedAt) : Date.now();
  let newest = resumed ? resumed.newest : cursor.since;
  let after = resumed?.after;
  const passCursor = (next: string): LinearCursor => ({
    ...(cursor.since ? { since: cursor.since } : {}),
    pass: { since, after: next, newest, startedAt: new Date(passStarted).toISOString() },
  });
  do {
    const page: IssuesPage = await request<IssuesPage>(
      client,
      logger,
      ISSUES,
      { filter: { team: { key: { in: teams } }, updatedAt: { gte: since } }, after },
      options.signal,
    ).catch(async (err: unknown) => {
      // A kept page Linear no longer answers for must not fail every run: the next one reads the pass again.
      if (resumed && after === resumed.after && !isStopping(err))
        await setCursor(db, 'linear', scope, cursor.since ? { since: cursor.since } : {});
      throw err;
    });
    after = page.issues.pageInfo.hasNextPage ? (page.issues.pageInfo.endCursor ?? undefined) : undefined;
    await ingestPage(run, {
      what: 'Linear issue',
      records: page.issues.nodes,
      schema: linearIssueSchema,
      idOf: (raw) => (raw as { identifier?: unknown }).identifier,
      keyOf: (issue) => issue.identifier,
      details: (issue) => fullHistory(client, logger, issue, options.signal),
      events: (issue, raw) => [issueEvent(issue, raw)],
      upsert: (tx, issue, _raw, history) => storeLinearIssueRows(tx, issue, history),
      stored: (issue) => {
        if (!newest || Date.parse(issue.updatedAt) > Date.parse(newest)) newest = issue.updatedAt;
      },
      // Pages are not in update order: `since` moves once every page is stored; until then the pass's next page is
      // kept, so a stopped pass goes on from there.
      cursor: {
        source: 'linear',
        scope,
        value: () =>
          after ? passCursor(after) : (watermark(newest, passStarted) ?? (cursor.since ? { since: cursor.since } : {})),
      },
    });
  } while (after);
  const issues = run.stored;

  const endsAfter = options.backfillSince.toISOString();
  let cycles = 0;
  let projects = 0;
  for (const key of teams) {
    const data = await request<TeamsPage>(client, logger, CYCLES, { team: key, endsAfter }, options.signal);
    const team = data.teams.nodes[0];
    if (!team) continue;
    for (const { value } of run.valid(cycleSchema, team.cycles.nodes, (raw) => `cycle ${idOf(raw)}`, 'Linear cycle')) {
      await upsertLinearCycle(db, team.key, value);
      cycles += 1;
    }
    const listed = run.valid(projectSchema, team.projects.nodes, (raw) => `project ${idOf(raw)}`, 'Linear project');
    for (const { value } of listed) {
      await upsertLinearProject(db, team.key, value);
      projects += 1;
    }
  }
  return { issues, cycles, projects, ...run.tally() };
}

const idOf = (raw: unknown) => (raw as { id?: unknown }).id;
