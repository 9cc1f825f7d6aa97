/**
 * From notifications to deliveries (activities/delivery/plan.ts): who each
 * recipient role reaches through the directory, which channels, whom a message
 * names, when it may go (digest window, quiet hours, level 3 at once), and ids
 * that stay the same however often a save is retried.
 */
import { deliveryId, NO_CHANNEL, planDeliveries, sendAfter, type Routing, type RoutingUnit } from '../../activities/delivery/plan';
import type { Notification, RecipientRole } from '../../domain/types';

// 2026-06-01 10:00 in Shanghai (02:00 UTC): a working morning
const NOW = Date.UTC(2026, 5, 1, 2, 0, 0);
const WINDOW = 30_000;
const opts = { nowMs: NOW, digestWindowMs: WINDOW };

function unit(code: string, over: Partial<RoutingUnit> = {}): RoutingUnit {
  return {
    code, name: `Unit ${code}`, active: true,
    leaders: [
      { role: 'principal', personId: `${code}-chief`, name: `${code} chief`, mobile: '13800000001', email: `chief@${code}.cn` },
      { role: 'deputy', personId: `${code}-deputy`, name: `${code} deputy`, mobile: '13800000002', email: `deputy@${code}.cn` },
    ],
    channels: [{ id: 'robot', active: true }, { id: 'mail', active: true }],
    ...over,
  };
}

function routing(units: RoutingUnit[], offices: Record<string, string> = {}): Routing {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const ledBy = new Map<string, RoutingUnit[]>();
  for (const u of units) for (const l of u.leaders) if (l.personId) ledBy.set(l.personId, [...(ledBy.get(l.personId) ?? []), u]);
  return { units: byCode, offices: new Map(Object.entries(offices).map(([level, code]) => [level, byCode.get(code)!])), ledBy };
}

function note(role: RecipientRole, recipient: string, over: Partial<Notification> = {}): Notification {
  const kind = over.kind ?? 'escalation';
  const level = 'level' in over ? over.level : kind === 'escalation' ? 1 : undefined;
  return {
    key: `road-7|T1|${kind}|2026-06-01T02:00:00.000Z#${level ?? 0}|${role}|${recipient}`,
    itemId: 'road-7', taskId: 'T1', kind, recipientRole: role, recipient, units: ['transport'], reason: 'overdue',
    firedAt: new Date(NOW).toISOString(), dueAt: new Date(NOW).toISOString(), ...over, level,
  };
}

const transport = unit('transport');
const office = unit('office-county', { leaders: [], channels: [{ id: 'bot', active: true }] });
const government = unit('government', {
  leaders: [{ role: 'principal', personId: 'leader-1', name: 'Li Lei', mobile: '13900000009', email: 'lilei@gov.cn' }],
  channels: [{ id: 'hook', active: true }],
});
const directory = routing([transport, office, government], { county: 'office-county' });

describe('each recipient role reaches the right channels and people', () => {
  it('ownerUnit: every active channel of the unit, naming nobody in particular', () => {
    const planned = planDeliveries([note('ownerUnit', 'transport')], directory, opts);
    expect(planned.map((p) => [p.unitCode, p.channelId, p.status])).toEqual([['transport', 'robot', 'pending'], ['transport', 'mail', 'pending']]);
    expect(planned.every((p) => p.mentions.length === 0)).toBe(true);
  });

  it('unitLeader: the unit\'s channels, naming the deputy in charge (分管领导) before the principal (主要负责人)', () => {
    const planned = planDeliveries([note('unitLeader', 'transport', { level: 2 })], directory, opts);
    expect(planned).toHaveLength(2);
    for (const p of planned) {
      expect(p.mentions).toEqual([
        { name: 'transport deputy', mobile: '13800000002', email: 'deputy@transport.cn' },
        { name: 'transport chief', mobile: '13800000001', email: 'chief@transport.cn' },
      ]);
    }
  });

  it('itemLeader: the channels of the unit the leader heads (found by their person id), naming them', () => {
    const planned = planDeliveries([note('itemLeader', 'leader-1', { level: 3 })], directory, opts);
    expect(planned).toEqual([expect.objectContaining({
      unitCode: 'government', channelId: 'hook', status: 'pending', level: 3,
      mentions: [{ name: 'Li Lei', mobile: '13900000009', email: 'lilei@gov.cn' }],
    })]);
  });

  it('itemLeader who leads two units: both units\' channels', () => {
    const second = unit('party', { leaders: [{ role: 'deputy', personId: 'leader-1', name: 'Li Lei' }], channels: [{ id: 'bot', active: true }] });
    const planned = planDeliveries([note('itemLeader', 'leader-1', { level: 3 })], routing([government, second]), opts);
    expect(planned.map((p) => `${p.unitCode}/${p.channelId}`).sort()).toEqual(['government/hook', 'party/bot']);
  });

  it('supervisionOffice: the active office of the item\'s level', () => {
    const planned = planDeliveries([note('supervisionOffice', 'county', { level: 3 })], directory, opts);
    expect(planned).toEqual([expect.objectContaining({ unitCode: 'office-county', channelId: 'bot', status: 'pending', mentions: [] })]);
  });
});

