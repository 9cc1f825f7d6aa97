/** The migration runner on a real server: fresh apply, no-op rerun, concurrent starts, missing database. */
import { Client } from 'pg';
import { ensureDatabaseExists, migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('migrate', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(); // already migrated once by the helper
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has applied and recorded every migration, creating the schema', async () => {
    const { rows } = await db.pool.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => [r.version, r.name])).toEqual([[1, '001_initial'], [2, '002_task_co_owners_index']]);
    expect(typeof rows[0].applied_at).toBe('string'); // timestamptz arrives as ISO text (db/pool.ts)
    const tables = await db.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'audit_events', 'dispatches', 'escalations', 'items', 'notifications', 'plans', 'problems', 'reviews',
      'schema_migrations', 'tasks',
    ]);
  });

  it('applies nothing on a second run', async () => {
    await expect(migrate(db.pool)).resolves.toEqual({ applied: [] });
  });
});

describe('migrate, concurrently on a fresh database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // start from nothing: drop everything the helper migrated
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('lets exactly one of several simultaneous runners apply each migration', async () => {
    // separate pools behave like separate processes: separate sessions contend for the advisory lock
    const pools = [1, 2, 3, 4].map(() => createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 2 }));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const applied = results.flatMap((r) => r.applied);
      expect(applied).toEqual(['001_initial', '002_task_co_owners_index']);
      const { rows } = await db.pool.query('SELECT count(*) AS n FROM schema_migrations');
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe('ensureDatabaseExists', () => {
  const name = `rect_test_ensure_${process.pid}_${Date.now()}`;
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;

  afterAll(async () => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });

  it('creates a missing database once and tolerates being called again, also concurrently', async () => {
    await Promise.all([ensureDatabaseExists(url), ensureDatabaseExists(url)]);
    await ensureDatabaseExists(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db');
    await client.end();
    expect(rows[0].db).toBe(name);
  });
});
