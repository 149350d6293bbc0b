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

// One query for what reports need; the SDK's own objects would cost a request per relation.
export const ISSUES = `query EmAgentIssues($filter: IssueFilter, $after: String) {
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
export const HISTORY = `query EmAgentIssueHistory($id: String!, $after: String) {
  issue(id: $id) { history(first: 50, after: $after) { nodes { ...HistoryFields } pageInfo { hasNextPage endCursor } } }
}
${HISTORY_FIELDS}`;

// Cycles that end after the backfill start: a team of weekly cycles has more than 50 within a year, and a page of
// the oldest 50 would miss the current one.
export const CYCLES = `query EmAgentCycles($teams: [String!], $endsAfter: DateTimeOrDuration) {
  teams(filter: { key: { in: $teams } }) {
    nodes {
      key
      cycles(first: 50, filter: { endsAt: { gt: $endsAfter } }) { nodes { id number name startsAt endsAt completedAt } }
      projects(first: 100) { nodes { id name state progress targetDate url updatedAt lead { id } } }
    }
  }
}`;

/**
 * One GraphQL request, counted, retrying rate limits (waiting Linear's retry-after) and server errors; with `signal`, a
 * stop ends the waiting at once with the signal's reason.
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
        sourceApiCalls.inc({ source: 'linear', status: err instanceof RatelimitedLinearError ? '429' : 'error' });
        const status = (err as { status?: number }).status;
        if (!(err instanceof RatelimitedLinearError) && status !== undefined && status < 500)
          throw new AbortError(err as Error);
        throw err;
      }
    },
    (error) => {
      const wait = error instanceof RatelimitedLinearError ? (error.retryAfter ?? 1) : 0;
      logger.warn({ attempt: error.attemptNumber, retryAfter: wait }, 'Linear request failed; retrying');
      return wait;
    },
    { signal },
  );
}