describe('what cannot be routed is kept, never dropped', () => {
  it.each([
    ['an unknown unit', note('ownerUnit', 'nowhere'), 'nowhere'],
    ['a unit without channels', note('ownerUnit', 'bare'), 'bare'],
    ['an inactive unit', note('ownerUnit', 'closed'), 'closed'],
    ['a unit whose channels are all switched off', note('ownerUnit', 'muted'), 'muted'],
    ['a leader who heads no unit', note('itemLeader', 'leader-9', { level: 3 }), 'leader-9'],
    ['a level without an office', note('supervisionOffice', 'city', { level: 3 }), 'supervisionOffice:city'],
  ])('%s: one unroutable delivery naming the recipient', (_, n, recipient) => {
    const r = routing([
      transport, office, unit('bare', { channels: [] }), unit('closed', { active: false }),
      unit('muted', { channels: [{ id: 'robot', active: false }] }),
    ], { county: 'office-county' });
    const planned = planDeliveries([n], r, opts);
    expect(planned).toEqual([expect.objectContaining({
      id: deliveryId(n.key, recipient, NO_CHANNEL), unitCode: recipient, channelId: NO_CHANNEL, status: 'unroutable', notificationKey: n.key,
    })]);
  });

  it('an inactive channel is skipped while the unit\'s active ones still get the message', () => {
    const r = routing([unit('transport', { channels: [{ id: 'robot', active: false }, { id: 'mail', active: true }] })]);
    expect(planDeliveries([note('ownerUnit', 'transport')], r, opts).map((p) => `${p.channelId}:${p.status}`)).toEqual(['mail:pending']);
  });
});

