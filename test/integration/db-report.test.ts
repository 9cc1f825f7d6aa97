/**
 * Plan report, unit ranking and unit to-do list against a small fixture whose
 * figures are worked out by hand in the comments (asOf = T0 + 20 days, warning lead 3 days).
 *
 *   item r1 (plan-r, 'housing', active)    p1 open, p2 closed
 *     t1 unit-a accepted (1 rework) · t2 unit-a open due +10 → red · t3 unit-b open due +40 → green
 *   item r2 (plan-r, 'education', completed)    p1 closed
 *     t1 unit-b accepted · t2 unit-c cancelled (2 reworks)
 *   item r3 (plan-r, 'poverty', cancelled)    p1 open
 *     t1 unit-c cancelled
 *   item r4 (plan-r, no category, active)    p1 open
 *     t1 unit-c accepted · t2 unit-c open due +21 → yellow · t3 unit-a open due +15 → red (1 rework)
 *   item x1 (plan-other, active): t1 unit-b open due +5 → red · t2 unit-e accepted
 *   escalations: r1/t2 unit-a rungs 1 and 2 · r4/t3 unit-a · r2/t2 unit-c · x1/t1 unit-b
 */
import { applyItemChanges } from '../../db/repositories/item-projection';
import { createPlan, planReport } from '../../db/repositories/plans';
import { unitOpenTasks, unitRanking } from '../../db/repositories/units';
import type { ItemState, TaskState } from '../../domain/types';
import { buildEscalation, buildItemChanges, buildItemState, buildProblem, daysAfter, PROBLEM_TEXT, T0, TASK_TEXT, taskDue } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const asOf = daysAfter(T0, 20);
const due = (days: number, o: Partial<TaskState>) => taskDue(daysAfter(T0, days), o);
const closed = (id: string) => buildProblem({ id, status: 'closed', closedAt: asOf });

const FIXTURE: ItemState[] = [
  buildItemState({
    id: 'r1', planId: 'plan-r', category: 'housing', createdAt: daysAfter(T0, 0.1),
    problems: [buildProblem({ id: 'p1' }), closed('p2')],
    tasks: [
      due(5, { id: 't1', ownerUnit: 'unit-a', status: 'accepted', reworkCount: 1 }),
      due(10, { id: 't2', ownerUnit: 'unit-a' }),
      due(40, { id: 't3', ownerUnit: 'unit-b', status: 'inProgress' }),
    ],
  }),
  buildItemState({
    id: 'r2', planId: 'plan-r', category: 'education', status: 'completed', createdAt: daysAfter(T0, 0.2),
    problems: [closed('p1')],
    tasks: [
      due(5, { id: 't1', ownerUnit: 'unit-b', status: 'accepted' }),
      due(5, { id: 't2', ownerUnit: 'unit-c', status: 'cancelled', reworkCount: 2 }),
    ],
  }),
  buildItemState({
    id: 'r3', planId: 'plan-r', category: 'poverty', status: 'cancelled', createdAt: daysAfter(T0, 0.3),
    problems: [buildProblem({ id: 'p1' })],
    tasks: [due(5, { id: 't1', ownerUnit: 'unit-c', status: 'cancelled' })],
  }),
  buildItemState({
    id: 'r4', planId: 'plan-r', createdAt: daysAfter(T0, 0.4),
    problems: [buildProblem({ id: 'p1' })],
    tasks: [
      due(5, { id: 't1', ownerUnit: 'unit-c', status: 'accepted' }),
      due(21, { id: 't2', ownerUnit: 'unit-c', coOwners: ['township-leader'] }),
      due(15, { id: 't3', ownerUnit: 'unit-a', reworkCount: 1 }),
    ],
  }),
  buildItemState({
    id: 'x1', planId: 'plan-other', createdAt: daysAfter(T0, 0.5),
    tasks: [due(5, { id: 't1', ownerUnit: 'unit-b' }), due(5, { id: 't2', ownerUnit: 'unit-e', status: 'accepted' })],
  }),
];

const ESCALATIONS = [
  buildEscalation({ itemId: 'r1', taskId: 't2', ownerUnit: 'unit-a', rung: 1, level: 1 }),
  buildEscalation({ itemId: 'r1', taskId: 't2', ownerUnit: 'unit-a', rung: 2, level: 2 }),
  buildEscalation({ itemId: 'r4', taskId: 't3', ownerUnit: 'unit-a', rung: 1, level: 1 }),
  buildEscalation({ itemId: 'r2', taskId: 't2', ownerUnit: 'unit-c', rung: 1, level: 1 }),
  buildEscalation({ itemId: 'x1', taskId: 't1', ownerUnit: 'unit-b', rung: 1, level: 1 }),
];

