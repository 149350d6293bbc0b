import { hasVector } from '../../src/store/migrate.js';
import type { EventInput } from '../../src/sync/event.js';
import { countEvents, getCursor, insertEvents, setCursor } from '../../src/sync/store.js';
import { describeEachEngine, serverHasVector } from '../support/engines.js';

function syntheticEvents(n: number): EventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    source: 'github',
    kind: i % 2 ? 'pull_request.opened' : 'deployment.succeeded',
    externalId: `acme/api#${i}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    actor: `dev${i % 17}`,
    subject: `acme/api`,
    normalized: { number: i, title: `Change ${i} — ünïcödé 'quoted'` },
    raw: { id: i, nested: { labels: ['a', 'b'] } },
  }));
}

describeEachEngine('event store', ({ engine, freshDb }) => {
  test('the same 10,000 events ingested twice leave 10,000 rows', async () => {
    const db = await freshDb();
    const events = syntheticEvents(10_000);
    const first = await insertEvents(db, events);
    const second = await insertEvents(db, events);
    expect(first).toEqual({ inserted: 10_000, duplicates: 0 });
    expect(second).toEqual({ inserted: 0, duplicates: 10_000 });
    expect(await countEvents(db)).toBe(10_000);
    expect(await countEvents(db, { kind: 'pull_request.opened' })).toBe(5_000);
  });

  test('stored events keep their normalized and raw payloads exactly', async () => {
    const db = await freshDb();
    const [event] = syntheticEvents(1);
    await insertEvents(db, [event!]);
    const { rows } = await db.query<{ normalized: unknown; raw: unknown; occurred_at: Date; actor: string }>(
      'SELECT normalized, raw, occurred_at, actor FROM events',
    );
    expect(rows[0]).toEqual({
      normalized: event!.normalized,
      raw: event!.raw,
      occurred_at: event!.occurredAt,
      actor: 'dev0',
    });
  });

  test('an invalid event is rejected with the field named and nothing is written', async () => {
    const db = await freshDb();
    const bad = { ...syntheticEvents(1)[0]!, occurredAt: 'not a date' };
    await expect(insertEvents(db, [...syntheticEvents(3), bad])).rejects.toThrow(/occurredAt/);
    expect(await countEvents(db)).toBe(0);
  });

  test('sync cursors are stored per source and scope and overwritten in place', async () => {
    const db = await freshDb();
    expect(await getCursor(db, 'github', 'acme/api')).toBeUndefined();
    await setCursor(db, 'github', 'acme/api', { since: '2026-01-01T00:00:00Z', etag: 'W/"1"' });
    await setCursor(db, 'github', 'acme/web', { since: '2025-12-01T00:00:00Z' });
    await setCursor(db, 'github', 'acme/api', { since: '2026-02-01T00:00:00Z', etag: 'W/"2"' });
    expect(await getCursor(db, 'github', 'acme/api')).toEqual({ since: '2026-02-01T00:00:00Z', etag: 'W/"2"' });
    expect(await getCursor(db, 'github', 'acme/web')).toEqual({ since: '2025-12-01T00:00:00Z' });
  });

  test('a rolled-back transaction leaves no events behind', async () => {
    const db = await freshDb();
    await expect(
      db.transaction(async (tx) => {
        await insertEvents(tx, syntheticEvents(5));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await countEvents(db)).toBe(0);
  });

  // PGlite always has pgvector; the server has it once ../shared/scripts/install-pgvector ran (global setup says which).
  const withVector = engine === 'pglite' || serverHasVector;

  test('the engine reports pgvector exactly when it has it', async () => {
    expect(await hasVector(await freshDb())).toBe(withVector);
  });

  (withVector ? test : test.skip)('pgvector answers nearest-neighbour queries', async () => {
    const db = await freshDb();
    await db.exec('CREATE TABLE vec_probe (id int, embedding vector(3))');
    await db.query("INSERT INTO vec_probe VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]')");
    const { rows } = await db.query<{ id: number }>(
      "SELECT id FROM vec_probe ORDER BY embedding <-> '[1,0,0]' LIMIT 2",
    );
    expect(rows.map((r) => r.id)).toEqual([1, 3]);
  });
});
