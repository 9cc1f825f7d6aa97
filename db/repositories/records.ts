/**
 * The accountability record of an item (README "The item"): audit trail, weekly
 * dispatches, monthly reviews, escalations and notifications, read back in the
 * shapes the workflow wrote them; plus the cross-item escalation feed.
 */
import type { Pool } from 'pg';
import { DomainError } from '../../domain/errors';
import type {
  AuditEvent,
  DispatchRecord,
  DispatchTaskLine,
  EscalationRecord,
  Notification,
  ReviewRecord,
} from '../../domain/types';
import { assertPageSize, decodeCursor, encodeCursor } from './items-read';
import { ownerUnit, parameters, visibleRecordsSql, visibleTasksSql, type Viewer } from './visibility';

const ALL: Viewer = { role: 'admin' };

export interface NotificationRow extends Notification {
  createdAt: string;
  deliveredAt: string | null;
}

export interface EscalationFeedEntry extends Omit<EscalationRecord, 'units'> {
  ownerUnitName: string;
  itemTitle: string | null;
  planId: string | null;
}

export interface EscalationFeedQuery {
  /** inclusive lower bound on firedAt */
  since?: string;
  ownerUnit?: string;
  minLevel?: number;
  limit: number;
  cursor?: string;
}

/** Optional domain fields are omitted, not null, when the column is NULL. */
function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function toEscalation(r: Record<string, any>): EscalationRecord {
  return {
    itemId: r.item_id, taskId: r.task_id, ownerUnit: r.owner_unit, units: r.units, dueAt: r.due_at, rung: r.rung, level: r.level,
    notify: r.notify, firedAt: r.fired_at,
  };
}

/** Records as readers get them: the units a record is about decide who sees it, and are not shown. */
function withoutUnits<T extends { units?: string[] }>(record: T): Omit<T, 'units'> {
  const { units: _units, ...rest } = record;
  return rest;
}

/** Dispatch headers with their lines; an owner gets the lines of their unit and totals counted over those. */
export async function listDispatches(pool: Pool, itemId: string, viewer: Viewer = ALL): Promise<DispatchRecord[]> {
  const { params, bind } = parameters();
  const item = bind(itemId);
  const { rows: headers } = await pool.query(`SELECT record FROM dispatches WHERE item_id = ${item} ORDER BY seq`, params);
  const { rows: lines } = await pool.query(
    `SELECT * FROM dispatch_lines l WHERE l.item_id = ${item} AND ${visibleTasksSql(viewer, bind, 'l')} ORDER BY seq, due_at, task_id`,
    params,
  );
  const bySeq = new Map<number, DispatchTaskLine[]>();
  for (const l of lines) {
    const line: DispatchTaskLine = {
      taskId: l.task_id, ownerUnit: l.owner_unit, coOwners: l.co_owners, ownerPerson: l.owner_person, status: l.status,
      percent: l.percent, dueAt: l.due_at, msToDeadline: Number(l.ms_to_deadline), light: l.light, stale: l.stale,
      ...optional('lastProgressAt', l.last_progress_at as string | null),
    };
    bySeq.set(l.seq, [...(bySeq.get(l.seq) ?? []), line]);
  }
  return headers.map((h) => {
    const header = h.record as Omit<DispatchRecord, 'lines'>;
    const own = bySeq.get(header.seq) ?? [];
    if (ownerUnit(viewer) === undefined) return { ...header, lines: own };
    return {
      ...header, lines: own, openTasks: own.length, staleTasks: own.filter((l) => l.stale).length,
      overdueTasks: own.filter((l) => l.msToDeadline <= 0).length,
    };
  });
}

export async function listReviews(pool: Pool, itemId: string): Promise<ReviewRecord[]> {
  const { rows } = await pool.query('SELECT record FROM reviews WHERE item_id = $1 ORDER BY seq', [itemId]);
  return rows.map((r) => r.record as ReviewRecord);
}

