/**
 * From notifications to deliveries: each notification is resolved, through the
 * units directory, to the channels it goes to and the people it names, and
 * becomes one delivery per channel with a stable id (per notification and
 * channel), so a retried save plans nothing twice and receivers can drop
 * repeats. A recipient with no channel is kept as an `unroutable` delivery:
 * on record, and visible, not silently dropped. Pure.
 */
import { createHash } from 'node:crypto';
import { quietUntil } from '../../domain/quiet-hours';
import type { Mention, PlannedDelivery, Routing, RoutingUnit } from '../../db/repositories/deliveries';
import type { Notification } from '../../domain/types';
import type { UnitLeader } from '../../domain/units';

export type { Mention, PlannedDelivery, Routing, RoutingUnit };

/** Level-3 escalations go at once and alone, day or night; everything else may wait for a digest and quiet hours. */
export const URGENT_LEVEL = 3;
export const NO_CHANNEL = '-';

export function deliveryId(notificationKey: string, unitCode: string, channelId: string): string {
  return `d_${createHash('sha256').update(`${notificationKey}\n${unitCode}/${channelId}`).digest('base64url').slice(0, 26)}`;
}

function mentionOf(l: UnitLeader): Mention {
  return { name: l.name, ...(l.mobile ? { mobile: l.mobile } : {}), ...(l.email ? { email: l.email } : {}) };
}

/** The units a notification goes to, and the people to name in it. */
function recipients(n: Notification, routing: Routing): { units: RoutingUnit[]; mentions: Mention[]; missing: string } {
  switch (n.recipientRole) {
    case 'ownerUnit': {
      const unit = routing.units.get(n.recipient);
      return { units: unit ? [unit] : [], mentions: [], missing: n.recipient };
    }
    case 'unitLeader': {
      const unit = routing.units.get(n.recipient);
      // the deputy in charge (分管领导) first, then the principal (主要负责人)
      const leaders = [...(unit?.leaders ?? [])].sort((a, b) => (a.role === b.role ? 0 : a.role === 'deputy' ? -1 : 1));
      return { units: unit ? [unit] : [], mentions: leaders.map(mentionOf), missing: n.recipient };
    }
    case 'itemLeader': {
      const units = routing.ledBy.get(n.recipient) ?? [];
      const leader = units.flatMap((u) => u.leaders).find((l) => l.personId === n.recipient);
      return { units, mentions: leader ? [mentionOf(leader)] : [], missing: n.recipient };
    }
    case 'supervisionOffice': {
      const office = routing.offices.get(n.recipient);
      return { units: office ? [office] : [], mentions: [], missing: `supervisionOffice:${n.recipient}` };
    }
  }
}

export interface PlanOptions {
  nowMs: number;
  /** notifications to one channel within this window leave as one digest */
  digestWindowMs: number;
}

/**
 * When a delivery may go. Urgent ones: now. Others wait for the digest window,
 * counted from when the notification fired, not from when it was saved: a
 * notification saved late (the database was down) has waited long enough and
 * goes at once. Either way, quiet hours in force at that moment hold it to their end.
 */
export function sendAfter(n: Pick<Notification, 'firedAt' | 'level'>, unit: Pick<RoutingUnit, 'quietHours'>, o: PlanOptions): number {
  if ((n.level ?? 0) >= URGENT_LEVEL) return o.nowMs;
  const fired = Date.parse(n.firedAt);
  const at = Math.max(o.nowMs, (Number.isFinite(fired) ? fired : o.nowMs) + o.digestWindowMs);
  return (unit.quietHours ? quietUntil(unit.quietHours, at) : undefined) ?? at;
}

export function planDeliveries(notifications: Notification[], routing: Routing, o: PlanOptions): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  for (const n of notifications) {
    const { units, mentions, missing } = recipients(n, routing);
    const base = { notificationKey: n.key, itemId: n.itemId, ...(n.taskId ? { taskId: n.taskId } : {}), ...(n.level !== undefined ? { level: n.level } : {}), mentions };
    let routed = false;
    for (const unit of units.filter((u) => u.active)) {
      const notBefore = sendAfter(n, unit, o);
      for (const channel of unit.channels.filter((c) => c.active)) {
        routed = true;
        out.push({ ...base, id: deliveryId(n.key, unit.code, channel.id), unitCode: unit.code, channelId: channel.id, status: 'pending', notBefore: new Date(notBefore).toISOString() });
      }
    }
    if (!routed) {
      out.push({ ...base, id: deliveryId(n.key, missing, NO_CHANNEL), unitCode: missing, channelId: NO_CHANNEL, status: 'unroutable', notBefore: new Date(o.nowMs).toISOString() });
    }
  }
  return out;
}
