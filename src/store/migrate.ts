import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; every em-agent process sharing a database takes the same lock.
const MIGRATION_LOCK_KEY = 72_617_001;

/**
 * Reads `NNN_name.sql` files in version order. Two files with one version number (two branches that each added
 * the next migration) are refused by name: the ledger records one row per version, so the second would either
 * fail on every start or, on a database that already has that version, never run.
 */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
    .map((file) => {
      const [, version, name] = /^(\d+)_([\w-]+)\.sql$/.exec(file) ?? [];
      return { version: Number(version), name: name ?? file, sql: readFileSync(`${dir}/${file}`, 'utf8') };
    })
    .sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
  for (let i = 1; i < migrations.length; i++) {
    const [before, after] = [migrations[i - 1] as Migration, migrations[i] as Migration];
    if (before.version === after.version)
      throw new Error(
        `two migrations share version ${after.version} (${before.name}, ${after.name}) in ${dir}: renumber one`,
      );
  }
  return migrations;
}

/**
 * Applies the migrations not yet recorded, all in one transaction under an advisory lock,
 * so two processes starting at once on an empty database neither collide nor apply anything twice.
 * Returns the versions it applied.
 */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((row) => row.version));
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const migration of pending) {
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    return pending.map((m) => m.version);
  });
}

/** Whether the pgvector extension is installed and usable from this database. */
export async function hasVector(db: Db): Promise<boolean> {
  const result = await db.query<{ ok: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS ok",
  );
  return result.rows[0]?.ok === true;
}
