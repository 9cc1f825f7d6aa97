/**
 * Breaker tests for the save path of 145b0e6: the escaped simple-protocol opening
 * (advisory locks, unit-name locks, item_units), the named prepared statements and
 * the one-statement delivery routing.
 */
import type { Pool, PoolClient } from 'pg';
import { createPool } from '../../db/pool';
import { routingFor } from '../../db/repositories/deliveries';
import { admissionFacts } from '../../db/repositories/item-admission';
import { applyItemChanges } from '../../db/repositories/item-projection';
import { composeItemView, keptItemViewText, WHOLE_ITEM } from '../../db/repositories/item-view';
import { holdUnitNamesExclusive } from '../../db/repositories/unit-name-locks';
import type { Notification } from '../../domain/types';
import { buildItemChanges, buildItemState, buildTask } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
});
afterAll(async () => db?.drop());

const ODD = [
  "o'brien", "it''s", 'back\\slash', 'trail\\', "\\'", '$$dollar$$', '$tag$x$tag$', "semi;colon'); DROP TABLE items; --",
  '单位-ü-🚀', 'E\'x\'', '  spaced  ', 'new\nline', 'tab\tx', '"dq"', '{brace,comma}', 'NULL', '',
];

function stateWithUnits(id: string, units: string[][]) {
  return buildItemState({
    id,
    tasks: units.map(([owner, ...co], i) => buildTask({ id: `t${i}`, ownerUnit: owner, coOwners: co })),
  });
}

async function itemUnits(itemId: string): Promise<string[]> {
  const { rows } = await pool.query('SELECT unit FROM item_units WHERE item_id = $1 ORDER BY unit', [itemId]);
  return rows.map((r) => r.unit as string);
}

describe('escaping in the opening', () => {
  test.each(ODD.map((u) => [u]))('unit code %j lands in item_units as is', async (code) => {
    const id = `item-esc-${ODD.indexOf(code)}`;
    await applyItemChanges(pool, buildItemChanges(stateWithUnits(id, [[code, 'plain']])));
    expect(await itemUnits(id)).toEqual(['plain', code].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).sort());
    expect((await pool.query('SELECT count(*) AS n FROM items WHERE id = $1', [id])).rows[0].n).toBe(1);
  });

  test.each(ODD.filter((u) => u !== '').map((u) => [u]))('item id %j: saved, item_units and advisory lock key as parameterised', async (odd) => {
    const id = `x${odd}`;
    let locks: Array<{ classid: number; objid: number; mode: string }> = [];
    const other = await pool.connect();
    try {
      await applyItemChanges(pool, buildItemChanges(stateWithUnits(id, [['unit-a', odd || 'u']])), async () => {
        const { rows } = await other.query(
          `SELECT classid::int, objid::bigint AS objid, mode FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid IN (7301, 7302) ORDER BY classid, objid`,
        );
        locks = rows;
      });
      const { rows: expectedItem } = await other.query('SELECT (hashtext($1)::bigint & 4294967295) AS h', [id]);
      const itemLock = locks.find((l) => l.classid === 7301);
      expect(itemLock && Number(itemLock.objid)).toBe(Number(expectedItem[0].h));
      const { rows: buckets } = await other.query(
        'SELECT DISTINCT (hashtext(u) & 15) AS b FROM unnest($1::text[]) u ORDER BY 1',
        [['unit-a', odd || 'u']],
      );
      expect(locks.filter((l) => l.classid === 7302).map((l) => Number(l.objid)).sort((a, b) => a - b))
        .toEqual(buckets.map((b) => Number(b.b)));
    } finally {
      other.release();
    }
    expect(await itemUnits(id)).toEqual(['unit-a', odd || 'u'].sort());
  });

  test('no tasks: empty units list', async () => {
    await applyItemChanges(pool, buildItemChanges(stateWithUnits('item-empty', [])));
    expect(await itemUnits('item-empty')).toEqual([]);
  });

  test('400 tasks × 6 long units', async () => {
    const long = (i: number) => `u${i}-${"'\\$;".repeat(50)}-${'é'.repeat(200)}`;
    const units = Array.from({ length: 400 }, (_, t) => Array.from({ length: 6 }, (_, k) => long(t * 6 + k)));
    await applyItemChanges(pool, buildItemChanges(stateWithUnits('item-big', units)));
    expect((await itemUnits('item-big')).length).toBe(2400);
  }, 60_000);

  test('a 100 kB unit code', async () => {
    const code = `${"'".repeat(50_000)}${'\\'.repeat(50_000)}`;
    await applyItemChanges(pool, buildItemChanges(stateWithUnits('item-huge-code', [[code]])));
    expect(await itemUnits('item-huge-code')).toEqual([code]);
  }, 60_000);
});

describe('locks', () => {
  test('a save held up by another holder of the item lock fails within ~3 s', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(7301, hashtext($1))', ["it'em-locked"]);
      const started = Date.now();
      const err = await applyItemChanges(pool, buildItemChanges(stateWithUnits("it'em-locked", [['unit-a']]))).catch((e) => e);
      const took = Date.now() - started;
      expect(err).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toBe('55P03');
      expect(took).toBeGreaterThan(2500);
      expect(took).toBeLessThan(5000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  test('a save of a unit held exclusively (a rename) fails within ~3 s', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holdUnitNamesExclusive(holder, ["odd'unit\\"]);
      const started = Date.now();
      const err = await applyItemChanges(pool, buildItemChanges(stateWithUnits('item-unit-locked', [["odd'unit\\"]]))).catch((e) => e);
      expect((err as { code?: string }).code).toBe('55P03');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  test('the next save on the connection after a lock timeout works', async () => {
    const single = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 1 });
    const holder = await pool.connect();
    try {
      await applyItemChanges(single, buildItemChanges(stateWithUnits('item-after-timeout', [['unit-a']])));
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(7301, hashtext($1))', ['item-after-timeout']);
      await expect(applyItemChanges(single, buildItemChanges(stateWithUnits('item-after-timeout', [['unit-a']])))).rejects.toThrow();
      await holder.query('ROLLBACK');
      await applyItemChanges(single, buildItemChanges(stateWithUnits('item-after-timeout', [['unit-b']])));
      expect(await itemUnits('item-after-timeout')).toEqual(['unit-a', 'unit-b']);
    } finally {
      holder.release();
      await single.end();
    }
  });
});
