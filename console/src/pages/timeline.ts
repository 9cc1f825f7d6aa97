/**
 * One timeline of an item from its records: warnings and other notices
 * (notifications), rungs (escalations), weekly dispatches, monthly reviews and
 * every action (audit), newest first.
 */
import type { Schemas } from '../api/client';

export type TimelineKind = 'warning' | 'escalation' | 'dispatch' | 'review' | 'action';
export interface TimelineEntry { at: string; kind: TimelineKind; text: string; taskId?: string; key: string }

export interface ItemRecords {
  audit: Schemas['AuditList'];
  escalations: Schemas['EscalationList'];
  dispatches: Schemas['DispatchList'];
  reviews?: Schemas['ReviewList'];
  notifications: Schemas['NotificationList'];
}

export function buildTimeline(r: ItemRecords, word: (action: string) => string = (a) => a, role: (role: string) => string = (x) => x): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...r.notifications.notifications
      .filter((n) => n.kind === 'warning' || n.kind === 'overdue' || n.kind === 'reviewReminder' || n.kind === 'followUpDue')
      .map((n) => ({ at: n.firedAt, kind: 'warning' as const, text: `${n.kind} · ${n.recipient} · ${n.reason}`, taskId: n.taskId, key: `n:${n.key}` })),
    ...r.escalations.escalations.map((e) => ({
      at: e.firedAt, kind: 'escalation' as const, text: `L${e.level} · ${e.ownerUnit} · ${e.notify.join(', ')}`, taskId: e.taskId, key: `e:${e.taskId}:${e.rung}:${e.firedAt}`,
    })),
    ...r.dispatches.dispatches.map((d) => ({
      at: d.at, kind: 'dispatch' as const, text: `#${d.seq} · open ${d.openTasks} · stale ${d.staleTasks} · overdue ${d.overdueTasks}`, key: `d:${d.seq}`,
    })),
    ...(r.reviews?.reviews ?? []).map((v) => ({
      at: v.at, kind: 'review' as const, text: `${v.period} · ${Math.round(v.figures.completionRate * 100)}% · risk ${v.figures.risk}`, key: `r:${v.seq}`,
    })),
    ...r.audit.events.map((a) => ({
      at: a.at, kind: 'action' as const, text: `${word(a.action)} · ${a.actor.name}（${role(a.actor.role)}${a.actor.unit ? ` · ${a.actor.unit}` : ''}）`, taskId: a.taskId, key: `a:${a.seq}`,
    })),
  ];
  return entries.sort((a, b) => b.at.localeCompare(a.at) || a.key.localeCompare(b.key));
}
