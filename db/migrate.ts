/**
 * Forward-only migrations: db/migrations/NNN_name.sql, applied in order, each in
 * one transaction together with its row in schema_migrations, so a migration is
 * either fully applied and recorded or not at all. A session advisory lock makes
 * processes that start together take turns instead of racing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, escapeIdentifier, type Pool } from 'pg';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Arbitrary but fixed: every migrating process must use the same key. */
const MIGRATION_LOCK_KEY = 7_312_004_517;

const FILE_PATTERN = /^(\d+)_([a-z0-9_-]+)\.sql$/i;

interface MigrationFile {
  version: number;
  name: string;
  file: string;
}

async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new Error(`migration file '${file}' is not named NNN_name.sql`);
    return { version: Number(m[1]), name: file.slice(0, -'.sql'.length), file: path.join(dir, file) };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations share version ${migrations[i]!.version}`);
    }
  }
  return migrations;
}

/** Applies every migration not yet recorded; returns the names applied by this call (e.g. '001_initial'). */
export async function migrate(pool: Pool, options: { dir?: string } = {}): Promise<{ applied: string[] }> {
  const migrations = await readMigrationFiles(options.dir ?? MIGRATIONS_DIR);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // session-level lock: held across the per-migration transactions below
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const appliedVersions = new Set(done.rows.map((r) => r.version));
      const applied: string[] = [];
      for (const m of migrations) {
        if (appliedVersions.has(m.version)) continue;
        const sql = await readFile(m.file, 'utf8');
        await client.query('BEGIN');
        try {
          // no parameters: pg uses the simple protocol, which accepts many statements
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
      }
      return { applied };
    } finally {
      // if this fails the session is in doubt: destroying the connection releases the lock too
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((err: Error) => {
        broken = err;
      });
    }
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Creates the database named in `url` when it is missing, connecting to the
 * `postgres` maintenance database of the same server (CREATE DATABASE cannot
 * run inside the database it creates, nor in a transaction).
 */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return;
    try {
      // identifiers cannot be bound as parameters; escapeIdentifier quotes safely
      await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`);
    } catch (err) {
      // another process created it between our check and our CREATE: that is success
      const code = (err as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw err;
    }
  } finally {
    await client.end();
  }
}
