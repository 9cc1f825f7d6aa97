/**
 * applyItemChanges on real PostgreSQL: derived columns, idempotency, the
 * version guard per row, text kept across saves, keyed records, batches whose
 * item row comes last; then a real item's life (domain → SaveTracker → batches
 * → read side) read back per viewer: text, dispatch lines, item_units, and what
 * an owner sees before and after a reassignment.
 */
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { applyItemChanges } from '../../db/repositories/item-projection';
import { fourListsOf, getItemView, itemAccess, itemVersion } from '../../db/repositories/item-view';
import { listItems } from '../../db/repositories/items-read';
import { listAuditEvents, listDispatches, listItemEscalations, listNotifications } from '../../db/repositories/records';
import type { Viewer } from '../../db/repositories/visibility';
import type { Command } from '../../domain/commands';
import { createItemState } from '../../domain/create-item';
import { SaveTracker, splitIntoBatches, type ItemChanges } from '../../domain/item-changes';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { jsonBytes } from '../../domain/text';
import { advanceClock } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { Actor, ItemState } from '../../domain/types';
import {
  BASIS_TEXT, buildAuditEvent, buildDispatch, buildDispatchLine, buildEscalation, buildItemChanges, buildItemState, buildNotification,
  buildProblem, buildReview, daysAfter, PROBLEM_TEXT, T0, TASK_TEXT, taskDue,
} from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { envelope, HOUR, iso, itemInput, LEADER, NOW, OWNER_A, OWNER_B, OWNER_C } from '../unit/item-builders';

const TABLES = [
  'items', 'problems', 'tasks', 'audit_events', 'escalations', 'notifications', 'dispatches', 'dispatch_lines', 'reviews', 'item_units',
];
const ADMIN: Viewer = { role: 'admin' };
const ALL_ROWS = { limit: 200 };

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

async function summary(pool: Pool, itemId: string) {
  const { items } = await listItems(pool, ALL_ROWS, ADMIN);
  return items.find((i) => i.id === itemId);
}

async function taskRow(pool: Pool, itemId: string, taskId: string) {
  const { rows } = await pool.query('SELECT * FROM tasks WHERE item_id = $1 AND id = $2', [itemId, taskId]);
  return rows[0];
}