describe('when a delivery may go', () => {
  it('an ordinary notification waits for its digest window, counted from when it fired', () => {
    const [p] = planDeliveries([note('ownerUnit', 'transport', { kind: 'warning', level: undefined })], directory, opts);
    expect(p!.notBefore).toBe(new Date(NOW + WINDOW).toISOString());
  });

  it('one saved late (the database was down) has waited long enough: it goes at once', () => {
    const firedLongAgo = new Date(NOW - 90_000).toISOString();
    const [p] = planDeliveries([note('ownerUnit', 'transport', { firedAt: firedLongAgo })], directory, opts);
    expect(p!.notBefore).toBe(new Date(NOW).toISOString());
    const firedRecently = new Date(NOW - 10_000).toISOString();
    const [q] = planDeliveries([note('ownerUnit', 'transport', { firedAt: firedRecently })], directory, opts);
    expect(q!.notBefore).toBe(new Date(NOW + 20_000).toISOString());
  });

  it('level 3 goes at once, never waiting for a digest', () => {
    const planned = planDeliveries([note('ownerUnit', 'transport', { level: 3 }), note('ownerUnit', 'transport', { level: 4 })], directory, opts);
    expect(planned.map((p) => p.notBefore)).toEqual(Array(4).fill(new Date(NOW).toISOString()));
  });

  // Shanghai 22:00–07:30; NOW is 10:00 local, so these instants are in local terms
  const quiet = { from: '22:00', to: '07:30', timezone: 'Asia/Shanghai' };
  const at = (hhmm: string, dayOffset = 0) => {
    const [h, m] = hhmm.split(':').map(Number);
    return Date.UTC(2026, 5, 1 + dayOffset, h! - 8, m!);
  };

  it('quiet hours hold a non-urgent notification until the next allowed local time', () => {
    const r = routing([unit('transport', { quietHours: quiet })]);
    const late = { nowMs: at('23:10'), digestWindowMs: WINDOW };
    const planned = planDeliveries([note('ownerUnit', 'transport', { firedAt: new Date(late.nowMs).toISOString() })], r, late);
    // 07:30 the next morning in Shanghai
    expect(planned.map((p) => p.notBefore)).toEqual(Array(2).fill(new Date(at('07:30', 1)).toISOString()));
    const early = { nowMs: at('06:00'), digestWindowMs: WINDOW };
    const [q] = planDeliveries([note('ownerUnit', 'transport', { firedAt: new Date(early.nowMs).toISOString() })], r, early);
    expect(q!.notBefore).toBe(new Date(at('07:30')).toISOString());
  });

  it('quiet hours never hold level 3', () => {
    const r = routing([unit('transport', { quietHours: quiet })]);
    const o = { nowMs: at('23:10'), digestWindowMs: WINDOW };
    const [p] = planDeliveries([note('ownerUnit', 'transport', { level: 3, firedAt: new Date(o.nowMs).toISOString() })], r, o);
    expect(p!.notBefore).toBe(new Date(o.nowMs).toISOString());
  });

  it('a digest window that ends inside quiet hours is held to their end', () => {
    const o = { nowMs: at('21:59') + 45_000, digestWindowMs: WINDOW }; // 21:59:45: the window ends at 22:00:15
    expect(sendAfter({ firedAt: new Date(o.nowMs).toISOString(), level: 1 }, { quietHours: quiet }, o)).toBe(at('07:30', 1));
    // without quiet hours it goes when its window ends
    expect(sendAfter({ firedAt: new Date(o.nowMs).toISOString(), level: 1 }, {}, o)).toBe(o.nowMs + WINDOW);
  });

  it('quiet hours of one unit do not hold another\'s', () => {
    const r = routing([unit('transport', { quietHours: quiet }), unit('water')]);
    const o = { nowMs: at('23:10'), digestWindowMs: WINDOW };
    const fired = new Date(o.nowMs).toISOString();
    const planned = planDeliveries([note('ownerUnit', 'transport', { firedAt: fired }), note('ownerUnit', 'water', { firedAt: fired })], r, o);
    expect(Object.fromEntries(planned.map((p) => [p.unitCode, p.notBefore]))).toEqual({
      transport: new Date(at('07:30', 1)).toISOString(), water: new Date(o.nowMs + WINDOW).toISOString(),
    });
  });
});

describe('ids', () => {
  it('are stable per (notification, channel): a retried save plans the very same rows', () => {
    const batch = [note('ownerUnit', 'transport'), note('unitLeader', 'transport', { level: 2 }), note('supervisionOffice', 'county', { level: 3 })];
    const first = planDeliveries(batch, directory, opts);
    const retried = planDeliveries(batch, directory, { nowMs: NOW + 5_000, digestWindowMs: WINDOW });
    expect(retried.map((p) => p.id)).toEqual(first.map((p) => p.id));
    expect(first[0]!.id).toBe(deliveryId(batch[0]!.key, 'transport', 'robot'));
  });

  it('differ between channels, recipients and occurrences, and fit every receiver\'s id grammar', () => {
    const ids = [
      deliveryId('k1', 'transport', 'robot'), deliveryId('k1', 'transport', 'mail'), deliveryId('k1', 'water', 'robot'),
      deliveryId('k2', 'transport', 'robot'),
    ];
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^d_[A-Za-z0-9_-]{26}$/);
  });
});
