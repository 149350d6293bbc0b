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

/**
 * For a long loop of awaited steps that mostly do not wait for I/O (cached reads, policy decisions over thousands of
 * new signals): await the returned function once per item, and every `size`th call lets the event loop run.
 * Awaiting a settled promise does not, so such a loop otherwise holds the thread to its end.
 */
export function turnTaker(size = SLICE / 5): () => Promise<void> {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls % size === 0) await nextTurn();
  };
}

/** How many rows one page of a large read holds: parsed (pg) or copied from the database thread (PGlite) at once. */
const PAGE = 2000;

/**
 * All rows of a keyset-ordered read, fetched page by page with an event-loop turn between pages, so that tens of
 * thousands of rows neither arrive nor are parsed in one piece. `read(after, limit)` returns the rows after the
 * given row (none: from the start) in the order `after` is compared in.
 */
export async function readInPages<Row>(
  read: (after: Row | undefined, limit: number) => Promise<Row[]>,
  size = PAGE,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (let after: Row | undefined; ; ) {
    const page = await read(after, size);
    for (const row of page) rows.push(row);
    if (page.length < size) return rows;
    after = page.at(-1);
    await nextTurn();
  }
}
