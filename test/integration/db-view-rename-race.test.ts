/**
 * The kept view (items.view) against a unit renamed while an item's save is in
 * flight, on real PostgreSQL. The rename clears the views naming the unit; a save
 * that composed its view with the old name before the rename committed must not
 * keep that view once the rename has committed.
 *
 * The interleaving is made deterministic by holding the rename in the middle of
 * its transaction (after it renamed the unit and cleared the views, before it
 * commits): another connection locks the unit's channel row the rename replaces.
 */
import type { Pool, PoolClient } from 'pg';
import { createUnit, updateUnit } from '../../db/repositories/directory';
import { applyItemChanges } from '../../db/repositories/item-projection';
import { composeItemView, getItemView, WHOLE_ITEM } from '../../db/repositories/item-view';
import { buildItemChanges, buildItemState } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: Pool;

const CHANNEL = { id: 'robot', config: { kind: 'dingtalk' as const, accessToken: 'token-token-token', baseUrl: 'http://127.0.0.1:9' } };
const unit = (name: string) => ({ code: 'unit-a', name, kind: 'countyDepartment' as const, leaders: [], active: true });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  await createUnit(pool, unit('Old Name Bureau'), [CHANNEL]);
});
afterAll(async () => db?.drop());

/** Waits until a backend of this database is blocked on a lock (the rename, parked). */
async function untilBlocked(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the rename never blocked');
}

test('an item first saved while a rename of its unit is in flight does not keep the old name', async () => {
  // park a rename mid-transaction: the channel row it replaces is locked here
  const holder: PoolClient = await pool.connect();
  let rename: Promise<unknown> | undefined;
  let save: Promise<unknown> | undefined;
  try {
    await holder.query('BEGIN');
    await holder.query("SELECT 1 FROM unit_channels WHERE unit_code = 'unit-a' FOR UPDATE");
    rename = updateUnit(pool, unit('New Name Bureau'), [CHANNEL]);
    await untilBlocked();
    // the rename has cleared the views naming the unit (none yet) and waits; a new item's first save comes now
    save = applyItemChanges(pool, buildItemChanges(buildItemState({ id: 'item-race' })));
    // the save may finish while the rename is open (or wait for it): either way, let it run
    await Promise.race([save, new Promise((r) => setTimeout(r, 1500))]);
    await holder.query('COMMIT');
    await rename;
    await save;
  } finally {
    holder.release();
  }

  // the rename committed: every reader sees the new name, kept view or composed
  const composed = await composeItemView(pool, 'item-race', WHOLE_ITEM);
  expect(composed!.tasks.map((t) => t.ownerUnitName)).toEqual(['New Name Bureau']);
  const served = await getItemView(pool, 'item-race', WHOLE_ITEM);
  expect(served!.tasks.map((t) => t.ownerUnitName)).toEqual(['New Name Bureau']);
});
