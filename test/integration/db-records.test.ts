/**
 * Accountability records read back as written (without the units that decide
 * who sees them), filtered per viewer; the escalation feed's keyset paging; plan listing.
 */
import { applyItemChanges } from '../../db/repositories/item-projection';
import { createPlan, listPlans } from '../../db/repositories/plans';
import {
  escalationFeed, listAuditEvents, listDispatches, listItemEscalations, listNotifications, listReviews,
} from '../../db/repositories/records';
import type { Viewer } from '../../db/repositories/visibility';
import {
  buildAuditEvent, buildDispatch, buildDispatchLine, buildEscalation, buildItemChanges, buildItemState, buildNotification, buildReview,
  daysAfter, T0,
} from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const audit = [
  buildAuditEvent({ seq: 1 }),
  buildAuditEvent({
    seq: 2, actor: { id: 'o1', name: 'Owner', role: 'owner', unit: 'unit-a' }, action: 'progressReported',
    requestId: 'req-2', taskId: 't1', units: ['unit-a', 'unit-c'], details: { percent: 40, text: 'report 整改 😀' },
  }),
  buildAuditEvent({ seq: 3, action: 'taskReassigned', taskId: 't2', units: ['unit-b', 'unit-a'], details: { from: { ownerUnit: 'unit-b' } } }),
  buildAuditEvent({ seq: 4, action: 'progressReported', taskId: 't2', units: ['unit-a'] }),
];
const dispatch = buildDispatch({
  seq: 1, openTasks: 3, staleTasks: 1, overdueTasks: 1,
  lines: [
    buildDispatchLine({ taskId: 't1', ownerUnit: 'unit-a', coOwners: ['unit-c'], stale: true, lastProgressAt: daysAfter(T0, 2), msToDeadline: 1000 }),
    buildDispatchLine({ taskId: 't2', ownerUnit: 'unit-b', dueAt: daysAfter(T0, 40), msToDeadline: 2000 }),
    buildDispatchLine({ taskId: 't3', ownerUnit: 'unit-c', dueAt: daysAfter(T0, 50), msToDeadline: -5000, light: 'red' }),
  ],
});
const review = buildReview({ seq: 1, completionRateChange: 12.5 });
const notification = buildNotification({ key: 'k1', level: 2, dueAt: daysAfter(T0, 30), units: ['unit-a', 'unit-c'] });
const bare = buildNotification({ key: 'k2', taskId: undefined, units: [] });
const forB = buildNotification({ key: 'k3', taskId: 't2', recipient: 'unit-b', units: ['unit-b'], firedAt: daysAfter(T0, 1) });

/** What a reader gets: the record without the units that decide who may read it. */
function withoutUnits<T extends { units: string[] }>(record: T): Omit<T, 'units'> {
  const { units: _units, ...rest } = record;
  return rest;
}
const OWNER = (unit: string): Viewer => ({ role: 'owner', unit });

// 12 escalations over 3 items; firing instants tie in threes
const FEED = Array.from({ length: 12 }, (_, i) =>
  buildEscalation({
    itemId: `item-${i % 3}`, taskId: `t${i % 2}`, rung: 1 + (i % 4), level: 1 + (i % 3),
    ownerUnit: i % 2 ? 'unit-b' : 'unit-a', firedAt: daysAfter(T0, 30 + Math.floor(i / 3)),
  }),
);

