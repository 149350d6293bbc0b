import { setImmediate as nextTurn } from 'node:timers/promises';

/** How many items a synchronous step handles before the event loop gets a turn (Slack acks wait otherwise). */
const SLICE = 500;

/**
 * `map` over `items` slice by slice, letting the event loop run between slices, and concatenating the results.
 * For per-item work over thousands of rows (rule findings, normalization) that would otherwise hold the thread.
 */
export async function flatMapInSlices<T, R>(items: readonly T[], map: (slice: T[]) => R[], size = SLICE): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await nextTurn();
    for (const value of map(items.slice(i, i + size))) out.push(value);
  }
  return out;
}