// asOf = T0 + 20 days, warning lead P3D
const asOf = daysAfter(T0, 20);
const state = buildItemState({
  id: 'item-1',
  updatedAt: asOf,
  problems: [buildProblem({ id: 'p1' }), buildProblem({ id: 'p2', status: 'closed', closedAt: asOf })],
  tasks: [
    taskDue(daysAfter(T0, 10), { id: 't1', ownerUnit: 'unit-b', escalationLevel: 2 }), // overdue → red
    taskDue(daysAfter(T0, 22), { id: 't2', ownerUnit: 'unit-a', coOwners: ['unit-e'] }), // inside the lead → yellow
    taskDue(daysAfter(T0, 40), { id: 't3', ownerUnit: 'unit-a', status: 'inProgress' }), // green
    taskDue(daysAfter(T0, 5), { id: 't4', ownerUnit: 'unit-c', status: 'accepted', escalationLevel: 3 }), // closed
    taskDue(daysAfter(T0, 1), { id: 't5', ownerUnit: 'unit-d', status: 'cancelled' }),
  ],
  counters: { escalations: 2, reworks: 0, escalationsSinceReview: 2, reworksSinceReview: 0, auditSeq: 5 },
});
const dispatch = buildDispatch({
  seq: 1, openTasks: 2,
  lines: [buildDispatchLine({ taskId: 't1', ownerUnit: 'unit-b' }), buildDispatchLine({ taskId: 't2', ownerUnit: 'unit-a', coOwners: ['unit-e'] })],
});
const changes = buildItemChanges(state, {
  asOf,
  auditEvents: [1, 2, 3].map((seq) => buildAuditEvent({ seq, requestId: `r${seq}` })),
  notifications: [buildNotification({ key: 'n1' }), buildNotification({ key: 'n2', kind: 'overdue' })],
  escalations: [buildEscalation({ taskId: 't1', ownerUnit: 'unit-b', rung: 1, level: 1 }), buildEscalation({ taskId: 't1', ownerUnit: 'unit-b', rung: 2, level: 2 })],
  dispatches: [dispatch],
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

  it('projects the item row from the header and its figures at asOf; tasks get their light, dispatches their lines', async () => {
    await applyItemChanges(db.pool, changes);
    expect(await summary(db.pool, 'item-1')).toMatchObject({
      light: 'red',
      ownerUnits: ['unit-a', 'unit-b'],
      openTasks: 3,
      overdueTasks: 1,
      openProblems: 1,
      escalationLevel: 2, // t4's level 3 is closed
      maxEscalationLevel: 3, // …but it was reached
      nextDeadline: daysAfter(T0, 10),
      version: 5,
      asOf,
    });
    const lights = await db.pool.query('SELECT id, light, version, as_of FROM tasks ORDER BY id');
    expect(lights.rows.map((r) => `${r.id}:${r.light}:${r.version}`)).toEqual(['t1:red:5', 't2:yellow:5', 't3:green:5', 't4:none:5', 't5:none:5']);
    // the item row keeps its own fields and figures, not its tasks
    const { rows: [item] } = await db.pool.query(`SELECT state FROM items WHERE id = 'item-1'`);
    expect(item.state).not.toHaveProperty('tasks');
    expect(item.state).not.toHaveProperty('calendar');
    expect(item.state.figures).toMatchObject({ light: 'red', openTasks: 3 });
    const lines = await db.pool.query('SELECT seq, task_id, owner_unit, co_owners FROM dispatch_lines ORDER BY task_id');
    expect(lines.rows).toEqual([
      { seq: 1, task_id: 't1', owner_unit: 'unit-b', co_owners: [] },
      { seq: 1, task_id: 't2', owner_unit: 'unit-a', co_owners: ['unit-e'] },
    ]);
    const { rows: [header] } = await db.pool.query('SELECT record FROM dispatches');
    expect(header.record).not.toHaveProperty('lines');
  });

  it('records every unit the tasks name in item_units, owners and co-owners, cancelled tasks too', async () => {
    const { rows } = await db.pool.query(`SELECT unit FROM item_units WHERE item_id = 'item-1' ORDER BY unit`);
    expect(rows.map((r) => r.unit)).toEqual(['unit-a', 'unit-b', 'unit-c', 'unit-d', 'unit-e']);
  });

  it('writes nothing the second time the same changes arrive (a retried activity)', async () => {
    const countsBefore = await rowCounts(db.pool);
    const versionsBefore = await rowVersions(db.pool);
    await createActivities({ pool: db.pool }).saveItemChanges(changes);
    expect(await rowCounts(db.pool)).toEqual(countsBefore);
    expect(await rowVersions(db.pool)).toEqual(versionsBefore);
    expect(countsBefore).toEqual({
      items: 1, problems: 2, tasks: 5, audit_events: 3, escalations: 2, notifications: 2, dispatches: 1, dispatch_lines: 2, reviews: 1,
      item_units: 5,
    });
  });

  it('keeps the text of rows when a later save carries none, and replaces what a save carries', async () => {
    const later = buildItemState({ ...state, counters: { ...state.counters, auditSeq: 6 } });
    await applyItemChanges(db.pool, buildItemChanges(later, { asOf, text: false }));
    const t1 = await taskRow(db.pool, 'item-1', 't1');
    expect(t1).toMatchObject({ description: TASK_TEXT, deadline_basis: BASIS_TEXT, version: 6 });
    const { rows: problems } = await db.pool.query(`SELECT id, description, version FROM problems ORDER BY id`);
    expect(problems).toEqual([{ id: 'p1', description: PROBLEM_TEXT, version: 6 }, { id: 'p2', description: PROBLEM_TEXT, version: 6 }]);
    // an approved extension brings only a new basis: the description stays
    const extended = buildItemState({ ...later, counters: { ...state.counters, auditSeq: 7 } });
    const save = buildItemChanges(extended, { asOf, text: false });
    save.tasks = save.tasks.filter((t) => t.id === 't1').map((t) => ({ ...t, deadlineBasis: '5 working days from 2024-03-21' }));
    save.problems = [];
    await applyItemChanges(db.pool, save);
    expect(await taskRow(db.pool, 'item-1', 't1')).toMatchObject({ description: TASK_TEXT, deadline_basis: '5 working days from 2024-03-21', version: 7 });
    expect(await taskRow(db.pool, 'item-1', 't2')).toMatchObject({ description: TASK_TEXT, deadline_basis: BASIS_TEXT, version: 6 });
  });

  it('guards each row by its own version: an older save changes what it is newer for, nothing else; its records land', async () => {
    // v8 changed t2 only; v8 is saved first…
    const v8 = buildItemState({
      ...state, title: 'newer title', counters: { ...state.counters, auditSeq: 8 },
      tasks: state.tasks.map((t) => (t.id === 't2' ? { ...t, status: 'inProgress' as const, percent: 50 } : t)),
    });
    const newer = buildItemChanges(v8, { asOf, text: false });
    newer.tasks = newer.tasks.filter((t) => t.id === 't2');
    newer.problems = [];
    await applyItemChanges(db.pool, newer);
    // …then the late v7.5 (here: 7, asOf later) with t2, t3 and an old title
    const v7 = buildItemState({
      ...state, title: 'stale title', counters: { ...state.counters, auditSeq: 7 },
      tasks: state.tasks.map((t) => (t.id === 't2' ? { ...t, percent: 10 } : t.id === 't3' ? { ...t, percent: 70 } : t)),
    });
    const older = buildItemChanges(v7, {
      asOf: daysAfter(asOf, 1), text: false,
      auditEvents: [buildAuditEvent({ seq: 7 })],
      notifications: [buildNotification({ key: 'n-late' })],
    });
    older.tasks = older.tasks.filter((t) => t.id === 't2' || t.id === 't3');
    await applyItemChanges(db.pool, older);
    expect(await summary(db.pool, 'item-1')).toMatchObject({ title: 'newer title', version: 8, asOf });
    expect(await taskRow(db.pool, 'item-1', 't2')).toMatchObject({ percent: 50, status: 'inProgress', version: 8 });
    // t3's row was stored at version 6: the v7 row is newer for it
    expect(await taskRow(db.pool, 'item-1', 't3')).toMatchObject({ percent: 70, version: 7, description: TASK_TEXT });
    const audit = await db.pool.query('SELECT seq FROM audit_events ORDER BY seq');
    expect(audit.rows.map((r) => r.seq)).toEqual([1, 2, 3, 7]);
    const late = await db.pool.query(`SELECT count(*) AS n FROM notifications WHERE key = 'n-late'`);
    expect(late.rows[0].n).toBe(1);
  });

  it('lets the same version land again when it is a later look (lights change with time)', async () => {
    const later = daysAfter(T0, 23); // t2 is now overdue too
    const current = buildItemState({
      ...state, title: 'newer title', counters: { ...state.counters, auditSeq: 8 },
      tasks: state.tasks.map((t) => (t.id === 't2' ? { ...t, status: 'inProgress' as const, percent: 50 } : t.id === 't3' ? { ...t, percent: 70 } : t)),
    });
    await applyItemChanges(db.pool, buildItemChanges(current, { asOf: later, text: false }));
    expect(await summary(db.pool, 'item-1')).toMatchObject({ overdueTasks: 2, asOf: later, version: 8 });
    expect(await taskRow(db.pool, 'item-1', 't2')).toMatchObject({ light: 'red', as_of: later });
  });

  it('keeps the first notification for a key and ignores any rewrite of it', async () => {
    await applyItemChanges(db.pool, buildItemChanges(state, {
      notifications: [buildNotification({ key: 'n1', reason: 'a different text' }), buildNotification({ key: 'n3' })],
    }));
    const { rows } = await db.pool.query('SELECT key, reason FROM notifications ORDER BY key');
    expect(rows.map((r) => r.key)).toEqual(['n-late', 'n1', 'n2', 'n3']);
    expect(rows.find((r) => r.key === 'n1')?.reason).toBe('deadline in 3 days');
  });

  it('rolls back entirely on a bad record: no row, no version moves', async () => {
    const before = await rowVersions(db.pool);
    const broken = buildItemState({ ...state, title: 'must not land', counters: { ...state.counters, auditSeq: 9 } });
    const bad = buildAuditEvent({ seq: 9, at: 'not a date' });
    await expect(applyItemChanges(db.pool, buildItemChanges(broken, { asOf: daysAfter(T0, 24), auditEvents: [bad] }))).rejects.toThrow();
    expect(await summary(db.pool, 'item-1')).toMatchObject({ version: 8, title: 'newer title' });
    expect(await rowVersions(db.pool)).toEqual(before);
  });

  it('ends at the newest rows when versions race each other', async () => {
    const versions = [3, 9, 1, 7, 10, 2, 8, 5, 4, 6];
    const snapshot = (v: number) => buildItemState({
      id: 'item-race', title: `v${v}`, counters: { ...state.counters, auditSeq: v },
      tasks: Array.from({ length: 10 }, (_, k) => taskDue(daysAfter(T0, 30 + k), { id: `t${k}`, percent: v * 10 - k })),
    });
    await Promise.all(versions.map((v) => applyItemChanges(db.pool, buildItemChanges(snapshot(v), { asOf }))));
    expect(await summary(db.pool, 'item-race')).toMatchObject({ title: 'v10', version: 10, openTasks: 10 });
    const { rows } = await db.pool.query(`SELECT id, percent, version FROM tasks WHERE item_id = 'item-race' ORDER BY id`);
    expect(rows).toEqual(Array.from({ length: 10 }, (_, k) => ({ id: `t${k}`, percent: 100 - k, version: 10 })));
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
    expect(await summary(db.pool, 'item-done')).toMatchObject({
      light: 'none', ownerUnits: ['unit-b'], openTasks: 0, overdueTasks: 0, openProblems: 0, escalationLevel: 0,
      nextDeadline: null, status: 'completed', completedAt: asOf,
    });
  });

  it('takes rows that arrive before their item row (batches of one save), and lists the item once its row lands', async () => {
    const big = buildItemState({
      id: 'item-batched', counters: { ...state.counters, auditSeq: 4 },
      tasks: Array.from({ length: 40 }, (_, k) => taskDue(daysAfter(T0, 30), { id: `t${k}` })),
    });
    const save = buildItemChanges(big, { asOf, auditEvents: [1, 2, 3, 4].map((seq) => buildAuditEvent({ itemId: 'item-batched', seq })) });
    const batches = splitIntoBatches(save, 8 * 1024);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches.slice(0, -1)) await applyItemChanges(db.pool, batch);
    expect(await itemVersion(db.pool, 'item-batched')).toBeNull();
    expect(await summary(db.pool, 'item-batched')).toBeUndefined();
    const { rows } = await db.pool.query(`SELECT count(*) AS n FROM tasks WHERE item_id = 'item-batched'`);
    expect(rows[0].n).toBeGreaterThan(0);
    await applyItemChanges(db.pool, batches[batches.length - 1]!);
    expect(await itemVersion(db.pool, 'item-batched')).toBe(4);
    const view = await getItemView(db.pool, 'item-batched', ADMIN);
    expect(view?.tasks).toHaveLength(40);
    expect(view?.tasks.every((t) => t.description === TASK_TEXT)).toBe(true);
  });
});

