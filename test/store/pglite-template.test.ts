// A new embedded database starts from the empty cluster the first one kept (initdb in WebAssembly is the slow part
// of a first start): it must be exactly that empty cluster, never a copy of someone's data, and a damaged template
// must cost time only, never the start.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPglite } from '../../src/store/pglite.js';

const ownTmp = mkdtempSync(path.join(tmpdir(), 'em-pglite-template-'));
const templateDir = path.join(ownTmp, 'em-agent');
afterAll(() => rmSync(ownTmp, { recursive: true, force: true }));

const templates = () => (existsSync(templateDir) ? readdirSync(templateDir) : []);

test('the first new database leaves the empty cluster as a template; the next starts from it, without the first one’s data', async () => {
  const first = await openPglite({ dataDir: path.join(ownTmp, 'one'), templateDir });
  await first.query("CREATE TABLE secrets (value text); INSERT INTO secrets VALUES ('first')");
  await first.close();
  expect(templates()).toEqual([expect.stringMatching(/^pglite-[\d.]+-empty-cluster\.tar$/)]);

  const second = await openPglite({ dataDir: path.join(ownTmp, 'two'), templateDir });
  const found = await second.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'secrets'",
  );
  expect(found.rows[0]?.n).toBe(0);
  await second.query('CREATE TABLE notes (n int)');
  await second.query('INSERT INTO notes VALUES (1)');
  await second.close();

  // Reopened, the second database is its own: its table, not the first one's.
  const again = await openPglite({ dataDir: path.join(ownTmp, 'two'), templateDir });
  expect((await again.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]?.n).toBe(1);
  await again.close();
}, 180_000);

test('a damaged template is dropped and the new database is built from scratch', async () => {
  const [name] = templates();
  expect(name).toBeDefined();
  writeFileSync(path.join(templateDir, name as string), 'not a tar file');
  const db = await openPglite({ dataDir: path.join(ownTmp, 'three'), templateDir });
  expect((await db.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok).toBe(1);
  await db.close();
  // Built again, and kept again, whole.
  expect(templates()).toEqual([name]);
}, 180_000);
