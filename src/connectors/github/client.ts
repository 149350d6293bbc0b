import { setTimeout as sleep } from 'node:timers/promises';
import { App } from '@octokit/app';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../../observability/metrics.js';

export type GitHubOctokit = InstanceType<ReturnType<typeof githubOctokitClass>>;

/**
 * Where a request carries the process's stop to the rate-limit handler. Not `signal`: that one octokit hands to fetch,
 * and an aborted fetch is a 500 to the retry plugin, which would retry it after its back-off.
 */
const STOP = 'emAgentStop';
type LimitedRequest = { method: string; url: string; request?: object };

/** GitHub's largest page. */
export const PER_PAGE = 100;

const RETRIES = 3;
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

const stopOf = (options: { request?: object } | undefined) =>
  (options?.request as { [STOP]?: AbortSignal } | undefined)?.[STOP];

/**
 * Listed first, so it runs inside the throttling and retry plugins: their retries are not sent after the stop, and
 * the back-off before retrying a 5xx (base × n², as the retry plugin computes it) is waited here, where a stop ends
 * it; the retry plugin's own wait, which nothing can cut short, is set to zero.
 */
const stopCheckAndBackoff = (retryBaseMs: number) => (octokit: Octokit) => {
  octokit.hook.before('request', (options) => {
    stopOf(options)?.throwIfAborted();
  });
  octokit.hook.error('request', async (error, options) => {
    const status = (error as { status?: number }).status ?? 0;
    const attempt = (options.request as { retryCount?: number } | undefined)?.retryCount ?? 0;
    if (status >= 400 && !DO_NOT_RETRY.includes(status) && attempt < RETRIES) {
      const stop = stopOf(options);
      await sleep(retryBaseMs * (attempt + 1) ** 2, undefined, { signal: stop }).catch(() => {
        throw stop?.reason ?? error;
      });
    }
    throw error;
  });
};

function githubOctokitClass(
  baseUrl: string | undefined,
  logger: Logger,
  maxRateLimitRetries: number,
  retryBaseMs: number,
) {
  const onLimit =
    (kind: string) => async (retryAfter: number, options: LimitedRequest, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < maxRateLimitRetries;
      logger.warn(
        { retryAfter, method: options.method, url: options.url, retryCount, retrying },
        `GitHub ${kind} rate limit`,
      );
      if (!retrying) return false;
      // The plugin's own wait cannot be cut short by a stop, so the wait is here (the plugin then retries at once).
      return sleep(retryAfter * 1000, true, { signal: stopOf(options) }).catch(() => false);
    };
  return Octokit.plugin(stopCheckAndBackoff(retryBaseMs), throttling, retry).defaults({
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/$/, '') } : {}),
    throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary'), retryAfterBaseValue: 0 },
    // 5xx and network errors: retried after base × n² ms (waited in stopCheckAndBackoff). 403 and 429 are the
    // throttling plugin's, which waits for GitHub's retry-after / reset instead of guessing.
    retry: { retries: RETRIES, retryAfterBaseValue: 0, doNotRetry: DO_NOT_RETRY },
  });
}

export interface GitHubAppOptions {
  appId: string;
  privateKey: string;
  baseUrl?: string;
  logger: Logger;
  maxRateLimitRetries?: number;
  /** Base of the back-off between retries of a failed request (GitHub's SDK default: 1 s). */
  retryBaseMs?: number;
}

/** A GitHub App: JWT from the App id and key, installation tokens on demand (cached by @octokit/auth-app). */
export function createGitHubApp(options: GitHubAppOptions): App<{ Octokit: ReturnType<typeof githubOctokitClass> }> {
  const Kit = githubOctokitClass(
    options.baseUrl,
    options.logger,
    options.maxRateLimitRetries ?? 3,
    options.retryBaseMs ?? 1000,
  );
  return new App({ appId: options.appId, privateKey: options.privateKey.replace(/\\n/g, '\n'), Octokit: Kit });
}

/** Counts every API response (and error) by status, for `source_api_calls_total` and the caller's budget. */
export function instrument(
  octokit: GitHubOctokit,
  onResponse: (status: number, headers: Record<string, unknown>) => void,
): void {
  octokit.hook.after('request', (response) => {
    sourceApiCalls.inc({ source: 'github', status: String(response.status) });
    onResponse(response.status, response.headers as Record<string, unknown>);
  });
  octokit.hook.error('request', (error) => {
    const e = error as { status?: number; response?: { headers?: Record<string, unknown> } };
    sourceApiCalls.inc({ source: 'github', status: String(e.status ?? 'network') });
    onResponse(e.status ?? 0, e.response?.headers ?? {});
    throw error;
  });
}

/**
 * Ends this client's requests with the stop's reason once `signal` is aborted: a request due after the stop is not
 * sent, and a rate-limit wait under way ends at once (its 403 or 429 then gives way to the stop).
 */
export function stopWith(octokit: GitHubOctokit, signal: AbortSignal): void {
  octokit.hook.wrap('request', async (request, options) => {
    signal.throwIfAborted();
    // The hooks inside this one were given this very options object (before-after-hook binds it): set, not copied.
    options.request = { ...options.request, [STOP]: signal } as typeof options.request;
    try {
      return await request(options);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw err;
    }
  });
}

/** Whether a response's Link header points at a next page. */
export const hasNextPage = (headers: Record<string, unknown>) => /rel="next"/.test(String(headers.link ?? ''));

/** Every item of a list endpoint, page after page (GitHub's Link pagination; `page` counts from 1). */
export async function allPages(
  octokit: GitHubOctokit,
  route: string,
  params: Record<string, unknown>,
): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let page = 1; ; page += 1) {
    const response = await octokit.request(route, { ...params, per_page: PER_PAGE, page });
    items.push(...(response.data as unknown[]));
    if (!hasNextPage(response.headers as Record<string, unknown>) || (response.data as unknown[]).length === 0)
      return items;
  }
}