describe('records', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const id of ['item-0', 'item-1', 'item-2']) {
      await applyItemChanges(db.pool, buildItemChanges(buildItemState({ id, title: `Title ${id}` }), {
        escalations: FEED.filter((e) => e.itemId === id),
        ...(id === 'item-1' ? { auditEvents: audit, dispatches: [dispatch], reviews: [review], notifications: [notification, bare, forB] } : {}),
      }));
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads audit events, dispatches and reviews back exactly as the workflow wrote them', async () => {
    expect(await listAuditEvents(db.pool, 'item-1')).toEqual(audit.map(withoutUnits));
    expect(await listDispatches(db.pool, 'item-1')).toEqual([dispatch]);
    expect(await listReviews(db.pool, 'item-1')).toEqual([review]);
    expect(await listAuditEvents(db.pool, 'item-0')).toEqual([]);
  });

  it('keeps the units of each record in its row', async () => {
    const { rows } = await db.pool.query(`SELECT seq, units FROM audit_events WHERE item_id = 'item-1' ORDER BY seq`);
    expect(rows).toEqual(audit.map((e) => ({ seq: e.seq, units: e.units })));
    const esc = await db.pool.query(`SELECT DISTINCT units FROM escalations ORDER BY units`);
    expect(esc.rows.map((r) => r.units)).toEqual([['unit-a'], ['unit-b']]);
  });

  it('reads notifications with their outbox state', async () => {
    const { taskId: _none, ...bareRead } = withoutUnits(bare);
    expect(await listNotifications(db.pool, 'item-1')).toEqual([
      { ...withoutUnits(notification), createdAt: expect.any(String), deliveredAt: null },
      { ...bareRead, createdAt: expect.any(String), deliveredAt: null },
      { ...withoutUnits(forB), createdAt: expect.any(String), deliveredAt: null },
    ]);
  });

  it("lists an item's escalations in firing order", async () => {
    const rows = await listItemEscalations(db.pool, 'item-2');
    expect(rows).toEqual(FEED.filter((e) => e.itemId === 'item-2').map(withoutUnits));
  });

  it('an owner reads the records that name their unit, whichever task they are about now', async () => {
    expect((await listAuditEvents(db.pool, 'item-1', OWNER('unit-a'))).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect((await listAuditEvents(db.pool, 'item-1', OWNER('unit-b'))).map((e) => e.seq)).toEqual([3]);
    expect((await listAuditEvents(db.pool, 'item-1', OWNER('unit-c'))).map((e) => e.seq)).toEqual([2]);
    expect(await listAuditEvents(db.pool, 'item-1', OWNER('unit-z'))).toEqual([]);
    expect((await listNotifications(db.pool, 'item-1', OWNER('unit-a'))).map((n) => n.key)).toEqual(['k1']);
    expect((await listNotifications(db.pool, 'item-1', OWNER('unit-b'))).map((n) => n.key)).toEqual(['k3']);
    // a record about no unit (the item as a whole) is for leaders and supervisors
    expect((await listNotifications(db.pool, 'item-1', { role: 'supervisor' })).map((n) => n.key).sort()).toEqual(['k1', 'k2', 'k3']);
    const escB = await listItemEscalations(db.pool, 'item-0', OWNER('unit-b'));
    expect(escB.length).toBeGreaterThan(0);
    expect(escB).toEqual(FEED.filter((e) => e.itemId === 'item-0' && e.ownerUnit === 'unit-b').map(withoutUnits));
  });

  it('an owner reads the dispatch lines of their unit (as owner or co-owner), with totals over those lines', async () => {
    const c = await listDispatches(db.pool, 'item-1', OWNER('unit-c'));
    expect(c).toEqual([{ ...dispatch, lines: [dispatch.lines[0], dispatch.lines[2]], openTasks: 2, staleTasks: 1, overdueTasks: 1 }]);
    const b = await listDispatches(db.pool, 'item-1', OWNER('unit-b'));
    expect(b).toEqual([{ ...dispatch, lines: [dispatch.lines[1]], openTasks: 1, staleTasks: 0, overdueTasks: 0 }]);
    const z = await listDispatches(db.pool, 'item-1', OWNER('unit-z'));
    expect(z).toEqual([{ ...dispatch, lines: [], openTasks: 0, staleTasks: 0, overdueTasks: 0 }]);
  });

  it('pages the escalation feed newest first, every row once, under filters', async () => {
    const cases = [
      { q: {}, match: () => true },
      { q: { ownerUnit: 'unit-b' }, match: (e: (typeof FEED)[0]) => e.ownerUnit === 'unit-b' },
      { q: { minLevel: 2, since: daysAfter(T0, 31) }, match: (e: (typeof FEED)[0]) => e.level >= 2 && e.firedAt >= daysAfter(T0, 31) },
    ];
    for (const { q, match } of cases) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await escalationFeed(db.pool, { ...q, limit: 2, cursor });
        seen.push(...page.escalations.map((e) => `${e.firedAt}|${e.itemId}|${e.taskId}|${e.rung}`));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = FEED.filter(match)
        .map((e) => `${e.firedAt}|${e.itemId}|${e.taskId}|${e.rung}`)
        .sort()
        .reverse(); // newest first; ties by item, task, rung descending (one due date here)
      expect(seen).toEqual(expected);
    }
    const first = await escalationFeed(db.pool, { limit: 1 });
    expect(first.escalations[0]).toMatchObject({ itemTitle: expect.stringMatching(/^Title item-/), planId: null });
  });
});

describe('listPlans', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('pages plans newest first, ties (same microsecond) broken by id', async () => {
    for (const id of ['pa', 'pb', 'pc', 'pd', 'pe']) {
      await createPlan(db.pool, { id, title: id, categories: ['c'], leaderIds: ['lead'], createdBy: 'lead', source: 'inspection' });
    }
    // pb, pc, pd share one instant with microseconds: the cursor must not round them away
    await db.pool.query(`UPDATE plans SET created_at = '2024-05-01 10:00:00.123456+00' WHERE id IN ('pb', 'pc', 'pd')`);
    await db.pool.query(`UPDATE plans SET created_at = '2024-05-01 10:00:00.123+00' WHERE id = 'pe'`);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPlans(db.pool, { limit: 2, cursor });
      ids.push(...page.plans.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['pa', 'pd', 'pc', 'pb', 'pe']);
  });
});
