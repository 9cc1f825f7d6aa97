/** applyItemChanges on real PostgreSQL: derived columns, idempotency, version guard, keyed records. */
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { applyItemChanges } from '../../db/repositories/item-projection';
import { getItemRow } from '../../db/repositories/items-read';
import {
  buildAuditEvent, buildDispatch, buildEscalation, buildItemChanges, buildItemState, buildNotification,
  buildProblem, buildReview, daysAfter, T0, taskDue,
} from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TABLES = ['items', 'problems', 'tasks', 'audit_events', 'escalations', 'notifications', 'dispatches', 'reviews'];

async function rowCounts(pool: Pool): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n;
  return counts;
}

/** xmin changes whenever a row is rewritten, even with identical values: proof that nothing was written. */
async function rowVersions(pool: Pool): Promise<string[]> {
  const versions: string[] = [];
  for (const table of TABLES) {
    const { rows } = await pool.query(`SELECT xmin::text AS x FROM ${table} ORDER BY xmin::text`);
    versions.push(...rows.map((r) => `${table}:${r.x}`));
  }
  return versions;
}

// asOf = T0 + 20 days, warning lead P3D
const asOf = daysAfter(T0, 20);
const state = buildItemState({
  id: 'item-1',
  updatedAt: asOf,
  problems: [buildProblem({ id: 'p1' }), buildProblem({ id: 'p2', status: 'closed', closedAt: asOf })],
  tasks: [
    taskDue(daysAfter(T0, 10), { id: 't1', ownerUnit: 'unit-b', escalationLevel: 2 }), // overdue → red
    taskDue(daysAfter(T0, 22), { id: 't2', ownerUnit: 'unit-a' }), // inside the lead → yellow
    taskDue(daysAfter(T0, 40), { id: 't3', ownerUnit: 'unit-a', status: 'inProgress' }), // green
    taskDue(daysAfter(T0, 5), { id: 't4', ownerUnit: 'unit-c', status: 'accepted', escalationLevel: 3 }), // closed
    taskDue(daysAfter(T0, 1), { id: 't5', ownerUnit: 'unit-d', status: 'cancelled' }),
  ],
  counters: { escalations: 2, reworks: 0, escalationsSinceReview: 2, reworksSinceReview: 0, auditSeq: 5 },
});
const changes = buildItemChanges(state, {
  asOf,
  auditEvents: [1, 2, 3].map((seq) => buildAuditEvent({ seq, requestId: `r${seq}` })),
  notifications: [buildNotification({ key: 'n1' }), buildNotification({ key: 'n2', kind: 'overdue' })],
  escalations: [buildEscalation({ taskId: 't1', rung: 1, level: 1 }), buildEscalation({ taskId: 't1', rung: 2, level: 2 })],
  dispatches: [buildDispatch({ seq: 1 })],
  reviews: [buildReview({ seq: 1 })],
});

