import { ShortcutClient } from '@shortcut/client';
import { AbortError } from 'p-retry';
import { type SourceRetryOptions, withSourceRetry } from '../../lib/source-retry.js';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../../observability/metrics.js';

export type { ShortcutClient };

/** The official client (axios inside); `apiUrl` points it at another origin (the default is Shortcut's). */
export function createShortcutClient(options: { token: string; apiUrl?: string }): ShortcutClient {
  const client = new ShortcutClient(options.token, {
    ...(options.apiUrl ? { baseURL: options.apiUrl.replace(/\/$/, '') } : {}),
    timeout: 30_000,
  });
  client.instance.interceptors.response.use(
    (response) => {
      sourceApiCalls.inc({ source: 'shortcut', status: String(response.status) });
      return response;
    },
    (error: unknown) => {
      sourceApiCalls.inc({ source: 'shortcut', status: String(statusOf(error) ?? 'network') });
      return Promise.reject(error);
    },
  );
  return client;
}

function statusOf(error: unknown): number | undefined {
  return (error as { response?: { status?: number } }).response?.status;
}

function retryAfterSeconds(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** An HTTP failure without the request (axios errors carry the headers, the token among them). */
export class ShortcutError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ShortcutError';
  }
}

/**
 * Calls Shortcut, retrying rate limits (429, waiting Retry-After) and server errors with back-off; client errors
 * (token, permission, bad query) fail at once. Errors are rethrown as ShortcutError, never with the request.
 */
export async function withShortcutRetry<T>(
  what: string,
  call: () => Promise<{ data: T }>,
  logger: Logger,
  options: SourceRetryOptions = {},
): Promise<T> {
  return withSourceRetry(
    async () => {
      try {
        return (await call()).data;
      } catch (thrown) {
        const status = statusOf(thrown);
        const body = (thrown as { response?: { data?: { message?: unknown } } }).response?.data;
        const detail = typeof body?.message === 'string' ? `: ${body.message.slice(0, 200)}` : '';
        const err = Object.assign(
          new ShortcutError(`Shortcut ${what} failed (${status ?? (thrown as Error).message})${detail}`, status),
          { retryAfter: retryAfterSeconds(thrown), code: (thrown as { code?: string }).code },
        );
        if (status !== undefined && status !== 429 && status < 500) throw new AbortError(err);
        throw err;
      }
    },
    (error) => {
      const wait = (error as unknown as { retryAfter?: number }).retryAfter;
      logger.warn(
        { status: (error as unknown as ShortcutError).status, attempt: error.attemptNumber, retryAfter: wait },
        'Shortcut call failed; retrying',
      );
      return wait;
    },
    options,
  );
}
