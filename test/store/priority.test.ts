import { asInteractive } from '../../src/store/priority.js';
import { describeEachEngine } from '../support/engines.js';

describeEachEngine('interactive queries are served before queued work', ({ freshDb }) => {
  test('a query for App Home overtakes eight slow report queries already waiting', async () => {
    const db = await freshDb();
    const finished: string[] = [];
    const reports = Array.from({ length: 8 }, (_, i) =>
      db.query('SELECT pg_sleep(0.2)').then(() => finished.push(`report ${i}`)),
    );
    // Let the reports reach the database first, as they would when a person opens Home mid-load.
    await new Promise((resolve) => setImmediate(resolve));
    const home = asInteractive(() => db.query<{ answer: number }>('SELECT 42 AS answer'));
    const { rows } = await home;
    finished.push('home');
    await Promise.all(reports);
    expect(rows).toEqual([{ answer: 42 }]);
    // The embedded engine runs one statement at a time, so Home may wait for the one already running; the
    // server runs up to the pool's size at once. Served in arrival order instead, Home would come after ≥ 5.
    expect(finished.indexOf('home')).toBeLessThanOrEqual(2);
  });

  test('an interactive transaction also goes first and sees its own writes', async () => {
    const db = await freshDb();
    await db.exec('CREATE TABLE tiles (id int PRIMARY KEY, body text)');
    const slow = Array.from({ length: 6 }, () => db.query('SELECT pg_sleep(0.1)'));
    await new Promise((resolve) => setImmediate(resolve));
    const body = await asInteractive(() =>
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO tiles VALUES (1, 'sprint')");
        return (await tx.query<{ body: string }>('SELECT body FROM tiles WHERE id = 1')).rows[0]?.body;
      }),
    );
    expect(body).toBe('sprint');
    await Promise.all(slow);
    expect((await db.query('SELECT count(*)::int AS n FROM tiles')).rows).toEqual([{ n: 1 }]);
  });
});
