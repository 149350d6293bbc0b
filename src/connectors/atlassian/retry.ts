import { AbortError } from 'p-retry';
import { type SourceRetryOptions, withSourceRetry } from '../../lib/source-retry.js';
import type { Logger } from '../../observability/logger.js';

export function statusOf(error: unknown): number | undefined {
  const e = error as { status?: number; response?: { status?: number }; cause?: { response?: { status?: number } } };
  return e.status ?? e.response?.status ?? e.cause?.response?.status;
}

/** Anything thrown that is not an Error (a plain object) becomes one, its fields kept. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const fields = (thrown ?? {}) as Record<string, unknown>;
  const message =
    typeof fields.message === 'string' ? fields.message : `request failed (${statusOf(thrown) ?? 'unknown status'})`;
  return Object.assign(new Error(message), fields);
}

function retryAfterSeconds(error: unknown): number | undefined {
  const e = error as {
    retryAfter?: number;
    response?: { headers?: Record<string, string> };
    cause?: { response?: { headers?: Record<string, string> } };
  };
  // Confluence's client says it itself; jira.js keeps axios's response (and its headers) as the cause.
  if (typeof e.retryAfter === 'number') return e.retryAfter;
  const headers = e.cause?.response?.headers ?? e.response?.headers;
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Calls an Atlassian API (Jira through jira.js, Confluence through its fetch client), retrying rate limits (429, waiting
 * Retry-After) and server errors with back-off. Client errors (credentials, permission, bad query) fail at once.
 * With `signal`, a stop ends the waiting at once with the signal's reason.
 */
export function withAtlassianRetry<T>(
  call: () => Promise<T>,
  logger: Logger,
  options: SourceRetryOptions = {},
): Promise<T> {
  return withSourceRetry(
    async () => {
      try {
        return await call();
      } catch (thrown) {
        const err = asError(thrown);
        const status = statusOf(err);
        if (status !== undefined && status !== 429 && status < 500) throw new AbortError(err);
        throw err;
      }
    },
    (error) => {
      const wait = retryAfterSeconds(error);
      logger.warn(
        { status: statusOf(error), attempt: error.attemptNumber, retryAfter: wait },
        'Atlassian call failed; retrying',
      );
      return wait;
    },
    options,
  );
}
