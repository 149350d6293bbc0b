import { asInteractive } from '../../src/store/priority.js';
import { describeEachEngine } from '../support/engines.js';

describeEachEngine('interactive queries are served before queued work', ({ freshDb }) => {
  test('a query for App Home overtakes eight slow report queries already waiting', async () => {
    const db = await freshDb();
    const finished: string[] = [];
    // The database is busy with a long statement while the reports and then Home arrive (all sent in this tick), so
    // every one of them is waiting when it is free: the order of service is the queue's, however busy the machine.
    const busy = db.query('SELECT pg_sleep(1)');
    const reports = Array.from({ length: 8 }, (_, i) =>
      db.query('SELECT pg_sleep(0.2)').then(() => finished.push(`report ${i}`)),
    );
    const home = asInteractive(() => db.query<{ answer: number }>('SELECT 42 AS answer'));
    const { rows } = await home;
    finished.push('home');
    await Promise.all([busy, ...reports]);
    expect(rows).toEqual([{ answer: 42 }]);
    // The embedded engine runs one statement at a time, so Home may wait for the one already running; the
    // server runs up to the pool's size at once. Served in arrival order instead, Home would come after ≥ 5.
    expect(finished.indexOf('home')).toBeLessThanOrEqual(2);
  });

  test('a query for Home that arrives while a long statement runs starts before every report queued earlier', async () => {
    const db = await freshDb();
    // Each report records when the database started it; the clock is the machine's, as is Date.now().
    const busy = db.query('SELECT pg_sleep(1)');
    const reports = Array.from({ length: 6 }, () =>
      db
        .query<{ started: Date }>('SELECT clock_timestamp() AS started, pg_sleep(0.2)')
        .then(({ rows }) => ({ started: rows[0]!.started.getTime(), answered: Date.now() })),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const homeSent = Date.now();
    await asInteractive(() => db.query('SELECT 1'));
    const homeAnswered = Date.now();
    await busy;
    const served = await Promise.all(reports);
    // A report may start in the moment between Home being sent and the database taking it in; none may start well
    // after that and still be answered first.
    const overtaking = served.filter((r) => r.started > homeSent + 150 && r.answered < homeAnswered);
    expect(overtaking).toEqual([]);
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
