/**
 * The save path's round-trip savings, tried against what could break them: the
 * opening sent with BEGIN as one statement without parameters (its literals
 * escaped: advisory locks, unit-name locks, item_units), the statements each
 * connection prepares once (db/prepared.ts), and delivery routing in one
 * statement (equal to the two queries it replaced).
 */
import type { Pool, PoolClient } from 'pg';
import { createPool } from '../../db/pool';
import { routingFor } from '../../db/repositories/deliveries';
import { admissionFacts } from '../../db/repositories/item-admission';
import { applyItemChanges } from '../../db/repositories/item-projection';
import { composeItemView, keptItemViewText, WHOLE_ITEM } from '../../db/repositories/item-view';
import { holdUnitNamesExclusive } from '../../db/repositories/unit-name-locks';
import type { Notification } from '../../domain/types';
import { buildItemChanges, buildItemState, buildNotification, buildTask } from '../support/fixtures';
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

describe('prepared statements on one pooled connection', () => {
  let single: Pool;
  beforeEach(() => {
    single = createPool({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 1 });
  });
  afterEach(async () => single.end());

  const notes: Notification[] = [
    buildNotification({ recipientRole: 'ownerUnit', recipient: 'unit-a' }),
    buildNotification({ key: 'k2', recipientRole: 'supervisionOffice', recipient: 'city' }),
    buildNotification({ key: 'k3', recipientRole: 'itemLeader', recipient: 'person-1' }),
  ];

  async function everyHotStatement(id: string, version: number) {
    const state = stateWithUnits(id, [['unit-a', 'unit-b']]);
    state.counters.auditSeq = version;
    await applyItemChanges(single, buildItemChanges(state), async (client) => {
      await routingFor(client, notes);
    });
    const routing = await routingFor(single, notes);
    const view = await composeItemView(single, id, WHOLE_ITEM);
    const kept = await keptItemViewText(single, id);
    const facts = await admissionFacts(single, { itemId: id, callerId: 'leader-1', unitCodes: ['unit-a'] });
    return { routing, view, kept, facts };
  }

  test('after columns are added to every table the save path reads', async () => {
    await pool.query(`INSERT INTO units (code, name, kind, leaders) VALUES ('unit-a', 'A', 'countyDepartment', '[{"role":"principal","name":"P","personId":"person-1"}]') ON CONFLICT DO NOTHING`);
    await everyHotStatement('item-prep-1', 1);
    for (const t of ['tasks', 'units', 'items', 'problems', 'unit_channels', 'deliveries', 'plans', 'item_units', 'audit_events', 'escalations', 'notifications']) {
      await pool.query(`ALTER TABLE ${t} ADD COLUMN brk_x int`);
    }
    try {
      const after = await everyHotStatement('item-prep-1', 2);
      expect(after.view?.tasks.length).toBe(1);
      expect(after.kept?.version).toBe(2);
      expect(after.routing.units.get('unit-a')?.name).toBe('A');
    } finally {
      for (const t of ['tasks', 'units', 'items', 'problems', 'unit_channels', 'deliveries', 'plans', 'item_units', 'audit_events', 'escalations', 'notifications']) {
        await pool.query(`ALTER TABLE ${t} DROP COLUMN brk_x`);
      }
    }
  });

  test('after a column of a selected table changes type (items.version int → bigint)', async () => {
    await everyHotStatement('item-prep-2', 1);
    await pool.query('ALTER TABLE items ALTER COLUMN version TYPE bigint');
    try {
      // a first attempt may fail (an activity retries): the retry on the same pooled connection must not
      await everyHotStatement('item-prep-2', 2).catch(() => undefined);
      const after = await everyHotStatement('item-prep-2', 2);
      expect(after.kept?.version).toBe(2);
    } finally {
      await pool.query('ALTER TABLE items ALTER COLUMN version TYPE integer');
    }
  });

  test('after a units column selected by routing changes type (level text → varchar)', async () => {
    await everyHotStatement('item-prep-3', 1);
    await pool.query('ALTER TABLE units ALTER COLUMN level TYPE varchar(40)');
    try {
      // as above: the connection that prepared the old plan fails once and is replaced
      await everyHotStatement('item-prep-3', 2).catch(() => undefined);
      const after = await everyHotStatement('item-prep-3', 2);
      expect(after.routing.units.get('unit-a')).toBeDefined();
    } finally {
      await pool.query('ALTER TABLE units ALTER COLUMN level TYPE text');
    }
  });

  test('the first save of a connection fails after its statements were prepared; the next save works', async () => {
    await expect(applyItemChanges(single, buildItemChanges(stateWithUnits('item-prep-4', [['unit-a']])), async () => {
      throw new Error('boom after the upserts');
    })).rejects.toThrow('boom');
    await everyHotStatement('item-prep-4', 1);
    expect(await itemUnits('item-prep-4')).toEqual(['unit-a', 'unit-b']);
  });

  test('a save whose named upsert fails at execution (bad timestamp); the next save works', async () => {
    const bad = buildItemChanges(stateWithUnits('item-prep-5', [['unit-a']]));
    bad.asOf = 'not a time';
    await expect(applyItemChanges(single, bad)).rejects.toThrow();
    await everyHotStatement('item-prep-5', 1);
  });

  test('a statement first parsed inside an aborted transaction; the next save works', async () => {
    await expect(applyItemChanges(single, buildItemChanges(stateWithUnits('item-prep-6', [['unit-a']])), async (client) => {
      await client.query('SELECT 1/0').catch(() => undefined);
    })).rejects.toThrow();
    await everyHotStatement('item-prep-6', 1);
  });
});

