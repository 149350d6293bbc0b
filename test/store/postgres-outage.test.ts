// A failover or a restart drops every connection, also the ones the product holds across awaits (a transaction's,
// an advisory lock's, a job library's). The work on them fails; the process must not.
import { openPostgres } from '../../src/store/postgres.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { tcpProxy } from '../support/tcp-proxy.js';

const onServer = serverUp ? describe : describe.skip;
if (!serverUp) console.warn(`!!! SKIPPED: PostgreSQL outage — no server at ${SERVER_URL} !!!`);

onServer('a database outage under held connections [postgres]', () => {
  test('a transaction cut off mid-way fails with an error, and the database answers again once it is back', async () => {
    const schema = uniqueSchema('cut');
    const proxy = await tcpProxy();
    const db = await openPostgres({ connectionString: proxy.through(SERVER_URL), schema, max: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      let holding: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      let cutOff!: () => void;
      const waiting = new Promise<void>((resolve) => {
        cutOff = resolve;
      });
      const tx = db.transaction(async (q) => {
        await q.query('SELECT 1');
        holding();
        await waiting;
        return q.query('SELECT 2');
      });
      await held;
      proxy.cut();
      // The socket's end reaches the checked-out client while no query of its own is running.
      await new Promise((resolve) => setTimeout(resolve, 200));
      cutOff();
      await expect(tx).rejects.toThrow();
      proxy.restore();
      const answer = await eventually(async () => {
        try {
          return (await db.query<{ n: number }>('SELECT 3 AS n')).rows[0]?.n;
        } catch {
          return undefined;
        }
      });
      expect(answer).toBe(3);
      expect(uncaught).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await db.close();
      await proxy.close();
      await dropSchemas([schema]);
    }
  });
});
