/**
 * Read side on real PostgreSQL. Pagination: 57 items whose sort values tie and
 * whose deadlines are often NULL, walked page by page under several filters and
 * sorts, compared with an order computed here in plain TypeScript. (Plan report
 * and unit ranking: db-report.test.ts.)
 */
import type { ItemListQuery, ItemSort, ItemSummaryRow } from '../../db/repositories/items-read';
import { listItems } from '../../db/repositories/items-read';
import { applyItemChanges } from '../../db/repositories/item-projection';
import type { ItemState, ItemStatus, SupervisionLevel, TaskState } from '../../domain/types';
import { buildItemChanges, buildItemState, daysAfter, T0, taskDue } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const UNITS = ['unit-a', 'unit-b', 'unit-c'];
const LEVELS: SupervisionLevel[] = ['province', 'city', 'county', 'none'];
const AS_OF_DAY = 12; // projection time: T0 + 12 days; warning lead is P3D

/** Item i of 57. Ids are a permutation of creation order so that the id tie-break is really exercised. */
function listItem(i: number): { state: ItemState; dueDays: number[] } {
  const status: ItemStatus = i % 10 === 9 ? 'completed' : i % 10 === 8 ? 'cancelled' : 'active';
  const tasks: TaskState[] = [];
  for (let k = 0; k < 1 + (i % 3); k++) {
    const taskStatus = status === 'completed' || k === 2 ? 'accepted' : status === 'cancelled' ? 'cancelled' : 'assigned';
    tasks.push(taskDue(daysAfter(T0, 5 * ((i + k) % 6)), { id: `t${k}`, ownerUnit: UNITS[(i + k) % 3]!, status: taskStatus }));
  }
  const dueDays = tasks.filter((t) => t.status === 'assigned').map((t) => (Date.parse(t.deadline.dueAt) - Date.parse(T0)) / 86_400_000);
  const state = buildItemState({
    id: `item${String((i * 37) % 57).padStart(3, '0')}`,
    planId: i % 3 === 0 ? 'plan-a' : i % 3 === 1 ? 'plan-b' : undefined,
    title: `title${i % 7}`,
    supervisionLevel: LEVELS[i % 4]!,
    status,
    createdAt: daysAfter(T0, Math.floor(i / 4) / 24), // four items per hour: ties
    updatedAt: daysAfter(T0, i % 5),
    tasks,
  });
  return { state, dueDays };
}

const ITEMS = Array.from({ length: 57 }, (_, i) => listItem(i));

/** What a list row should say, computed from the fixture's day numbers (not from the projection code). */
function expected(e: { state: ItemState; dueDays: number[] }) {
  const min = e.dueDays.length ? Math.min(...e.dueDays) : null;
  const light = min === null ? 'none' : min <= AS_OF_DAY ? 'red' : min <= AS_OF_DAY + 3 ? 'yellow' : 'green';
  return {
    id: e.state.id, planId: e.state.planId ?? null, status: e.state.status, level: e.state.supervisionLevel, light,
    overdue: e.dueDays.some((d) => d <= AS_OF_DAY), nextDeadline: min === null ? null : daysAfter(T0, min),
    // a unit stays involved in a cancelled item; elsewhere only through tasks not cancelled
    units: e.state.tasks.filter((t) => t.status !== 'cancelled' || e.state.status === 'cancelled').map((t) => t.ownerUnit),
    createdAt: e.state.createdAt, updatedAt: e.state.updatedAt, title: e.state.title,
  };
}
type Expected = ReturnType<typeof expected>;
const EXPECTED = ITEMS.map(expected);

function expectedOrder(match: (e: Expected) => boolean, sort: ItemSort, order: 'asc' | 'desc'): string[] {
  const sign = order === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return EXPECTED.filter(match)
    .sort((a, b) => {
      const va = a[sort];
      const vb = b[sort];
      if (va === null || vb === null) return va === vb ? sign * cmp(a.id, b.id) : va === null ? 1 : -1; // NULLs last
      return sign * (cmp(va, vb) || cmp(a.id, b.id));
    })
    .map((e) => e.id);
}

