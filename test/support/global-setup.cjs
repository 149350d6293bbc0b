// Decides once, before the workers start, whether the PostgreSQL server is reachable.
// Workers read the answer from the environment (they inherit it) and run or loudly skip their server half.
const { Client } = require('pg');
const net = require('node:net');

/** Whether a NATS server answers at host:port (it greets every connection with an INFO line). */
function natsAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (up) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(3000, () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
  });
}

module.exports = async function globalSetup() {
  // NATS with JetStream for the event bus suites (.ci/run starts one when none runs).
  const nats = new URL(process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222');
  process.env.TEST_NATS_URL = nats.href.replace(/\/$/, '');
  process.env.EM_TEST_NATS = (await natsAnswers(nats.hostname, Number(nats.port || 4222))) ? 'up' : 'down';
  if (process.env.EM_TEST_NATS === 'down')
    process.stdout.write(`\n!!! NATS unreachable at ${nats.host}: every event bus test that needs it is SKIPPED !!!\n`);
  const url = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  process.env.TEST_DATABASE_URL = url;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'");
    process.env.EM_TEST_PG = 'up';
    process.env.EM_TEST_PG_VECTOR = rows[0].n > 0 ? 'yes' : 'no';
    if (rows[0].n === 0) {
      process.stdout.write(
        `\n!!! PostgreSQL at ${url.replace(/:[^:@/]+@/, ':***@')} has no pgvector: vector checks run on PGlite only !!!\n`,
      );
    }
  } catch (err) {
    process.env.EM_TEST_PG = 'down';
    process.stdout.write(
      `\n!!! PostgreSQL server unreachable (${err.message}): every PostgreSQL-server test is SKIPPED !!!\n`,
    );
  } finally {
    await client.end().catch(() => {});
  }
};