describe('applyItemChanges', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('projects the derived item columns from the snapshot at asOf', async () => {
    await applyItemChanges(db.pool, changes);
    const row = await getItemRow(db.pool, 'item-1');
    expect(row).toMatchObject({
      light: 'red',
      ownerUnits: ['unit-a', 'unit-b'],
      openTasks: 3,
      overdueTasks: 1,
      openProblems: 1,
      escalationLevel: 2, // t4's level 3 is closed
      nextDeadline: daysAfter(T0, 10),
      version: 5,
      asOf,
    });
    expect(row?.state.tasks).toHaveLength(5);
    const lights = await db.pool.query('SELECT id, light FROM tasks ORDER BY id');
    expect(lights.rows.map((r) => `${r.id}:${r.light}`)).toEqual(['t1:red', 't2:yellow', 't3:green', 't4:none', 't5:none']);
  });

  it('writes nothing the second time the same changes arrive (a retried activity)', async () => {
    const countsBefore = await rowCounts(db.pool);
    const versionsBefore = await rowVersions(db.pool);
    await createActivities({ pool: db.pool }).persistItemChanges(changes);
    expect(await rowCounts(db.pool)).toEqual(countsBefore);
    expect(await rowVersions(db.pool)).toEqual(versionsBefore);
    expect(countsBefore).toEqual({
      items: 1, problems: 2, tasks: 5, audit_events: 3, escalations: 2, notifications: 2, dispatches: 1, reviews: 1,
    });
  });

  it('does not let an older snapshot overwrite a newer one, but still keeps its new records', async () => {
    const newer = buildItemState({ ...state, title: 'newer title', counters: { ...state.counters, auditSeq: 7 } });
    await applyItemChanges(db.pool, buildItemChanges(newer, { asOf }));
    const older = buildItemState({
      ...state,
      title: 'stale title',
      tasks: [taskDue(daysAfter(T0, 90), { id: 't1', ownerUnit: 'unit-z' })],
      counters: { ...state.counters, auditSeq: 6 },
    });
    await applyItemChanges(db.pool, buildItemChanges(older, {
      asOf: daysAfter(asOf, 1),
      auditEvents: [buildAuditEvent({ seq: 6 })],
      notifications: [buildNotification({ key: 'n-late' })],
    }));
    const row = await getItemRow(db.pool, 'item-1');
    expect(row).toMatchObject({ title: 'newer title', version: 7, asOf });
    const tasks = await db.pool.query(`SELECT count(*) AS n FROM tasks WHERE owner_unit = 'unit-z'`);
    expect(tasks.rows[0].n).toBe(0);
    expect((await rowCounts(db.pool)).tasks).toBe(5);
    const audit = await db.pool.query('SELECT seq FROM audit_events ORDER BY seq');
    expect(audit.rows.map((r) => r.seq)).toEqual([1, 2, 3, 6]);
    const late = await db.pool.query(`SELECT count(*) AS n FROM notifications WHERE key = 'n-late'`);
    expect(late.rows[0].n).toBe(1);
  });

  it('lets the same version land again when it is a later look (lights change with time)', async () => {
    const later = daysAfter(T0, 23); // t2 is now overdue too
    const current = buildItemState({ ...state, title: 'newer title', counters: { ...state.counters, auditSeq: 7 } });
    await applyItemChanges(db.pool, buildItemChanges(current, { asOf: later }));
    expect(await getItemRow(db.pool, 'item-1')).toMatchObject({ overdueTasks: 2, asOf: later });
  });

  it('keeps the first notification for a key and ignores any rewrite of it', async () => {
    await applyItemChanges(db.pool, buildItemChanges(state, {
      notifications: [buildNotification({ key: 'n1', reason: 'a different text' }), buildNotification({ key: 'n3' })],
    }));
    const { rows } = await db.pool.query('SELECT key, reason FROM notifications ORDER BY key');
    expect(rows.map((r) => r.key)).toEqual(['n-late', 'n1', 'n2', 'n3']);
    expect(rows.find((r) => r.key === 'n1')?.reason).toBe('deadline in 3 days');
  });

  it('drops tasks and problems the snapshot no longer has, and rolls back entirely on a bad record', async () => {
    const trimmed = buildItemState({
      ...state, problems: [buildProblem({ id: 'p1' })], tasks: [taskDue(daysAfter(T0, 30), { id: 't1' })],
      counters: { ...state.counters, auditSeq: 8 },
    });
    await applyItemChanges(db.pool, buildItemChanges(trimmed, { asOf: daysAfter(T0, 23) }));
    expect((await rowCounts(db.pool)).tasks).toBe(1);
    expect((await rowCounts(db.pool)).problems).toBe(1);

    const broken = buildItemState({ ...trimmed, title: 'must not land', counters: { ...state.counters, auditSeq: 9 } });
    const bad = buildAuditEvent({ seq: 9, at: 'not a date' });
    await expect(applyItemChanges(db.pool, buildItemChanges(broken, { auditEvents: [bad] }))).rejects.toThrow();
    expect(await getItemRow(db.pool, 'item-1')).toMatchObject({ version: 8 });
  });

  it('ends at the newest snapshot when versions race each other', async () => {
    const versions = [3, 9, 1, 7, 10, 2, 8, 5, 4, 6];
    const snapshot = (v: number) => buildItemState({
      id: 'item-race', title: `v${v}`, counters: { ...state.counters, auditSeq: v },
      tasks: Array.from({ length: v }, (_, k) => taskDue(daysAfter(T0, 30 + k), { id: `t${k}` })),
    });
    await Promise.all(versions.map((v) => applyItemChanges(db.pool, buildItemChanges(snapshot(v), { asOf }))));
    expect(await getItemRow(db.pool, 'item-race')).toMatchObject({ title: 'v10', version: 10, openTasks: 10 });
    const tasks = await db.pool.query(`SELECT count(*) AS n FROM tasks WHERE item_id = 'item-race'`);
    expect(tasks.rows[0].n).toBe(10);
  });

  it('derives owner units from finished work once nothing is open', async () => {
    const done = buildItemState({
      id: 'item-done', status: 'completed', completedAt: asOf, updatedAt: asOf,
      problems: [buildProblem({ id: 'p1', status: 'closed', closedAt: asOf })],
      tasks: [
        taskDue(daysAfter(T0, 5), { id: 't1', ownerUnit: 'unit-b', status: 'accepted', acceptedAt: asOf }),
        taskDue(daysAfter(T0, 5), { id: 't2', ownerUnit: 'unit-c', status: 'cancelled', cancelledAt: asOf }),
      ],
    });
    await applyItemChanges(db.pool, buildItemChanges(done, { asOf }));
    expect(await getItemRow(db.pool, 'item-done')).toMatchObject({
      light: 'none', ownerUnits: ['unit-b'], openTasks: 0, overdueTasks: 0, openProblems: 0, escalationLevel: 0,
      nextDeadline: null, status: 'completed', completedAt: asOf,
    });
  });
});