/**
 * A real item's life through the domain, saved as the workflow saves it.
 *   t1: unit-a with co-owner unit-c, fixed deadline 1 April; t2: unit-b, 10 working days (18 March).
 *   unit-a reports and asks for an extension (denied); unit-b reports; the first dispatch (9 March);
 *   t1 is reassigned to unit-d (no co-owner); unit-d reports; the clock runs to 22 March (t2 overdue,
 *   rungs 1 and 2; the second dispatch); unit-b's extension of t2 is approved; unit-d submits t1.
 */
describe('the read side of a real item, per viewer', () => {
  const CAL = statutoryCalendar();
  const OWNER_D: Actor = { id: 'owner-d', name: 'Owner of unit D', role: 'owner', unit: 'unit-d' };
  const OWNER_X: Actor = { id: 'owner-x', name: 'Owner of unit X', role: 'owner', unit: 'unit-x' };
  const viewer = (a: Actor): Viewer => ({ role: a.role, unit: a.unit });
  const FIRST = Date.parse('2026-03-09T01:00:00.000Z');
  const END = Date.parse('2026-03-22T02:00:00.000Z');

  let db: TestDatabase;
  let final: ItemState;
  const saves: ItemChanges[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const tracker = new SaveTracker();
    const created = createItemState(itemInput(), LEADER, NOW, CAL);
    let s = created.state;
    tracker.add(created.records);
    let now = NOW;
    const save = async (maxBytes = 128 * 1024) => {
      const c = tracker.take(s, now);
      if (!c) return;
      saves.push(c);
      for (const batch of splitIntoBatches(c, maxBytes)) await applyItemChanges(db.pool, batch);
    };
    const act = (actor: Actor, command: Command) => {
      now += HOUR;
      const out = applyCommand(s, envelope(actor, command), now);
      tracker.add(out.records);
      s = out.state;
    };
    const clock = (at: number) => {
      now = at;
      const out = advanceClock(s, at);
      tracker.add(out.records);
      s = out.state;
    };
    await save();
    act(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'report of unit-a', percent: 30, evidence: ['a.jpg'] });
    act(OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: '2026-05-01T18:00:00+08:00' }, reason: 'rain' });
    act(LEADER, { type: 'decideExtension', taskId: 't1', approve: false, note: 'no' });
    act(OWNER_B, { type: 'reportProgress', taskId: 't2', text: 'report of unit-b', percent: 20 });
    await save();
    clock(FIRST);
    await save();
    act(LEADER, { type: 'reassignTask', taskId: 't1', ownerUnit: 'unit-d', ownerPerson: 'owner-d', coOwners: [] });
    act(OWNER_D, { type: 'reportProgress', taskId: 't1', text: 'report of unit-d', percent: 60 });
    clock(END);
    act(OWNER_B, { type: 'requestExtension', taskId: 't2', newDeadline: { kind: 'workingDays', days: 5 }, reason: 'late' });
    act(LEADER, { type: 'decideExtension', taskId: 't2', approve: true });
    act(OWNER_D, { type: 'submitTask', taskId: 't1', evidence: ['final.pdf'], note: 'done by unit-d' });
    // the last save in small batches: several activity inputs, the item row in the last
    await save(4 * 1024);
    final = s;

    // another item, cancelled with a reason
    const other = createItemState(itemInput({ id: 'item-2' }), LEADER, NOW, CAL);
    const cancelled = applyCommand(other.state, envelope(LEADER, { type: 'cancelItem', reason: 'superseded by item 9' }), NOW + HOUR);
    const t2 = new SaveTracker();
    t2.add(other.records);
    t2.add(cancelled.records);
    await applyItemChanges(db.pool, t2.take(cancelled.state, NOW + HOUR)!);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('the last save needed several batches, and the read side is at the item\'s version', async () => {
    const last = saves[saves.length - 1]!;
    expect(splitIntoBatches(last, 4 * 1024).length).toBeGreaterThan(1);
    expect(jsonBytes(last)).toBeGreaterThan(4 * 1024);
    expect(await itemVersion(db.pool, 'item-1')).toBe(final.counters.auditSeq);
  });

  it('a leader sees the whole item with its text: descriptions, measures, deadline bases, the latest report and submission', async () => {
    const view = (await getItemView(db.pool, 'item-1', viewer(LEADER)))!;
    expect(view).toMatchObject({ id: 'item-1', version: final.counters.auditSeq, status: 'active' });
    expect(view.problems.map((p) => [p.id, p.description])).toEqual([['p1', 'problem p1'], ['p2', 'problem p2']]);
    const t1 = view.tasks.find((t) => t.id === 't1')!;
    const t2 = view.tasks.find((t) => t.id === 't2')!;
    expect(t1).toMatchObject({
      description: 'task t1', measures: 'visit every household', ownerUnit: 'unit-d', coOwners: [], status: 'submitted',
      percent: 100, extensionsDenied: 1, deadline: { basis: 'fixed instant', dueAt: '2026-04-01T10:00:00.000Z' },
      lastReport: { by: 'owner-d', text: 'report of unit-d', percent: 60, evidence: [] },
      submission: { by: 'owner-d', evidence: ['final.pdf'], note: 'done by unit-d' },
    });
    // t2: the description from creation, the basis of the approved extension
    expect(t2).toMatchObject({
      description: 'task t2', extensionsApproved: 1, escalationLevel: 0, maxEscalationLevel: 2,
      lastReport: { by: 'owner-b', text: 'report of unit-b' },
    });
    expect(t2.deadline.basis).toMatch(/^5 working days from 2026-03-22/);
    expect(t2).not.toHaveProperty('measures');
    expect(t2).not.toHaveProperty('submission');
    // the read side agrees with the workflow's state
    for (const t of final.tasks) {
      expect(view.tasks.find((v) => v.id === t.id)).toMatchObject({
        status: t.status, percent: t.percent, reportCount: t.reportCount, escalationLevel: t.escalationLevel,
        originalDueAt: t.originalDueAt, alarms: t.alarms,
      });
    }
    expect(view.figures.ownerUnits).toEqual(['unit-b', 'unit-d']);
  });

  it('the four lists show the text and the moved deadline beside the original one', async () => {
    const lists = fourListsOf((await getItemView(db.pool, 'item-1', viewer(LEADER)))!);
    expect(lists.problems.map((p) => p.description)).toEqual(['problem p1', 'problem p2']);
    expect(lists.tasks).toEqual([
      { id: 't1', problemIds: ['p1'], description: 'task t1', measures: 'visit every household', status: 'submitted' },
      { id: 't2', problemIds: ['p2'], description: 'task t2', status: 'inProgress' },
    ]);
    expect(lists.responsibilities).toEqual([
      { taskId: 't1', ownerUnit: 'unit-d', ownerPerson: 'owner-d', coOwners: [] },
      { taskId: 't2', ownerUnit: 'unit-b', ownerPerson: 'owner-b', coOwners: [] },
    ]);
    const t2 = final.tasks.find((t) => t.id === 't2')!;
    expect(lists.timeLimits[1]).toEqual({
      taskId: 't2', dueAt: t2.deadline.dueAt, originalDueAt: t2.originalDueAt, basis: expect.stringMatching(/^5 working days/),
    });
    expect(lists.timeLimits[1]!.dueAt).not.toBe(lists.timeLimits[1]!.originalDueAt);
  });

  it('keeps the reason of a cancelled item from its audit trail', async () => {
    const view = await getItemView(db.pool, 'item-2', viewer(LEADER));
    expect(view).toMatchObject({ status: 'cancelled', cancelReason: 'superseded by item 9' });
    expect(view!.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('item_units holds every unit the item ever concerned', async () => {
    const { rows } = await db.pool.query(`SELECT unit FROM item_units WHERE item_id = 'item-1' ORDER BY unit`);
    expect(rows.map((r) => r.unit)).toEqual(['unit-a', 'unit-b', 'unit-c', 'unit-d']);
  });

  it('an owner whose task moved away still finds the item, but neither the task nor the other units', async () => {
    const a = viewer(OWNER_A);
    expect(await itemAccess(db.pool, 'item-1', a)).toBe('visible');
    const listed = (await listItems(db.pool, ALL_ROWS, a)).items.map((i) => [i.id, i.ownerUnits]);
    // item-2 ended with every task cancelled: its owner units are all its units, and unit-a is told only of itself
    expect(listed).toEqual([['item-1', []], ['item-2', ['unit-a']]]);
    const view = (await getItemView(db.pool, 'item-1', a))!;
    expect(view.tasks).toEqual([]);
    expect(view.problems).toEqual([]);
    expect(view.figures.ownerUnits).toEqual([]);
    expect(view.schedule.lastReview).toBeUndefined();
  });

  it('the old unit still sees its own records, including the hand-over, and none of the new unit\'s', async () => {
    const events = await listAuditEvents(db.pool, 'item-1', viewer(OWNER_A));
    expect(events.map((e) => `${e.action}:${e.taskId}`)).toEqual([
      'progressReported:t1', 'extensionRequested:t1', 'extensionDenied:t1', 'taskReassigned:t1',
    ]);
    expect(events[0]!.details).toMatchObject({ text: 'report of unit-a' });
    expect(JSON.stringify(events)).not.toContain('report of unit-d');
    expect(JSON.stringify(events)).not.toContain('report of unit-b');
    // records are handed out without the units that decide who sees them
    expect(events[0]).not.toHaveProperty('units');
    const notes = await listNotifications(db.pool, 'item-1', viewer(OWNER_A));
    expect(notes.map((n) => `${n.kind}:${n.recipient}`)).toEqual(['extensionRequested:leader-1', 'extensionDecided:unit-a']);
    expect(await listItemEscalations(db.pool, 'item-1', viewer(OWNER_A))).toEqual([]);
  });

  it('a co-owner unit sees what concerned it while it was one', async () => {
    const events = await listAuditEvents(db.pool, 'item-1', viewer(OWNER_C));
    expect(events.map((e) => e.action)).toEqual(['progressReported', 'extensionRequested', 'extensionDenied', 'taskReassigned']);
    const dispatches = await listDispatches(db.pool, 'item-1', viewer(OWNER_C));
    expect(dispatches.map((d) => [d.seq, d.lines.map((l) => l.taskId), d.openTasks])).toEqual([[1, ['t1'], 1], [2, [], 0]]);
  });

  it('the new unit sees the task and what happened since the hand-over, not the old unit\'s records', async () => {
    const d = viewer(OWNER_D);
    const events = await listAuditEvents(db.pool, 'item-1', d);
    expect(events.map((e) => `${e.action}:${e.taskId}`)).toEqual(['taskReassigned:t1', 'progressReported:t1', 'taskSubmitted:t1']);
    expect(JSON.stringify(events)).not.toContain('report of unit-a');
    const notes = await listNotifications(db.pool, 'item-1', d);
    expect(notes.map((n) => n.kind)).toEqual(['reassigned', 'submitted']);
    const view = (await getItemView(db.pool, 'item-1', d))!;
    expect(view.tasks.map((t) => t.id)).toEqual(['t1']);
    expect(view.problems.map((p) => p.id)).toEqual(['p1']);
    expect(view.figures.ownerUnits).toEqual(['unit-d']);
    const listed = (await listItems(db.pool, ALL_ROWS, d)).items;
    expect(listed.map((i) => [i.id, i.ownerUnits])).toEqual([['item-1', ['unit-d']]]);
  });

  it('dispatches: an owner gets the lines of their unit at the time, with totals over those lines', async () => {
    const all = await listDispatches(db.pool, 'item-1', viewer(LEADER));
    expect(all.map((x) => [x.seq, x.openTasks, x.lines.map((l) => `${l.taskId}@${l.ownerUnit}`)])).toEqual([
      [1, 2, ['t2@unit-b', 't1@unit-a']],
      [2, 2, ['t2@unit-b', 't1@unit-d']],
    ]);
    expect(all[0]!.lines.find((l) => l.taskId === 't1')).toMatchObject({ coOwners: ['unit-c'], percent: 30, lastProgressAt: iso(NOW + HOUR) });
    const a = await listDispatches(db.pool, 'item-1', viewer(OWNER_A));
    expect(a.map((x) => [x.seq, x.openTasks, x.lines.map((l) => l.taskId)])).toEqual([[1, 1, ['t1']], [2, 0, []]]);
    const b = await listDispatches(db.pool, 'item-1', viewer(OWNER_B));
    // the second round ran when the clock caught up (22 March), with t2 already overdue
    expect(all[1]!.at).toBe(iso(END));
    expect(b.map((x) => [x.seq, x.openTasks, x.overdueTasks, x.lines.map((l) => l.taskId)])).toEqual([[1, 1, 0, ['t2']], [2, 1, 1, ['t2']]]);
    expect(b[1]!.staleTasks).toBe(1);
    const dd = await listDispatches(db.pool, 'item-1', viewer(OWNER_D));
    expect(dd.map((x) => [x.seq, x.lines.map((l) => l.taskId)])).toEqual([[1, []], [2, ['t1']]]);
  });

  it('escalations and their notifications go to the unit of the task when they fired', async () => {
    const b = await listItemEscalations(db.pool, 'item-1', viewer(OWNER_B));
    expect(b.map((e) => [e.taskId, e.rung, e.level])).toEqual([['t2', 1, 1], ['t2', 2, 2]]);
    const kinds = (await listNotifications(db.pool, 'item-1', viewer(OWNER_B))).map((n) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['warning', 'overdue', 'escalation', 'extensionRequested', 'extensionDecided']));
    expect(await listItemEscalations(db.pool, 'item-1', viewer(OWNER_D))).toEqual([]);
    expect(await listItemEscalations(db.pool, 'item-1', viewer(LEADER))).toHaveLength(2);
  });

  it('an owner the item never concerned learns nothing, as if it did not exist', async () => {
    const x = viewer(OWNER_X);
    expect(await itemAccess(db.pool, 'item-1', x)).toBe('hidden');
    expect(await itemAccess(db.pool, 'nope', x)).toBe('none');
    expect(await getItemView(db.pool, 'item-1', x)).toBeNull();
    expect((await listItems(db.pool, ALL_ROWS, x)).items).toEqual([]);
    expect(await listAuditEvents(db.pool, 'item-1', x)).toEqual([]);
    expect(await listNotifications(db.pool, 'item-1', x)).toEqual([]);
    expect((await listDispatches(db.pool, 'item-1', x)).every((d) => d.lines.length === 0 && d.openTasks === 0)).toBe(true);
    // an owner token without a unit matches nothing
    expect((await listItems(db.pool, ALL_ROWS, { role: 'owner' })).items).toEqual([]);
  });

  it('leaders, supervisors and admins see every record', async () => {
    const everything = saves.flatMap((s) => s.auditEvents).map((e) => e.seq);
    for (const v of [viewer(LEADER), { role: 'supervisor' as const }, ADMIN]) {
      expect((await listAuditEvents(db.pool, 'item-1', v)).map((e) => e.seq)).toEqual(everything);
      expect(await listNotifications(db.pool, 'item-1', v)).toHaveLength(saves.flatMap((s) => s.notifications).length);
    }
    expect(everything).toEqual(Array.from({ length: final.counters.auditSeq }, (_, i) => i + 1));
  });
});