describe('plan report and unit ranking', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`INSERT INTO units (code, name, kind) VALUES ('unit-b', 'Housing Bureau', 'countyDepartment')`);
    await createPlan(db.pool, { id: 'plan-r', title: 'Inspection feedback', categories: ['poverty', 'housing'], leaderIds: ['lead'], createdBy: 'lead' });
    for (const state of FIXTURE) {
      const escalations = ESCALATIONS.filter((e) => e.itemId === state.id);
      await applyItemChanges(db.pool, buildItemChanges(state, { asOf, escalations }));
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('counts the plan by hand-computed figures', async () => {
    const report = await planReport(db.pool, 'plan-r');
    expect(report?.plan).toMatchObject({ id: 'plan-r', categories: ['poverty', 'housing'], source: null });
    expect(report?.counts).toEqual({
      categories: 3, // poverty, housing (planned) ∪ housing, education, poverty (used)
      items: 4, // r1..r4; x1 is another plan's
      problems: 5, // 2 + 1 + 1 + 1
      tasks: 9, // 3 + 2 + 1 + 3
      units: 3, // unit-a, unit-b, unit-c with a non-cancelled task
    });
    expect(report?.completion).toEqual({
      tasksAccepted: 3, // r1/t1, r2/t1, r4/t1
      tasksCancelled: 2, // r2/t2, r3/t1
      tasksOpen: 4, // r1/t2, r1/t3, r4/t2, r4/t3
      tasksOverdue: 2, // r1/t2 (due +10), r4/t3 (due +15)
      completionRate: 3 / 7, // 3 accepted of 9 − 2 cancelled
      problemsClosed: 2,
      problemsOpen: 3,
      itemsCompleted: 1,
      itemsActive: 2,
      itemsCancelled: 1,
    });
  });

  it('lists the four lists in ledger order (item creation, then id)', async () => {
    const lists = (await planReport(db.pool, 'plan-r'))!.lists;
    expect(lists.problems.map((p) => `${p.itemId}/${p.id}:${p.status}`)).toEqual([
      'r1/p1:open', 'r1/p2:closed', 'r2/p1:closed', 'r3/p1:open', 'r4/p1:open',
    ]);
    expect(lists.tasks.map((t) => `${t.itemId}/${t.id}`)).toEqual([
      'r1/t1', 'r1/t2', 'r1/t3', 'r2/t1', 'r2/t2', 'r3/t1', 'r4/t1', 'r4/t2', 'r4/t3',
    ]);
    expect(lists.responsibilities[7]).toEqual({
      taskId: 't2', itemId: 'r4', ownerUnit: 'unit-c', ownerPerson: 'owner-1', coOwners: ['township-leader'],
    });
    expect(lists.problems[0]).toMatchObject({ description: PROBLEM_TEXT, severity: 'medium' });
    expect(lists.tasks[0]).toMatchObject({ description: TASK_TEXT, measures: null });
    expect(lists.timeLimits[1]).toEqual({
      taskId: 't2', itemId: 'r1', dueAt: daysAfter(T0, 10), originalDueAt: daysAfter(T0, 10), basis: 'fixed instant',
    });
  });

  it('answers null for an unknown plan and refuses a duplicate id', async () => {
    expect(await planReport(db.pool, 'nope')).toBeNull();
    await expect(
      createPlan(db.pool, { id: 'plan-r', title: 'again', categories: [], leaderIds: ['lead'], createdBy: 'lead' }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('ranks units within a plan, by directory name where the unit is registered', async () => {
    expect(await unitRanking(db.pool, { planId: 'plan-r' })).toEqual([
      // unit-b: r1/t3 open, r2/t1 accepted → 1/2; nothing overdue; its only escalation is in x1
      { rank: 1, ownerUnit: 'unit-b', unitName: 'Housing Bureau', totalTasks: 2, acceptedTasks: 1, completionRate: 0.5, overdueTasks: 0, escalations: 0, reworks: 0 },
      // unit-c: r4/t1 accepted, r4/t2 open (yellow); r2/t2 and r3/t1 cancelled but r2/t2's reworks and escalation stay
      { rank: 2, ownerUnit: 'unit-c', unitName: 'unit-c', totalTasks: 2, acceptedTasks: 1, completionRate: 0.5, overdueTasks: 0, escalations: 1, reworks: 2 },
      // unit-a: r1/t1 accepted, r1/t2 and r4/t3 red
      { rank: 3, ownerUnit: 'unit-a', unitName: 'unit-a', totalTasks: 3, acceptedTasks: 1, completionRate: 1 / 3, overdueTasks: 2, escalations: 3, reworks: 2 },
    ]);
  });

  it('ranks units across all plans, breaking equal completion by overdue work', async () => {
    const ranking = await unitRanking(db.pool);
    expect(ranking.map((r) => [r.rank, r.ownerUnit, r.totalTasks, r.acceptedTasks, r.overdueTasks, r.escalations])).toEqual([
      [1, 'unit-e', 1, 1, 0, 0], // x1/t2 accepted: 100 %
      [2, 'unit-c', 2, 1, 0, 1], // 50 %
      [3, 'unit-b', 3, 1, 1, 1], // 1/3, one overdue (x1/t1)
      [4, 'unit-a', 3, 1, 2, 3], // 1/3, two overdue
    ]);
  });

  it("lists a unit's open tasks, earliest due first", async () => {
    const tasks = await unitOpenTasks(db.pool, 'unit-a');
    expect(tasks.map((t) => [t.itemId, t.taskId, t.light, t.status, t.dueAt])).toEqual([
      ['r1', 't2', 'red', 'assigned', daysAfter(T0, 10)],
      ['r4', 't3', 'red', 'assigned', daysAfter(T0, 15)],
    ]);
    expect(tasks[0]).toMatchObject({ itemTitle: 'Rectification item', planId: 'plan-r', description: TASK_TEXT, coOwners: [] });
    expect(await unitOpenTasks(db.pool, 'unit-e')).toEqual([]);
  });
});
