import { LinearClient, RatelimitedLinearError } from '@linear/sdk';
import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../../observability/metrics.js';
import type { Db } from '../../store/db.js';
import { isDataError } from '../../store/well-formed.js';
import { rejectionReason } from '../../sync/rejection.js';
import { getCursor, setCursor } from '../../sync/store.js';
import { historySchema, linearIssueSchema as issueSchema, storeLinearIssue } from './normalize.js';

export function createLinearClient(options: { apiKey: string; apiUrl?: string }): LinearClient {
  return new LinearClient({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
}

const HISTORY_FIELDS = `fragment HistoryFields on IssueHistory {
  id createdAt actor { id } fromState { name } toState { name } fromCycleId toCycleId fromEstimate toEstimate
}`;

// One query for what reports need; the SDK's own objects would cost a request per relation.
const ISSUES = `query EmAgentIssues($filter: IssueFilter, $after: String) {
  issues(filter: $filter, first: 100, after: $after) {
    nodes {
      id identifier title priority estimate url createdAt updatedAt completedAt
      state { name type }
      assignee { id email name }
      team { key }
      cycle { id }
      project { id }
      labels { nodes { name } }
      history(first: 50) { nodes { ...HistoryFields } pageInfo { hasNextPage endCursor } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
${HISTORY_FIELDS}`;

// The rest of a busy issue's history (the issue query carries the newest 50 entries).
const HISTORY = `query EmAgentIssueHistory($id: String!, $after: String) {
  issue(id: $id) { history(first: 50, after: $after) { nodes { ...HistoryFields } pageInfo { hasNextPage endCursor } } }
}
${HISTORY_FIELDS}`;

const CYCLES = `query EmAgentCycles($teams: [String!]) {
  teams(filter: { key: { in: $teams } }) {
    nodes {
      key
      cycles(first: 50) { nodes { id number name startsAt endsAt completedAt } }
      projects(first: 100) { nodes { id name state progress targetDate url updatedAt lead { id } } }
    }
  }
}`;

const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)));

const cycleSchema = z.object({
  id: z.string(),
  number: z.number(),
  name: z.string().nullish(),
  startsAt: date,
  endsAt: date,
  completedAt: date.nullish(),
});

const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  progress: z.number(),
  targetDate: z.string().nullable().optional(),
  url: z.string(),
  updatedAt: date,
  lead: z.object({ id: z.string() }).nullable().optional(),
});

async function request<T>(
  client: LinearClient,
  logger: Logger,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  return pRetry(
    async () => {
      try {
        const response = await client.client.rawRequest<T, Record<string, unknown>>(query, variables);
        sourceApiCalls.inc({ source: 'linear', status: String(response.status ?? 200) });
        return response.data as T;
      } catch (err) {
        sourceApiCalls.inc({ source: 'linear', status: err instanceof RatelimitedLinearError ? '429' : 'error' });
        const status = (err as { status?: number }).status;
        if (!(err instanceof RatelimitedLinearError) && status !== undefined && status < 500)
          throw new AbortError(err as Error);
        throw err;
      }
    },
    {
      retries: 4,
      minTimeout: 1000,
      onFailedAttempt: async (error) => {
        const wait = error instanceof RatelimitedLinearError ? (error.retryAfter ?? 1) : 0;
        logger.warn({ attempt: error.attemptNumber, retryAfter: wait }, 'Linear request failed; retrying');
        if (wait) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      },
    },
  );
}

export interface LinearSyncOptions {
  db: Db;
  logger: Logger;
  client: LinearClient;
  teams: string[];
  backfillSince: Date;
  heartbeat?: () => Promise<void>;
}

