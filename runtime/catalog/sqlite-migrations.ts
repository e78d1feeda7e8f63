/**
 * The embedded catalog's migrations: numbered, append-only SQL files in `catalog-sql/sqlite/`,
 * applied in order inside one `BEGIN IMMEDIATE` transaction each, with the applied version recorded
 * in `schema_migrations`. Two processes opening one new file serialize on that lock, so a migration
 * runs exactly once.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { SsoError } from '../../actors/errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Path relative to the project root. */
  readonly file: string;
}

/** Append only: never edit or renumber a migration that has shipped. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'catalog', file: 'catalog-sql/sqlite/0001_catalog.sql' },
  { version: 2, name: 'worker certificates', file: 'catalog-sql/sqlite/0002_worker_certificates.sql' },
  { version: 3, name: 'data_statistics', file: 'catalog-sql/sqlite/0003_data_statistics.sql' },
  { version: 4, name: 'environments, permissions, encrypted sensitive values', file: 'catalog-sql/sqlite/0004_environments_permissions.sql' },
  { version: 5, name: 'data_taps and component_phases', file: 'catalog-sql/sqlite/0005_data_taps_component_phases.sql' },
  { version: 6, name: 'script routing', file: 'catalog-sql/sqlite/0006_script_routing.sql' },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;

const root = new URL('../../', import.meta.url);

function loadSql(m: Migration): string {
  try {
    return readFileSync(new URL(m.file, root), 'utf8');
  } catch (error) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot read catalog migration ${m.file}: ${(error as Error).message}`, { where: m.file, cause: error });
  }
}

/**
 * Brings the database up to the newest schema. Refuses a database whose recorded version is newer
 * than this build knows (an older binary must not write to a newer catalog).
 */
export function migrateSqlite(db: Database.Database, now: () => string): { applied: number[] } {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_time TEXT NOT NULL)');
  const applied: number[] = [];
  for (const m of SQLITE_MIGRATIONS) {
    const sql = loadSql(m);
    db.exec('BEGIN IMMEDIATE');
    try {
      const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (done === undefined) {
        db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_time) VALUES (?, ?, ?)').run(m.version, m.name, now());
        applied.push(m.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new SsoError('SSO_ERR_CATALOG_IO', `Catalog migration ${m.file} failed: ${(error as Error).message}`, { where: m.file, cause: error });
    }
  }
  const newest = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (newest > SQLITE_SCHEMA_VERSION) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `The catalog schema version ${newest} is newer than this build supports (${SQLITE_SCHEMA_VERSION})`, { where: 'schema_migrations' });
  }
  return { applied };
}
