/**
 * The kept view (items.view) is always what composing the item from its rows
 * gives, on real PostgreSQL: after a save retried out of order (an older version
 * landing after a newer one), and across the 64 KiB line in both directions.
 */
import type { Pool } from 'pg';
import { applyItemChanges, KEPT_VIEW_BYTES } from '../../db/repositories/item-projection';
import { composeItemView, getItemView, keptItemViewText, WHOLE_ITEM } from '../../db/repositories/item-view';
import type { ItemState } from '../../domain/types';
import { buildItemChanges, buildItemState, buildTask } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
});
afterAll(async () => db?.drop());

async function kept(itemId: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT view IS NOT NULL AS kept FROM items WHERE id = $1', [itemId]);
  return rows[0].kept;
}

/** The served view equals the composed one (key order aside: jsonb keeps its own). */
async function expectServedIsComposed(itemId: string) {
  const composed = await composeItemView(pool, itemId, WHOLE_ITEM);
  expect(await getItemView(pool, itemId, WHOLE_ITEM)).toEqual(composed);
  // the text GET /items/:id sends as it is: the same item, and the version it is read at
  const text = await keptItemViewText(pool, itemId);
  if (await kept(itemId)) {
    expect(JSON.parse(text!.text)).toEqual(composed);
    expect(text!.version).toBe(composed!.version);
  } else {
    expect(text).toBeNull();
  }
  return composed!;
}

function at(state: ItemState, version: number, seconds: number, tasks = state.tasks): ItemState {
  return { ...state, tasks, counters: { ...state.counters, auditSeq: version }, updatedAt: new Date(Date.parse(state.updatedAt) + seconds * 1000).toISOString() };
}

test('an older save landing after a newer one leaves the kept view at the newer version', async () => {
  const base = buildItemState({ id: 'item-order' });
  const v1 = at(base, 1, 1);
  const v2 = at(base, 2, 2, [buildTask({ percent: 60, reportCount: 1 })]);
  await applyItemChanges(pool, buildItemChanges(v2));
  await applyItemChanges(pool, buildItemChanges(v1)); // the retry of the older save, late
  expect(await kept('item-order')).toBe(true);
  const view = await expectServedIsComposed('item-order');
  expect(view.version).toBe(2);
  expect(view.tasks[0]).toMatchObject({ percent: 60, reportCount: 1 });
});

test('a view growing past 64 KiB is no longer kept, and kept again once it shrinks below', async () => {
  const base = buildItemState({ id: 'item-size' });
  const tasks = Array.from({ length: 40 }, (_, i) => buildTask({ id: `t${i + 1}` }));
  const long = 'x'.repeat(2_000);
  await applyItemChanges(pool, buildItemChanges(at(base, 1, 1)));
  expect(await kept('item-size')).toBe(true);

  const big = buildItemChanges(at(base, 2, 2, tasks));
  for (const t of big.tasks) t.description = long;
  await applyItemChanges(pool, big);
  expect(await kept('item-size')).toBe(false);
  const large = await expectServedIsComposed('item-size');
  expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(KEPT_VIEW_BYTES);
  expect(large.version).toBe(2);

  const small = buildItemChanges(at(base, 3, 3, tasks));
  for (const t of small.tasks) t.description = 'short';
  await applyItemChanges(pool, small);
  expect(await kept('item-size')).toBe(true);
  const view = await expectServedIsComposed('item-size');
  expect(view.version).toBe(3);
  expect(view.tasks.every((t) => t.description === 'short')).toBe(true);
});
