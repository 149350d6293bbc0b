import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError, type FailedAttemptError } from 'p-retry';

export interface SourceRetryOptions {
  retries?: number;
  minTimeoutMs?: number;
  /** The stop: it ends the call at once with its reason, before an attempt, in a back-off or a Retry-After wait. */
  signal?: AbortSignal;
  /** A source asking to wait longer than this (Retry-After) ends the call at once: someone is waiting on it. */
  maxWaitSeconds?: number;
}

/**
 * Calls a source's API (Jira, Confluence, Linear, Shortcut) with p-retry's back-off. `attempt` throws p-retry's
 * `AbortError` for what must fail at once (a client error); `failed` logs a retried failure and returns the seconds
 * the source asked to wait first (Retry-After), if any.
 */
export function withSourceRetry<T>(
  attempt: () => Promise<T>,
  failed: (error: FailedAttemptError) => number | undefined,
  options: SourceRetryOptions = {},
): Promise<T> {
  const { signal } = options;
  return pRetry(
    () => {
      // p-retry watches the signal only once it is waiting: a stop that came before this attempt ends it unmade.
      if (signal?.aborted) throw new AbortError(signal.reason);
      return attempt();
    },
    {
      retries: options.retries ?? 4,
      minTimeout: options.minTimeoutMs ?? 1000,
      signal,
      onFailedAttempt: async (error) => {
        const wait = failed(error);
        if (wait && options.maxWaitSeconds !== undefined && wait > options.maxWaitSeconds) throw error;
        // Cut short by the stop, the wait ends the call with the stop's reason, not the timer's own AbortError.
        if (wait)
          await sleep(wait * 1000, undefined, { signal }).catch((err: unknown) => {
            throw signal?.aborted ? signal.reason : err;
          });
      },
    },
  );
}
