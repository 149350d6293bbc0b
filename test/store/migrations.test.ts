// Every migration must apply to a database that already holds data, not only to an empty one: an installation
// upgraded from any earlier version ends with the same schema as a new one, and keeps its rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db, Queryable } from '../../src/store/db.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { describeEachEngine } from '../support/engines.js';

interface Column {
  name: string;
  type: string;
  category: string;
  writable: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The schema's own tables (not the migrations ledger), parents before the tables whose foreign keys need them. */
async function tablesInInsertOrder(db: Queryable): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
      ORDER BY c.relname`,
  );
  const { rows: edges } = await db.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' → ')}`);
    for (const e of edges) if (e.child === name && e.parent !== name) visit(e.parent, [...path, name]);
    ordered.push(name);
  };
  for (const t of tables) visit(t.name, []);
  return ordered;
}

async function columnsOf(db: Queryable, table: string): Promise<Column[]> {
  const { rows } = await db.query<Column>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category,
            (a.attgenerated = '' AND a.attidentity <> 'a') AS writable
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [table],
  );
  return rows;
}

/**
 * A value of the column's type. A text column named in a CHECK anywhere in the schema takes the first literal the
 * check names, in every table, so that a foreign key from a checked column finds a parent row that satisfies it.
 */
function sampleValue(column: Column, checkLiterals: Map<string, string>): unknown {
  const literal = checkLiterals.get(column.name);
  if (column.type.startsWith('json')) return '[]';
  if (column.type === 'uuid') return '00000000-0000-4000-8000-000000000001';
  if (column.type === 'tsvector') return 'word';
  // A Buffer: node-postgres sends it as bytea, and it reaches the PGlite thread as the Uint8Array PGlite wants.
  if (column.type === 'bytea') return Buffer.from([0]);
  const dims = /^vector\((\d+)\)$/.exec(column.type)?.[1];
  if (column.type.startsWith('vector'))
    return `[${Array(Number(dims ?? 3))
      .fill(1)
      .join(',')}]`;
  switch (column.category) {
    case 'A':
      return '{}';
    case 'N':
      return 1;
    case 'B':
      return true;
    case 'D':
      return '2026-11-25T12:00:00Z';
    case 'T':
      return '1 hour';
    case 'S':
      return literal ?? `old ${column.name}`;
    default:
      throw new Error(`no sample value for ${column.name} ${column.type}: teach sampleValue this type`);
  }
}

/** One row in every table, every writable column filled, foreign keys pointing at the parent's row. */
async function populate(db: Queryable): Promise<void> {
  const checkLiterals = new Map<string, string>();
  const { rows: checks } = await db.query<{ cols: string[]; def: string }>(
    `SELECT ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)) AS cols,
            pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c WHERE c.contype = 'c' AND c.connamespace = current_schema()::regnamespace`,
  );
  for (const check of checks) {
    const literal = /'((?:[^']|'')*)'/.exec(check.def)?.[1];
    if (literal !== undefined) for (const col of check.cols) checkLiterals.set(col, literal);
  }
  for (const table of await tablesInInsertOrder(db)) {
    const columns = (await columnsOf(db, table)).filter((c) => c.writable);
    const { rows: foreignKeys } = await db.query<{ def: string; ref: string; refcols: string[] }>(
      `SELECT pg_get_constraintdef(c.oid) AS def, c.confrelid::regclass::text AS ref,
              ARRAY(SELECT attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i) AS refcols
         FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f'`,
      [table],
    );
    const values = new Map<string, unknown>(columns.map((c) => [c.name, sampleValue(c, checkLiterals)]));
    for (const fk of foreignKeys) {
      // The key's own columns in the order the definition names them, matching refcols.
      const own = (/FOREIGN KEY \(([^)]+)\)/.exec(fk.def)?.[1] ?? '')
        .split(',')
        .map((c) => c.trim().replaceAll('"', ''));
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT ${fk.refcols.map((c) => `${quote(c)}::text`).join(', ')} FROM ${fk.ref} LIMIT 1`,
      );
      const parent = rows[0];
      if (!parent) throw new Error(`${table}: its parent ${fk.ref} has no row`);
      const parentValues = Object.values(parent);
      for (const [i, column] of own.entries()) values.set(column, parentValues[i]);
    }
    const names = [...values.keys()];
    const types = new Map(columns.map((c) => [c.name, c.type]));
    await db.query(
      `INSERT INTO ${quote(table)} (${names.map(quote).join(', ')})
       VALUES (${names.map((n, i) => `$${i + 1}::${types.get(n)}`).join(', ')})`,
      [...values.values()],
    );
  }
}

async function rowCounts(db: Queryable): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await tablesInInsertOrder(db)) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`);
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

/** Tables, columns, types, nullability and defaults: what an upgraded database must share with a new one. */
async function shape(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(
    `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm')
      ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

/** An empty schema behind the same connection settings (freshDb migrates; these tests migrate themselves). */
async function emptied(db: Db): Promise<Db> {
  await db.exec(`DROP SCHEMA ${quote(db.schema)} CASCADE; CREATE SCHEMA ${quote(db.schema)}`);
  return db;
}

const migrations = loadMigrations();

test('two migration files with one version number (two branches each adding the next) are refused by name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-migrations-'));
  try {
    writeFileSync(path.join(dir, '001_base.sql'), 'CREATE TABLE a (id int);');
    writeFileSync(path.join(dir, '002_reports.sql'), 'CREATE TABLE b (id int);');
    writeFileSync(path.join(dir, '002_incidents.sql'), 'CREATE TABLE c (id int);');
    expect(() => loadMigrations(dir)).toThrow('two migrations share version 2 (incidents, reports)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describeEachEngine('migrations on a populated database', ({ freshDb }) => {
  let newInstall: string[];
  beforeAll(async () => {
    newInstall = await shape(await freshDb());
  });

  test('there are migrations to upgrade across, numbered without repeats', () => {
    expect(migrations.length).toBeGreaterThan(1);
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
  });

  // One case per migration: a database at the version before it, with a row in every table, upgraded to the end.
  test.each(migrations.slice(1).map((m, i) => [migrations[i]?.version, m.version]))(
    'a database at version %i, with data, upgrades through %i to the last version and keeps its rows',
    async (from) => {
      const db = await emptied(await freshDb());
      await migrate(
        db,
        migrations.filter((m) => m.version <= (from as number)),
      );
      await populate(db);
      const before = await rowCounts(db);
      expect(Object.values(before).every((n) => n === 1)).toBe(true);

      const applied = await migrate(db, migrations);
      expect(applied).toEqual(migrations.filter((m) => m.version > (from as number)).map((m) => m.version));
      const after = await rowCounts(db);
      for (const [table, n] of Object.entries(before))
        if (table in after) expect([table, after[table]]).toEqual([table, n]);
      expect(await shape(db)).toEqual(newInstall);
    },
  );
});
