// Decides once, before the workers start, whether the PostgreSQL server is reachable.
// Workers read the answer from the environment (they inherit it) and run or loudly skip their server half.
const { Client } = require('pg');

module.exports = async function globalSetup() {
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