const FILTERS: Array<[string, Omit<ItemListQuery, 'limit'>, (e: Expected) => boolean]> = [
  ['no filter', {}, () => true],
  ['plan', { planId: 'plan-a' }, (e) => e.planId === 'plan-a'],
  ['active and overdue', { status: 'active', overdue: true }, (e) => e.status === 'active' && e.overdue],
  ['not overdue', { overdue: false }, (e) => !e.overdue],
  ['owner unit', { ownerUnit: 'unit-b' }, (e) => e.units.includes('unit-b')],
  ['level and light', { supervisionLevel: 'city', light: 'red' }, (e) => e.level === 'city' && e.light === 'red'],
  ['deadline range', { dueFrom: daysAfter(T0, 5), dueTo: daysAfter(T0, 15) },
    (e) => e.nextDeadline !== null && e.nextDeadline >= daysAfter(T0, 5) && e.nextDeadline <= daysAfter(T0, 15)],
];

describe('listItems pagination', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const { state } of ITEMS) await applyItemChanges(db.pool, buildItemChanges(state, { asOf: daysAfter(T0, AS_OF_DAY) }));
  });
  afterAll(async () => {
    await db.drop();
  });

  async function walk(q: ItemListQuery): Promise<ItemSummaryRow[]> {
    const rows: ItemSummaryRow[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await listItems(db.pool, { ...q, cursor });
      expect(result.items.length).toBeLessThanOrEqual(q.limit);
      rows.push(...result.items);
      if (result.nextCursor === null) return rows;
      expect(result.items).toHaveLength(q.limit); // only the last page may be short
      cursor = result.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  it('the fixture has NULL deadlines, ties, and a non-trivial share of every filter', () => {
    expect(EXPECTED.filter((e) => e.nextDeadline === null).length).toBeGreaterThan(5);
    for (const [, , match] of FILTERS) expect(EXPECTED.filter(match).length).toBeGreaterThan(3);
  });

  for (const [name, filter, match] of FILTERS) {
    for (const sort of ['createdAt', 'nextDeadline', 'updatedAt', 'title'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        it(`${name}, ${sort} ${order}: every row exactly once, in order`, async () => {
          const rows = await walk({ ...filter, sort, order, limit: 7 });
          expect(rows.map((r) => r.id)).toEqual(expectedOrder(match, sort, order));
        });
      }
    }
  }

  it('pages of one row walk the NULL deadlines too', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const rows = await walk({ sort: 'nextDeadline', order, limit: 1 });
      expect(rows.map((r) => r.id)).toEqual(expectedOrder(() => true, 'nextDeadline', order));
    }
  });

  it('rows carry the projected figures in camelCase', async () => {
    const { items } = await listItems(db.pool, { limit: 200 });
    for (const row of items) {
      const e = EXPECTED.find((x) => x.id === row.id)!;
      expect(row).toMatchObject({ light: e.light, nextDeadline: e.nextDeadline, overdueTasks: e.overdue ? expect.any(Number) : 0 });
    }
  });

  it('an owner lists the items any task of their unit is or was on, and is told of no other unit', async () => {
    const owner = { role: 'owner' as const, unit: 'unit-b' };
    const concerned = (e: { state: ItemState }) => e.state.tasks.some((t) => t.ownerUnit === 'unit-b');
    const { items } = await listItems(db.pool, { limit: 200 }, owner);
    expect(items.map((i) => i.id).sort()).toEqual(ITEMS.filter(concerned).map((e) => e.state.id).sort());
    expect(items.length).toBeGreaterThan(10);
    expect(items.length).toBeLessThan(ITEMS.length);
    for (const row of items) expect(row.ownerUnits.every((u) => u === 'unit-b')).toBe(true);
    expect(items.some((row) => row.ownerUnits.length === 1)).toBe(true);
    // asking for another unit does not widen what an owner sees
    const asked = await listItems(db.pool, { limit: 200, ownerUnit: 'unit-a' }, owner);
    expect(asked.items.map((i) => i.id)).toEqual(items.map((i) => i.id));
    // pages walk the same rows
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listItems(db.pool, { limit: 4, cursor, sort: 'nextDeadline' }, owner);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged.sort()).toEqual(items.map((i) => i.id).sort());
  });

  it('refuses a bad limit, a forged cursor and a cursor of another sort', async () => {
    await expect(listItems(db.pool, { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listItems(db.pool, { limit: 201 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listItems(db.pool, { limit: 5, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const { nextCursor } = await listItems(db.pool, { limit: 5, sort: 'title' });
    await expect(listItems(db.pool, { limit: 5, sort: 'createdAt', cursor: nextCursor! })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