export async function listAuditEvents(pool: Pool, itemId: string, viewer: Viewer = ALL): Promise<Array<Omit<AuditEvent, 'units'>>> {
  const { params, bind } = parameters();
  const { rows } = await pool.query(
    `SELECT * FROM audit_events WHERE item_id = ${bind(itemId)} AND ${visibleRecordsSql(viewer, bind)} ORDER BY seq`,
    params,
  );
  return rows.map((r) => ({
    itemId: r.item_id, seq: r.seq, at: r.at,
    actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role, ...optional('unit', r.actor_unit as string | null) },
    action: r.action, ...optional('requestId', r.request_id as string | null),
    ...optional('taskId', r.task_id as string | null), details: r.details,
  }));
}

export async function listItemEscalations(pool: Pool, itemId: string, viewer: Viewer = ALL): Promise<Array<Omit<EscalationRecord, 'units'>>> {
  const { params, bind } = parameters();
  const { rows } = await pool.query(
    `SELECT * FROM escalations WHERE item_id = ${bind(itemId)} AND ${visibleRecordsSql(viewer, bind)}
     ORDER BY fired_at, task_id, due_at, rung`,
    params,
  );
  return rows.map((r) => withoutUnits(toEscalation(r)));
}

export async function listNotifications(pool: Pool, itemId: string, viewer: Viewer = ALL): Promise<Array<Omit<NotificationRow, 'units'>>> {
  const { params, bind } = parameters();
  const { rows } = await pool.query(
    `SELECT * FROM notifications WHERE item_id = ${bind(itemId)} AND ${visibleRecordsSql(viewer, bind)} ORDER BY fired_at, key`,
    params,
  );
  return rows.map((r) => ({
    key: r.key, itemId: r.item_id, ...optional('taskId', r.task_id as string | null), kind: r.kind,
    recipientRole: r.recipient_role, recipient: r.recipient, reason: r.reason,
    ...optional('level', r.level as number | null), firedAt: r.fired_at, ...optional('dueAt', r.due_at as string | null),
    createdAt: r.created_at, deliveredAt: r.delivered_at,
  }));
}

/**
 * Escalations across all items, newest first. The keyset is the whole primary
 * key behind fired_at, so rows firing at the same instant are neither skipped
 * nor repeated between pages.
 */
export async function escalationFeed(
  pool: Pool,
  q: EscalationFeedQuery,
): Promise<{ escalations: EscalationFeedEntry[]; nextCursor: string | null }> {
  assertPageSize(q.limit);
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (q.since !== undefined) where.push(`e.fired_at >= ${bind(q.since)}::timestamptz`);
  if (q.ownerUnit !== undefined) where.push(`e.owner_unit = ${bind(q.ownerUnit)}`);
  if (q.minLevel !== undefined) where.push(`e.level >= ${bind(q.minLevel)}`);
  if (q.cursor !== undefined) {
    const key = decodeCursor(q.cursor, 5);
    const [firedAt, itemId, taskId, dueAt, rung] = key;
    if (![firedAt, itemId, taskId, dueAt].every((v) => typeof v === 'string') || !Number.isInteger(rung)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid page cursor', { cursor: q.cursor });
    }
    where.push(`(e.fired_at, e.item_id, e.task_id, e.due_at, e.rung) <
      (${bind(firedAt)}::timestamptz, ${bind(itemId)}, ${bind(taskId)}, ${bind(dueAt)}::timestamptz, ${bind(rung)}::integer)`);
  }
  const { rows } = await pool.query(
    `SELECT e.*, e.fired_at::text AS fired_key, e.due_at::text AS due_key, i.title AS item_title, i.plan_id,
            coalesce(u.name, e.owner_unit) AS owner_unit_name
     FROM escalations e LEFT JOIN items i ON i.id = e.item_id LEFT JOIN units u ON u.code = e.owner_unit
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY e.fired_at DESC, e.item_id DESC, e.task_id DESC, e.due_at DESC, e.rung DESC
     LIMIT ${bind(q.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor([last.fired_key, last.item_id, last.task_id, last.due_key, last.rung])
      : null;
  return {
    escalations: page.map((r) => ({ ...withoutUnits(toEscalation(r)), ownerUnitName: r.owner_unit_name, itemTitle: r.item_title, planId: r.plan_id })),
    nextCursor,
  };
}
