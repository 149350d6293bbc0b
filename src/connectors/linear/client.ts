import { LinearClient, RatelimitedLinearError } from '@linear/sdk';
import { AbortError } from 'p-retry';
import { withSourceRetry } from '../../lib/source-retry.js';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../../observability/metrics.js';

export function createLinearClient(options: { apiKey: string; apiUrl?: string }): LinearClient {
  return new LinearClient({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
}

const HISTORY_FIELDS = `fragment HistoryFields on IssueHistory {
  id createdAt actor { id } fromState { name } toState { name } fromCycleId toCycleId fromEstimate toEstimate
}`;

// Linear counts a query's complexity before running it (a property 0.1 point, an object 1, a connection multiplies its
// children by its `first`, 50 when unset) and refuses one above 10,000 points; the points also come out of an hourly
// budget (https://linear.app/developers/rate-limiting). So every connection says its size, and the sizes keep each
// query near 5,000 points (test/connectors/linear.test.ts measures them with the stand-in's count): until 2026-12-08
// an issues page asked for 100 issues with 50 history entries and every label each, about 37,000 points, and a
// cycles query for every team's 50 cycles and 100 projects, 50 teams assumed: refused, so no Linear sync ran.

/** Issues a page: with the history and labels below, about 5,000 points. */
export const ISSUES_PAGE = 50;
/** History entries the issues query carries per issue; a busy issue's others are read with HISTORY. */
export const INLINE_HISTORY = 10;

// One query for what reports need; the SDK's own objects would cost a request per relation.
export const ISSUES = `query EmAgentIssues($filter: IssueFilter, $after: String) {
  issues(filter: $filter, first: ${ISSUES_PAGE}, after: $after) {
    nodes {
      id identifier previousIdentifiers title priority estimate url createdAt updatedAt completedAt
      state { name type }
      assignee { id email name }
      team { key }
      cycle { id }
      project { id }
      labels(first: 25) { nodes { name } }
      history(first: ${INLINE_HISTORY}) { nodes { ...HistoryFields } pageInfo { hasNextPage endCursor } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
${HISTORY_FIELDS}`;

// The rest of a busy issue's history (the issue query carries its first entries).
export const HISTORY = `query EmAgentIssueHistory($id: String!, $after: String) {
  issue(id: $id) { history(first: 50, after: $after) { nodes { ...HistoryFields } pageInfo { hasNextPage endCursor } } }
}
${HISTORY_FIELDS}`;

// Cycles that end after the backfill start: a team of weekly cycles has more than 50 within a year, and a page of
// the oldest 50 would miss the current one. One team a query (about 370 points each).
export const CYCLES = `query EmAgentCycles($team: String!, $endsAfter: DateTimeOrDuration) {
  teams(filter: { key: { eq: $team } }, first: 1) {
    nodes {
      key
      cycles(first: 50, filter: { endsAt: { gt: $endsAfter } }) { nodes { id number name startsAt endsAt completedAt } }
      projects(first: 100) { nodes { id name state progress targetDate url updatedAt lead { id } } }
    }
  }
}`;

/** Linear's rate limit, as em-agent reports it: "rate-limited (429)" in /em sources, whatever status Linear used. */
export class LinearRateLimitError extends Error {
  readonly status = 429;
  constructor(
    /** Seconds until the budget that ran out refills enough (Retry-After, else its reset time). */
    readonly retryAfter: number,
  ) {
    super('Linear rate limit reached (RATELIMITED)');
    this.name = 'LinearRateLimitError';
  }
}

/** Longest wait for a budget to refill before the request is tried again (the stop ends it at once). */
const MAX_RATE_LIMIT_WAIT_S = 600;

/**
 * Whether Linear refused the request for a rate limit. Linear answers a used-up budget with HTTP 400 (not 429) and
 * the code `RATELIMITED` in the error's `extensions.code`, which the SDK does not recognise (it reads only
 * `extensions.type`); its headers give each budget's remaining points and reset time (UTC epoch milliseconds).
 */
function rateLimit(err: unknown): LinearRateLimitError | undefined {
  const raw = (err as { raw?: { response?: { errors?: unknown; headers?: Headers } } }).raw?.response;
  const errors = Array.isArray(raw?.errors) ? (raw.errors as { extensions?: { code?: unknown } }[]) : [];
  if (!(err instanceof RatelimitedLinearError) && !errors.some((e) => e?.extensions?.code === 'RATELIMITED'))
    return undefined;
  const header = (name: string) => {
    const value = Number(raw?.headers?.get?.(name) ?? Number.NaN);
    return Number.isFinite(value) ? value : undefined;
  };
  const retryAfter = header('retry-after');
  if (retryAfter !== undefined)
    return new LinearRateLimitError(Math.min(Math.max(retryAfter, 1), MAX_RATE_LIMIT_WAIT_S));
  // The budget that ran out (none at zero: this query costs more than the complexity left).
  const spent = ['requests', 'complexity'].filter((b) => header(`x-ratelimit-${b}-remaining`) === 0);
  const resets = (spent.length ? spent : ['complexity'])
    .map((b) => header(`x-ratelimit-${b}-reset`))
    .filter((r): r is number => r !== undefined)
    .map((r) => (r < 1e12 ? r * 1000 : r)); // epoch ms as documented; seconds tolerated
  const wait = resets.length ? Math.ceil((Math.max(...resets) - Date.now()) / 1000) : 60;
  return new LinearRateLimitError(Math.min(Math.max(wait, 1), MAX_RATE_LIMIT_WAIT_S));
}

/**
 * One GraphQL request, counted, retrying rate limits (waiting until Linear's budget refills) and server errors; with
 * `signal`, a stop ends the waiting at once with the signal's reason.
 */
export async function request<T>(
  client: LinearClient,
  logger: Logger,
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<T> {
  return withSourceRetry(
    async () => {
      try {
        const response = await client.client.rawRequest<T, Record<string, unknown>>(query, variables);
        sourceApiCalls.inc({ source: 'linear', status: String(response.status ?? 200) });
        return response.data as T;
      } catch (err) {
        const limited = rateLimit(err);
        const status = (err as { status?: number }).status;
        sourceApiCalls.inc({ source: 'linear', status: limited ? '429' : String(status ?? 'network') });
        if (limited) throw limited;
        if (status !== undefined && status < 500) throw new AbortError(err as Error);
        throw err;
      }
    },
    (error) => {
      const wait = error instanceof LinearRateLimitError ? error.retryAfter : 0;
      logger.warn({ attempt: error.attemptNumber, retryAfter: wait }, 'Linear request failed; retrying');
      return wait;
    },
    { signal },
  );
}
