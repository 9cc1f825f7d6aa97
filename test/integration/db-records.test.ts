/** Accountability records read back as written, the escalation feed's keyset paging, and plan listing. */
import { applyItemChanges } from '../../db/repositories/item-projection';
import { createPlan, listPlans } from '../../db/repositories/plans';
import {
  escalationFeed, listAuditEvents, listDispatches, listItemEscalations, listNotifications, listReviews,
} from '../../db/repositories/records';
import {
  buildAuditEvent, buildDispatch, buildEscalation, buildItemChanges, buildItemState, buildNotification, buildReview,
  daysAfter, T0,
} from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const audit = [
  buildAuditEvent({ seq: 1 }),
  buildAuditEvent({
    seq: 2, actor: { id: 'o1', name: 'Owner', role: 'owner', unit: 'unit-a' }, action: 'progressReported',
    requestId: 'req-2', taskId: 't1', details: { percent: 40 },
  }),
];
const dispatch = buildDispatch({
  seq: 1,
  lines: [{
    taskId: 't1', ownerUnit: 'unit-a', ownerPerson: 'owner-1', status: 'assigned', percent: 0,
    dueAt: daysAfter(T0, 30), msToDeadline: 1000, light: 'green', stale: true,
  }],
});
const review = buildReview({ seq: 1, completionRateChange: 12.5 });
const notification = buildNotification({ key: 'k1', level: 2, dueAt: daysAfter(T0, 30) });
const bare = buildNotification({ key: 'k2', taskId: undefined });

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
        ...(id === 'item-1' ? { auditEvents: audit, dispatches: [dispatch], reviews: [review], notifications: [notification, bare] } : {}),
      }));
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads audit events, dispatches and reviews back exactly as the workflow wrote them', async () => {
    expect(await listAuditEvents(db.pool, 'item-1')).toEqual(audit);
    expect(await listDispatches(db.pool, 'item-1')).toEqual([dispatch]);
    expect(await listReviews(db.pool, 'item-1')).toEqual([review]);
    expect(await listAuditEvents(db.pool, 'item-0')).toEqual([]);
  });

  it('reads notifications with their outbox state', async () => {
    expect(await listNotifications(db.pool, 'item-1')).toEqual([
      { ...notification, createdAt: expect.any(String), deliveredAt: null },
      { ...bare, createdAt: expect.any(String), deliveredAt: null },
    ]);
  });

  it("lists an item's escalations in firing order", async () => {
    const rows = await listItemEscalations(db.pool, 'item-2');
    expect(rows).toEqual(FEED.filter((e) => e.itemId === 'item-2'));
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
      await createPlan(db.pool, { id, title: id, categories: ['c'], createdBy: 'lead', source: 'inspection' });
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
