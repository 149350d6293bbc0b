import { flatMapInSlices, readInPages, turnTaker } from '../../src/lib/slices.js';

/** Counts event-loop turns (setImmediate callbacks) while `work` runs. */
async function turnsDuring(work: () => Promise<void>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

describe('long loops let the event loop run (Slack acks wait otherwise)', () => {
  test('a loop of awaited settled steps gets a turn every `size` steps, and none without the turn-taker', async () => {
    const step = async () => {};
    const without = await turnsDuring(async () => {
      for (let i = 0; i < 1000; i += 1) await step();
    });
    expect(without).toBe(0);
    const turn = turnTaker(100);
    const withTurns = await turnsDuring(async () => {
      for (let i = 0; i < 1000; i += 1) {
        await turn();
        await step();
      }
    });
    expect(withTurns).toBe(10);
  });

  test('work over many items in slices gives the loop a turn between slices, keeping every result in order', async () => {
    const items = Array.from({ length: 1200 }, (_, i) => i);
    let out: number[] = [];
    const turns = await turnsDuring(async () => {
      out = await flatMapInSlices(items, (slice) => slice.map((i) => i * 2), 500);
    });
    expect(turns).toBe(2);
    expect(out).toEqual(items.map((i) => i * 2));
  });

  test('a paged read returns every row once, across pages', async () => {
    const rows = Array.from({ length: 4501 }, (_, i) => ({ id: i + 1 }));
    const read = async (after: { id: number } | undefined, limit: number) =>
      rows.filter((r) => r.id > (after?.id ?? 0)).slice(0, limit);
    const all = await readInPages(read, 2000);
    expect(all.map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });
});