/** Issues of the teams updated since the cursor (with state history), and their cycles. */
export async function syncLinear(
  options: LinearSyncOptions,
): Promise<{ issues: number; cycles: number; projects: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, client, teams } = options;
  const scope = teams.join(',');
  const cursor = (await getCursor<{ since?: string }>(db, 'linear', scope)) ?? {};
  const since = cursor.since ?? options.backfillSince.toISOString();
  let newest = cursor.since;
  let after: string | undefined;
  let issues = 0;
  let rejected = 0;
  let lastSkip: string | null = null;
  const skip = (reason: string, what: string) => {
    rejected += 1;
    lastSkip = reason;
    logger.warn({ reason }, what);
  };
  type Page = { issues: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } };
  do {
    const page: Page = await request<Page>(client, logger, ISSUES, {
      filter: { team: { key: { in: teams } }, updatedAt: { gte: since } },
      after,
    });
    for (const raw of page.issues.nodes) {
      const parsed = issueSchema.safeParse(raw);
      if (!parsed.success) {
        skip(
          rejectionReason((raw as { identifier?: unknown }).identifier, parsed.error),
          'malformed Linear issue skipped',
        );
        continue;
      }
      const issue = parsed.data;
      const history = [...issue.history.nodes];
      let complete = true;
      for (let next = issue.history.pageInfo; next?.hasNextPage && next.endCursor; ) {
        const more: { issue: { history: unknown } } = await request(client, logger, HISTORY, {
          id: issue.id,
          after: next.endCursor,
        });
        const page = historySchema.safeParse(more.issue.history);
        if (!page.success) {
          skip(rejectionReason(`${issue.identifier} history`, page.error), 'malformed Linear history; issue skipped');
          complete = false;
          break;
        }
        history.push(...page.data.nodes);
        next = page.data.pageInfo;
      }
      if (!complete) continue;
      const stored = await db
        .transaction((tx) => storeLinearIssue(tx, issue, history, raw))
        .then(
          () => true,
          (err: unknown) => {
            // A value the database refuses (as for Jira): this issue is skipped and named, the rest are stored.
            if (!isDataError(err)) throw err;
            skip(
              `${issue.identifier}: ${(err as Error).message}`.slice(0, 300),
              'Linear issue the database cannot store skipped',
            );
            return false;
          },
        );
      if (!stored) continue;
      issues += 1;
      if (!newest || Date.parse(issue.updatedAt) > Date.parse(newest)) newest = issue.updatedAt;
    }
    after = page.issues.pageInfo.hasNextPage ? (page.issues.pageInfo.endCursor ?? undefined) : undefined;
    await options.heartbeat?.();
  } while (after);
  if (newest) await setCursor(db, 'linear', scope, { since: newest });

  type Cycles = {
    teams: {
      nodes: {
        key: string;
        projects: { nodes: unknown[] };
        cycles: { nodes: unknown[] };
      }[];
    };
  };
  const data = await request<Cycles>(client, logger, CYCLES, { teams });
  let cycles = 0;
  let projects = 0;
  for (const team of data.teams.nodes) {
    for (const raw of team.cycles.nodes) {
      const parsed = cycleSchema.safeParse(raw);
      if (!parsed.success) {
        skip(rejectionReason(`cycle ${(raw as { id?: unknown }).id}`, parsed.error), 'malformed Linear cycle skipped');
        continue;
      }
      const c = parsed.data;
      const now = Date.now();
      const state = c.completedAt ? 'closed' : Date.parse(c.startsAt) <= now ? 'active' : 'future';
      await db.query(
        `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at) VALUES ('linear', $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (source, id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, start_at = EXCLUDED.start_at,
           end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at`,
        [c.id, team.key, c.name ?? `Cycle ${c.number}`, state, c.startsAt, c.endsAt, c.completedAt ?? null],
      );
      cycles += 1;
    }
    for (const raw of team.projects.nodes) {
      const parsed = projectSchema.safeParse(raw);
      if (!parsed.success) {
        skip(
          rejectionReason(`project ${(raw as { id?: unknown }).id}`, parsed.error),
          'malformed Linear project skipped',
        );
        continue;
      }
      const p = parsed.data;
      await db.query(
        `INSERT INTO projects (source, id, team, name, state, lead, progress, target_date, updated_at, url)
         VALUES ('linear', $1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (source, id) DO UPDATE SET team = EXCLUDED.team, name = EXCLUDED.name, state = EXCLUDED.state,
           lead = EXCLUDED.lead, progress = EXCLUDED.progress, target_date = EXCLUDED.target_date,
           updated_at = EXCLUDED.updated_at, url = EXCLUDED.url`,
        [p.id, team.key, p.name, p.state, p.lead?.id ?? null, p.progress, p.targetDate ?? null, p.updatedAt, p.url],
      );
      projects += 1;
    }
  }
  return { issues, cycles, projects, rejected, lastSkip };
}
