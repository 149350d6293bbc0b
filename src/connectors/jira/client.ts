import { AgileClient, Version3Client } from 'jira.js';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../github/client.js';

export interface JiraCredentials {
  host: string;
  email: string;
  apiToken: string;
}

export interface JiraClients {
  host: string;
  issues: Version3Client;
  agile: AgileClient;
}

export function createJiraClients(credentials: JiraCredentials): JiraClients {
  const config = {
    host: credentials.host,
    authentication: { basic: { email: credentials.email, apiToken: credentials.apiToken } },
    middlewares: {
      onResponse: () => sourceApiCalls.inc({ source: 'jira', status: '200' }),
      onError: (error: unknown) => sourceApiCalls.inc({ source: 'jira', status: String(statusOf(error) ?? 'network') }),
    },
  };
  return { host: credentials.host, issues: new Version3Client(config), agile: new AgileClient(config) };
}

export function statusOf(error: unknown): number | undefined {
  const e = error as { status?: number; response?: { status?: number }; cause?: { response?: { status?: number } } };
  return e.status ?? e.response?.status ?? e.cause?.response?.status;
}

function retryAfterSeconds(error: unknown): number | undefined {
  const headers = (error as { cause?: { response?: { headers?: Record<string, string> } } }).cause?.response?.headers;
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Calls Jira, retrying rate limits (429, waiting Retry-After) and server errors with back-off.
 * Client errors (bad credentials, missing permission, bad JQL) fail at once.
 */
export function withJiraRetry<T>(
  call: () => Promise<T>,
  logger: Logger,
  options: { retries?: number; minTimeoutMs?: number } = {},
): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await call();
      } catch (err) {
        const status = statusOf(err);
        if (status !== undefined && status !== 429 && status < 500) throw new AbortError(err as Error);
        throw err;
      }
    },
    {
      retries: options.retries ?? 4,
      minTimeout: options.minTimeoutMs ?? 1000,
      onFailedAttempt: async (error) => {
        const wait = retryAfterSeconds(error);
        logger.warn(
          { status: statusOf(error), attempt: error.attemptNumber, retryAfter: wait },
          'Jira call failed; retrying',
        );
        if (wait) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      },
    },
  );
}
