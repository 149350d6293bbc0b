import { AsyncLocalStorage } from 'node:async_hooks';

export type QueryPriority = 'interactive' | 'normal';

const current = new AsyncLocalStorage<QueryPriority>();

/**
 * Runs `fn` with its queries served ahead of other work: for what a person is looking at while it loads (App Home).
 * The embedded store takes them before queued queries; the server store gives them connections of their own.
 */
export function asInteractive<T>(fn: () => Promise<T>): Promise<T> {
  return current.run('interactive', fn);
}

export function queryPriority(): QueryPriority {
  return current.getStore() ?? 'normal';
}
