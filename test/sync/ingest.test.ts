import { z } from 'zod';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { conditionalFirstPage } from '../../src/sync/conditional.js';
import { IngestRun, ingestPage, RejectedRecord } from '../../src/sync/ingest.js';
import { countEvents, getCursor } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');
const ticket = z.object({ key: z.string(), title: z.string(), updated: z.string() });
type Ticket = z.infer<typeof ticket>;

describeEachEngine('the one ingest helper', ({ freshDb }) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });

  const page = (run: IngestRun, records: unknown[], extra: Partial<Parameters<typeof ingestPage<Ticket>>[1]> = {}) =>
    ingestPage<Ticket>(run, {
      what: 'test ticket',
      records,
      schema: ticket,
      idOf: (raw) => (raw as { key?: unknown }).key,
      keyOf: (t) => t.key,
      events: (t, raw) => [
        {
          source: 'test',
          kind: 'ticket',
          externalId: `${t.key}@${t.updated}`,
          occurredAt: '2026-12-01T00:00:00Z',
          raw,
        },
      ],
      upsert: async (tx, t) => {
        await tx.query(
          `INSERT INTO work_items (source, key, project, title, status, labels, sprint_ids, created_at, updated_at, url)
           VALUES ('test', $1, 'T', $2, 'open', '{}', '{}', $3, $3, '')`,
          [t.key, t.title, t.updated],
        );
      },
      cursor: { source: 'test', scope: 'T', value: () => ({ since: records.length }) },
      ...extra,
    });

  test('bad records are rejected and counted by id, good ones stored with their events, then the cursor moves', async () => {
    const run = new IngestRun(db, logger);
    await page(run, [
      { key: 'T-1', title: 'one', updated: '2026-12-01T10:00:00Z' },
      { key: 'T-2', title: 42, updated: '2026-12-01T10:00:00Z', token: 'secret' },
      // A date the database refuses: rejected, and the page goes on.
      { key: 'T-3', title: 'three', updated: 'not a date' },
      { key: 'T-4', title: 'four', updated: '2026-12-01T11:00:00Z' },
    ]);
    expect(run.stored).toBe(2);
    expect(run.rejected).toBe(2);
    expect(run.lastSkip).toMatch(/^T-3: /);
    const rows = await db.query<{ key: string }>("SELECT key FROM work_items WHERE source = 'test' ORDER BY key");
    expect(rows.rows.map((r) => r.key)).toEqual(['T-1', 'T-4']);
    expect(await countEvents(db, { source: 'test' })).toBe(2);
    expect(await getCursor(db, 'test', 'T')).toEqual({ since: 4 });
  });

  test('a record whose details are malformed is rejected with its reason; a failing store leaves the cursor', async () => {
    const run = new IngestRun(db, logger);
    await page(run, [{ key: 'T-5', title: 'five', updated: '2026-12-02T10:00:00Z' }], {
      details: async () => {
        throw new RejectedRecord('T-5 history: items: Invalid input', 'malformed history; ticket skipped');
      },
      cursor: undefined,
    });
    expect(run).toMatchObject({ stored: 0, rejected: 1, lastSkip: 'T-5 history: items: Invalid input' });
    await expect(
      page(new IngestRun(db, logger), [{ key: 'T-6', title: 'six', updated: '2026-12-02T10:00:00Z' }], {
        upsert: async () => {
          throw new Error('connection lost');
        },
        cursor: { source: 'test', scope: 'T', value: () => ({ since: 'moved' }) },
      }),
    ).rejects.toThrow('connection lost');
    expect(await getCursor(db, 'test', 'T')).toEqual({ since: 4 });
  });

  test('a page ends at the first record `until` names; the conditional first page says when nothing changed', async () => {
    const run = new IngestRun(db, logger);
    const { ended } = await page(
      run,
      [
        { key: 'T-7', title: 'new', updated: '2026-12-03T10:00:00Z' },
        { key: 'T-8', title: 'old', updated: '2026-11-01T10:00:00Z' },
        { key: 'T-9', title: 'older', updated: '2026-10-01T10:00:00Z' },
      ],
      { until: (t) => t.updated < '2026-12-01' },
    );
    expect(ended).toBe(true);
    expect(run.stored).toBe(1);

    const notModified = Object.assign(new Error('Not Modified'), { status: 304 });
    const sent: Record<string, string>[] = [];
    const send = async (headers: Record<string, string>) => {
      sent.push(headers);
      if (headers['if-none-match'] === '"v1"') throw notModified;
      return { headers: { etag: '"v1"' } as Record<string, unknown> };
    };
    expect(await conditionalFirstPage(undefined, send)).toMatchObject({ etag: '"v1"' });
    expect(await conditionalFirstPage('"v1"', send)).toBeNull();
    expect(sent).toEqual([{}, { 'if-none-match': '"v1"' }]);
  });
});