/** routingFor as of 0a5ff26 (two queries). */
async function oldRoutingFor(db2: Pool | PoolClient, notifications: Notification[]) {
  const codes = notifications.filter((n) => n.recipientRole === 'ownerUnit' || n.recipientRole === 'unitLeader').map((n) => n.recipient);
  const levels = notifications.filter((n) => n.recipientRole === 'supervisionOffice').map((n) => n.recipient);
  const people = notifications.filter((n) => n.recipientRole === 'itemLeader').map((n) => n.recipient);
  const { rows } = await db2.query(
    `SELECT *, (kind = 'supervisionOffice' AND active AND level = ANY($2)) AS office,
            (SELECT array_agg(l->>'personId') FROM jsonb_array_elements(leaders) l WHERE l->>'personId' = ANY($3)) AS led_by
     FROM units
     WHERE code = ANY($1)
        OR (kind = 'supervisionOffice' AND active AND level = ANY($2))
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(leaders) l WHERE l->>'personId' = ANY($3))
     ORDER BY updated_at, code`,
    [[...new Set(codes)], [...new Set(levels)], [...new Set(people)]],
  );
  const { rows: channelRows } = await db2.query('SELECT unit_code, id, active FROM unit_channels WHERE unit_code = ANY($1) ORDER BY id', [
    rows.map((r) => r.code),
  ]);
  const channels = new Map<string, Array<{ id: string; active: boolean }>>();
  for (const c of channelRows) channels.set(c.unit_code, [...(channels.get(c.unit_code) ?? []), { id: c.id, active: c.active }]);
  const unitOf = (r: Record<string, any>) => ({
    code: r.code, name: r.name, active: r.active, leaders: r.leaders,
    ...(r.quiet_hours ? { quietHours: r.quiet_hours } : {}), channels: channels.get(r.code) ?? [],
  });
  const routing = { units: new Map<string, any>(), offices: new Map<string, any>(), ledBy: new Map<string, any[]>() };
  for (const r of rows) {
    const unit = unitOf(r);
    routing.units.set(unit.code, unit);
    if (r.office) routing.offices.set(r.level, unit);
    for (const person of (r.led_by as string[] | null) ?? []) routing.ledBy.set(person, [...(routing.ledBy.get(person) ?? []), unit]);
  }
  return routing;
}

test('routing equals the two-query routing of 0a5ff26', async () => {
  const leaders = (p: string) => JSON.stringify([{ role: 'principal', name: 'P', personId: p }, { role: 'deputy', name: 'D', personId: 'shared' }]);
  await pool.query(`INSERT INTO units (code, name, kind, level, leaders, quiet_hours, active) VALUES
    ('r-none', 'None', 'township', NULL, $1, NULL, true),
    ('r-one', 'One', 'township', NULL, $2, '{"from":"22:00","to":"07:00","timezone":"Asia/Shanghai"}', true),
    ('r-many', 'Many''s', 'township', NULL, $3, NULL, false),
    ('r-office', 'Office', 'supervisionOffice', 'city', '[]', NULL, true),
    ('r-office-old', 'Old Office', 'supervisionOffice', 'city', '[]', NULL, false),
    ('r-$$odd\\', 'Odd', 'other', NULL, '[]', NULL, true)`, [leaders('p1'), leaders('p2'), leaders('p3')]);
  const ch = (unit: string, id: string, active: boolean) =>
    pool.query(`INSERT INTO unit_channels (unit_code, id, kind, config, active) VALUES ($1, $2, 'webhook', '{}', $3)`, [unit, id, active]);
  await ch('r-one', 'only', true);
  for (const [id, active] of [['b', true], ['B', false], ['a', true], ['10', true], ['9', false], ['Ä', true], ['_x', true]] as const) await ch('r-many', id, active);
  await ch('r-office', 'robot', false);
  await ch('r-$$odd\\', "it's", true);
  const notes = [
    ...['r-none', 'r-one', 'r-many', 'r-$$odd\\', 'missing'].map((u, i) => buildNotification({ key: `n${i}`, recipientRole: i % 2 ? 'unitLeader' : 'ownerUnit', recipient: u })),
    buildNotification({ key: 'o', recipientRole: 'supervisionOffice', recipient: 'city' }),
    buildNotification({ key: 'o2', recipientRole: 'supervisionOffice', recipient: 'province' }),
    buildNotification({ key: 'l', recipientRole: 'itemLeader', recipient: 'shared' }),
    buildNotification({ key: 'l2', recipientRole: 'itemLeader', recipient: 'p3' }),
  ];
  const norm = (r: { units: Map<string, any>; offices: Map<string, any>; ledBy: Map<string, any[]> }) => ({
    units: [...r.units.entries()], offices: [...r.offices.entries()], ledBy: [...r.ledBy.entries()],
  });
  expect(norm(await routingFor(pool, notes))).toEqual(norm(await oldRoutingFor(pool, notes)));
  expect(norm(await routingFor(pool, []))).toEqual(norm(await oldRoutingFor(pool, [])));
});
