/**
 * The migration runner on a real server: fresh apply, no-op rerun, concurrent
 * starts, missing database; and 003 (bounded items) upgrading rows written by
 * the earlier schema.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabaseExists, migrate, MIGRATIONS_DIR } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { getItemView } from '../../db/repositories/item-view';
import { listDispatches, listAuditEvents } from '../../db/repositories/records';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// the files themselves, in order: numbered 001, 002, … with no gap (checked below)
const ALL_MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort().map((f) => f.replace(/\.sql$/, ''));

it('the migrations are numbered 001… without gaps, the first five as they shipped', () => {
  expect(ALL_MIGRATIONS.map((name) => Number(name.slice(0, 3)))).toEqual(ALL_MIGRATIONS.map((_, i) => i + 1));
  expect(ALL_MIGRATIONS.slice(0, 5)).toEqual(['001_initial', '002_task_co_owners_index', '003_bounded_items', '004_plan_leaders', '005_units_and_deliveries']);
});

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
    expect(rows.map((r) => [r.version, r.name])).toEqual(ALL_MIGRATIONS.map((name, i) => [i + 1, name]));
    expect(typeof rows[0].applied_at).toBe('string'); // timestamptz arrives as ISO text (db/pool.ts)
    const tables = await db.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    // every table the product reads and writes (later migrations may add more)
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([
      'audit_events', 'deliveries', 'dispatch_lines', 'dispatches', 'escalations', 'evidence_files', 'holiday_calendar_versions', 'item_save_failures',
      'item_units', 'items',
      'ledger_import_items', 'ledger_imports', 'notifications', 'plans', 'problems', 'reviews', 'schema_migrations', 'tasks', 'unit_channels', 'units',
    ]));
    // text columns are optional now: a save carries them only when the text arrives
    const nullable = await db.pool.query(
      `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('description', 'deadline_basis') AND is_nullable = 'YES' ORDER BY 1`,
    );
    expect(nullable.rows.map((r) => r.c)).toEqual(['problems.description', 'tasks.deadline_basis', 'tasks.description']);
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
      expect(applied).toEqual(ALL_MIGRATIONS);
      const { rows } = await db.pool.query('SELECT count(*) AS n FROM schema_migrations');
      expect(rows[0].n).toBe(ALL_MIGRATIONS.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe('003_bounded_items on rows written before it', () => {
  let db: TestDatabase;
  let dir: string;
  const T = '2026-03-04T02:00:00.000Z';
  const DUE = '2026-04-01T10:00:00.000Z';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    // the schema as it was: 001 and 002 only
    dir = mkdtempSync(path.join(tmpdir(), 'rect-migrations-'));
    for (const name of ALL_MIGRATIONS.slice(0, 2)) copyFileSync(path.join(MIGRATIONS_DIR, `${name}.sql`), path.join(dir, `${name}.sql`));
    expect(await migrate(db.pool, { dir })).toEqual({ applied: ALL_MIGRATIONS.slice(0, 2) });
    // an item as the whole-snapshot saves wrote it
    const snapshot = {
      id: 'old-1', title: 'Old item', status: 'cancelled', cancelReason: 'merged', tasks: [{ id: 't1' }], problems: [{ id: 'p1' }],
      leader: { id: 'l1', name: 'Leader' }, supervisionLevel: 'city',
    };
    await db.pool.query(
      `INSERT INTO items (id, title, supervision_level, leader_id, leader_name, status, light, owner_units, open_tasks, overdue_tasks,
         open_problems, escalation_level, next_deadline, created_at, updated_at, version, as_of, state)
       VALUES ('old-1', 'Old item', 'city', 'l1', 'Leader', 'active', 'red', '{unit-a}', 1, 1, 1, 2, $1, $2, $2, 7, $2, $3)`,
      [DUE, T, JSON.stringify(snapshot)],
    );
    await db.pool.query(`INSERT INTO problems (item_id, id, description, severity, status) VALUES ('old-1', 'p1', 'old problem', 'high', 'open')`);
    await db.pool.query(
      `INSERT INTO tasks (item_id, id, problem_ids, description, owner_unit, owner_person, co_owners, status, light, percent,
         assigned_at, due_at, original_due_at, deadline_basis, deadline_spec, rework_count, escalation_level, extensions_approved, stale)
       VALUES ('old-1', 't1', '{p1}', 'old task', 'unit-a', 'owner-a', '{unit-c}', 'inProgress', 'red', 40,
         $1, $2, $2, 'fixed instant', '{"kind":"instant","at":"2026-04-01T18:00:00+08:00"}', 0, 2, 1, false)`,
      [T, DUE],
    );
    await db.pool.query(
      `INSERT INTO audit_events (item_id, seq, at, actor_id, actor_name, actor_role, action, task_id, details) VALUES
         ('old-1', 1, $1, 'l1', 'Leader', 'leader', 'itemCreated', NULL, '{}'),
         ('old-1', 2, $1, 'o1', 'Owner', 'owner', 'progressReported', 't1', '{"text":"old report","percent":40,"evidence":[]}')`,
      [T],
    );
    await db.pool.query(
      `INSERT INTO notifications (key, item_id, task_id, kind, recipient_role, recipient, reason, fired_at)
       VALUES ('n1', 'old-1', 't1', 'overdue', 'ownerUnit', 'unit-a', 'late', $1)`,
      [T],
    );
    await db.pool.query(
      `INSERT INTO escalations (item_id, task_id, due_at, rung, level, owner_unit, notify, fired_at)
       VALUES ('old-1', 't1', $1, 1, 1, 'unit-a', '{ownerUnit}', $1)`,
      [DUE],
    );
    const line = { taskId: 't1', ownerUnit: 'unit-a', ownerPerson: 'owner-a', status: 'inProgress', percent: 40, dueAt: DUE, msToDeadline: -1000, light: 'red', stale: true, lastProgressText: 'old report' };
    await db.pool.query(
      `INSERT INTO dispatches (item_id, seq, at, open_tasks, stale_tasks, overdue_tasks, record) VALUES ('old-1', 1, $1, 1, 1, 1, $2)`,
      [T, JSON.stringify({ itemId: 'old-1', seq: 1, at: T, openTasks: 1, staleTasks: 1, overdueTasks: 1, lines: [line] })],
    );
    expect(await migrate(db.pool)).toEqual({ applied: ALL_MIGRATIONS.slice(2) });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('gives old records the units of their task (the best knowledge there is), and escalations their unit', async () => {
    const audit = await db.pool.query(`SELECT seq, units FROM audit_events ORDER BY seq`);
    expect(audit.rows).toEqual([{ seq: 1, units: [] }, { seq: 2, units: ['unit-a', 'unit-c'] }]);
    expect((await db.pool.query(`SELECT units FROM notifications`)).rows).toEqual([{ units: ['unit-a', 'unit-c'] }]);
    expect((await db.pool.query(`SELECT units FROM escalations`)).rows).toEqual([{ units: ['unit-a'] }]);
    expect((await listAuditEvents(db.pool, 'old-1', { role: 'owner', unit: 'unit-c' })).map((e) => e.seq)).toEqual([2]);
  });

  it('moves dispatch lines into rows of their own and out of the header', async () => {
    const [d] = await listDispatches(db.pool, 'old-1');
    expect(d).toMatchObject({ seq: 1, openTasks: 1 });
    expect(d!.lines).toEqual([{
      taskId: 't1', ownerUnit: 'unit-a', coOwners: [], ownerPerson: 'owner-a', status: 'inProgress', percent: 40, dueAt: DUE,
      msToDeadline: -1000, light: 'red', stale: true,
    }]);
    const { rows } = await db.pool.query(`SELECT record FROM dispatches`);
    expect(rows[0].record).not.toHaveProperty('lines');
  });

  it('fills item_units from the tasks, keeps the highest level reached, and trims the item row to its own fields with figures', async () => {
    const units = await db.pool.query(`SELECT unit FROM item_units WHERE item_id = 'old-1' ORDER BY unit`);
    expect(units.rows.map((r) => r.unit)).toEqual(['unit-a', 'unit-c']);
    expect((await db.pool.query(`SELECT max_escalation_level, version FROM tasks`)).rows).toEqual([{ max_escalation_level: 2, version: 0 }]);
    const { rows: [item] } = await db.pool.query(`SELECT state FROM items WHERE id = 'old-1'`);
    for (const gone of ['tasks', 'problems', 'cancelReason']) expect(item.state).not.toHaveProperty(gone);
    expect(item.state.figures).toEqual({
      light: 'red', ownerUnits: ['unit-a'], openTasks: 1, overdueTasks: 1, openProblems: 1, escalationLevel: 2, maxEscalationLevel: 2,
      nextDeadline: DUE,
    });
  });

  it('reads the old item as a view, text and latest report included', async () => {
    const view = (await getItemView(db.pool, 'old-1', { role: 'owner', unit: 'unit-c' }))!;
    expect(view.tasks).toHaveLength(1);
    expect(view.tasks[0]).toMatchObject({
      description: 'old task', deadline: { basis: 'fixed instant', dueAt: DUE }, maxEscalationLevel: 2,
      lastReport: { text: 'old report', percent: 40 },
    });
    expect(view.problems).toEqual([{ id: 'p1', description: 'old problem', severity: 'high', status: 'open' }]);
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
