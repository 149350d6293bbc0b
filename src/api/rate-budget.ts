// One request budget per token for both doors (REST and MCP): each registers @fastify/rate-limit, and each
// registration makes a store of its own, so they count in one shared store instead: the database's (every replica
// counts in the same window), or one in memory (one process).
import type { Queryable } from '../store/db.js';
import { countRequest } from './store.js';

interface Window {
  count: number;
  startedAt: number;
}

/** What @fastify/rate-limit asks of a store. */
export interface RateStore {
  incr(
    key: string,
    done: (err: Error | null, result: { current: number; ttl: number }) => void,
    timeWindow: number,
  ): void;
  child(): RateStore;
}

/** A store class (the plugin makes its store with `new`) whose instances all count in the same windows. */
export function sharedRateBudget(): new () => RateStore {
  const windows = new Map<string, Window>();
  return class SharedBudget implements RateStore {
    incr(key: string, done: (err: Error | null, result: { current: number; ttl: number }) => void, timeWindow: number) {
      const now = Date.now();
      if (windows.size > 10_000) for (const [k, w] of windows) if (w.startedAt + timeWindow <= now) windows.delete(k);
      let window = windows.get(key);
      if (!window || window.startedAt + timeWindow <= now) {
        window = { count: 0, startedAt: now };
        windows.set(key, window);
      }
      window.count += 1;
      done(null, { current: window.count, ttl: window.startedAt + timeWindow - now });
    }

    child(): RateStore {
      return this;
    }
  };
}

/** A store class whose instances all count in the database: one budget per token across doors and replicas. */
export function databaseRateBudget(db: Queryable): new () => RateStore {
  return class DatabaseBudget implements RateStore {
    incr(key: string, done: (err: Error | null, result: { current: number; ttl: number }) => void, timeWindow: number) {
      countRequest(db, key, timeWindow).then(
        (result) => done(null, result),
        (err: Error) => done(err, { current: 0, ttl: 0 }),
      );
    }

    child(): RateStore {
      return this;
    }
  };
}
