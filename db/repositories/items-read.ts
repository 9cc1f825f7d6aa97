/**
 * Item lists for leaders, owners and supervisors: filters, sorts and keyset
 * pagination that returns every matching row exactly once across pages, also
 * when sort values tie or are NULL (items with no open task have no deadline).
 */
import type { Pool } from 'pg';
import { DomainError } from '../../domain/errors';
import type { ItemStatus, Light, SupervisionLevel } from '../../domain/types';
import { ownerUnit, visibleItemsSql, type Viewer } from './visibility';

export type ItemSort = 'createdAt' | 'nextDeadline' | 'updatedAt' | 'title';
export type SortOrder = 'asc' | 'desc';
export const ITEM_SORTS: readonly ItemSort[] = ['createdAt', 'nextDeadline', 'updatedAt', 'title'];
export const MAX_PAGE_SIZE = 200;

export interface ItemListQuery {
  planId?: string;
  status?: ItemStatus;
  /** items where this unit owns at least one task that was not cancelled (see listItems) */
  ownerUnit?: string;
  supervisionLevel?: SupervisionLevel;
  light?: Light;
  /** true: at least one overdue open task; false: none */
  overdue?: boolean;
  /** inclusive bounds on next_deadline; items without a deadline never match a bound */
  dueFrom?: string;
  dueTo?: string;
  /** default createdAt */
  sort?: ItemSort;
  /** default asc */
  order?: SortOrder;
  /** 1..200 */
  limit: number;
  cursor?: string;
}

export interface ItemSummaryRow {
  maxEscalationLevel: number;
  id: string;
  planId: string | null;
  title: string;
  source: string | null;
  category: string | null;
  supervisionLevel: SupervisionLevel;
  leaderId: string;
  leaderName: string;
  status: ItemStatus;
  light: Light;
  ownerUnits: string[];
  /** the owner units' names from the directory, in the same order */
  ownerUnitNames: string[];
  openTasks: number;
  overdueTasks: number;
  openProblems: number;
  escalationLevel: number;
  nextDeadline: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  cancelledAt: string | null;
  version: number;
  asOf: string;
}

const SUMMARY_SELECT = `id, plan_id, title, source, category, supervision_level, leader_id, leader_name, status,
  light, owner_units, (SELECT array_agg(coalesce(u.name, c) ORDER BY ord) FROM unnest(owner_units) WITH ORDINALITY AS x(c, ord)
    LEFT JOIN units u ON u.code = x.c) AS owner_unit_names,
  open_tasks, overdue_tasks, open_problems, escalation_level, max_escalation_level, next_deadline, created_at,
  updated_at, completed_at, cancelled_at, version, as_of`;

/**
 * An owner's items, with the figures of their own unit's tasks in place of the
 * item-wide ones (light, counts, next deadline, levels): an owner learns nothing
 * about other units' work, not even through a list's figures or its filters.
 */
function ownerItemsSource(unitParam: string): string {
  const own = `(t.owner_unit = ${unitParam} OR t.co_owners @> ARRAY[${unitParam}]::text[])`;
  const open = `t.status NOT IN ('accepted', 'cancelled')`;
  return `(SELECT i.id, i.plan_id, i.title, i.source, i.category, i.supervision_level, i.leader_id, i.leader_name, i.status,
       coalesce(f.light, 'none') AS light, CASE WHEN f.responsible THEN ARRAY[${unitParam}]::text[] ELSE '{}'::text[] END AS owner_units, coalesce(f.open_tasks, 0) AS open_tasks,
       coalesce(f.overdue_tasks, 0) AS overdue_tasks, coalesce(f.open_problems, 0) AS open_problems,
       coalesce(f.escalation_level, 0) AS escalation_level, coalesce(f.max_escalation_level, 0) AS max_escalation_level,
       f.next_deadline, i.created_at, i.updated_at, i.completed_at, i.cancelled_at, i.version, i.as_of
     FROM items i
     LEFT JOIN LATERAL (
       SELECT CASE WHEN bool_or(${open} AND t.light = 'red') THEN 'red' WHEN bool_or(${open} AND t.light = 'yellow') THEN 'yellow'
                   WHEN bool_or(${open}) THEN 'green' ELSE 'none' END AS light,
              count(*) FILTER (WHERE ${open}) AS open_tasks,
              count(*) FILTER (WHERE ${open} AND t.light = 'red') AS overdue_tasks,
              (SELECT count(*) FROM problems p WHERE p.item_id = i.id AND p.status = 'open'
                 AND EXISTS (SELECT 1 FROM tasks t2 WHERE t2.item_id = i.id AND p.id = ANY(t2.problem_ids)
                   AND (t2.owner_unit = ${unitParam} OR t2.co_owners @> ARRAY[${unitParam}]::text[]))) AS open_problems,
              max(t.escalation_level) FILTER (WHERE ${open}) AS escalation_level,
              max(t.max_escalation_level) AS max_escalation_level,
              min(t.due_at) FILTER (WHERE ${open}) AS next_deadline,
              coalesce(bool_or(t.owner_unit = ${unitParam}), false) AS responsible
       FROM tasks t WHERE t.item_id = i.id AND ${own}) f ON true) AS items`;
}

/** The one snake_case → camelCase mapping of items rows (timestamps are ISO strings: see db/pool.ts). */
function toSummary(r: Record<string, any>): ItemSummaryRow {
  return {
    id: r.id, planId: r.plan_id, title: r.title, source: r.source, category: r.category,
    supervisionLevel: r.supervision_level, leaderId: r.leader_id, leaderName: r.leader_name, status: r.status,
    light: r.light, ownerUnits: r.owner_units, ownerUnitNames: r.owner_unit_names ?? [], openTasks: r.open_tasks,
    overdueTasks: r.overdue_tasks,
    openProblems: r.open_problems, escalationLevel: r.escalation_level, maxEscalationLevel: r.max_escalation_level,
    nextDeadline: r.next_deadline,
    createdAt: r.created_at, updatedAt: r.updated_at, completedAt: r.completed_at, cancelledAt: r.cancelled_at,
    version: r.version, asOf: r.as_of,
  };
}

/** Opaque page cursor: base64url of a JSON array of the keyset values. Shared by the other read repositories. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `length` values; a tampered or foreign one is a 422, not a 500. */
export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length) return values;
  } catch {
    // fall through to the refusal below
  }
  throw new DomainError('VALIDATION_FAILED', 'invalid page cursor', { cursor });
}

export function assertPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new DomainError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { limit });
  }
}

const SORT_COLUMNS: Record<ItemSort, { column: string; type: string }> = {
  createdAt: { column: 'created_at', type: 'timestamptz' },
  nextDeadline: { column: 'next_deadline', type: 'timestamptz' },
  updatedAt: { column: 'updated_at', type: 'timestamptz' },
  title: { column: 'title', type: 'text' },
};

/**
 * Ordering: the sort column, then id as the tie-break, both in the requested
 * direction; NULL deadlines come last in both directions (an item with nothing
 * due is never the most urgent nor the least). The cursor keeps the sort value
 * as PostgreSQL's own text, so microseconds and ties survive the round trip.
 *
 * ownerUnit matches through tasks (EXISTS), not items.owner_units: owner_units
 * names only units with open work, so a unit whose task was already accepted
 * would lose sight of an item it still shares. Cancelled tasks do not count
 * (a task reassigned or cancelled away is no longer that unit's responsibility).
 */
export async function listItems(
  pool: Pool,
  q: ItemListQuery,
  viewer: Viewer = { role: 'admin' },
): Promise<{ items: ItemSummaryRow[]; nextCursor: string | null }> {
  assertPageSize(q.limit);
  const sort = q.sort ?? 'createdAt';
  const order = q.order ?? 'asc';
  const { column, type } = SORT_COLUMNS[sort];
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  // an owner lists the items their unit is or was concerned by, whatever unit they ask for
  const where: string[] = [visibleItemsSql(viewer, bind)];
  if (q.planId !== undefined) where.push(`plan_id = ${bind(q.planId)}`);
  if (q.status !== undefined) where.push(`status = ${bind(q.status)}`);
  if (q.supervisionLevel !== undefined) where.push(`supervision_level = ${bind(q.supervisionLevel)}`);
  if (q.light !== undefined) where.push(`light = ${bind(q.light)}`);
  if (q.overdue !== undefined) where.push(q.overdue ? 'overdue_tasks > 0' : 'overdue_tasks = 0');
  if (q.dueFrom !== undefined) where.push(`next_deadline >= ${bind(q.dueFrom)}::timestamptz`);
  if (q.dueTo !== undefined) where.push(`next_deadline <= ${bind(q.dueTo)}::timestamptz`);
  if (q.ownerUnit !== undefined && ownerUnit(viewer) === undefined) {
    // as the responsible unit or as a co-owner (双包保); a task cancelled on its own no longer
    // involves the unit, one cancelled with its whole item still does
    const unit = bind(q.ownerUnit);
    where.push(`EXISTS (SELECT 1 FROM tasks t
      WHERE t.item_id = items.id AND (t.status <> 'cancelled' OR items.status = 'cancelled')
        AND (t.owner_unit = ${unit} OR t.co_owners @> ARRAY[${unit}]::text[]))`);
  }
  if (q.cursor !== undefined) {
    const [cSort, cOrder, value, id] = decodeCursor(q.cursor, 4);
    if (cSort !== sort || cOrder !== order || typeof id !== 'string' || (value !== null && typeof value !== 'string')) {
      throw new DomainError('VALIDATION_FAILED', 'page cursor does not belong to this sort', { cursor: q.cursor });
    }
    const after = order === 'asc' ? '>' : '<';
    where.push(
      value === null
        ? `(${column} IS NULL AND id ${after} ${bind(id)})` // already inside the NULLs, which come last
        : `((${column}, id) ${after} (${bind(value)}::${type}, ${bind(id)}) OR ${column} IS NULL)`,
    );
  }
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  const mine = ownerUnit(viewer);
  const source = mine === undefined ? 'items' : ownerItemsSource(bind(mine));
  const sql = `SELECT ${SUMMARY_SELECT}, ${column}::text AS sort_key FROM ${source}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${column} ${direction} NULLS LAST, id ${direction}
    LIMIT ${bind(q.limit + 1)}`;
  const { rows } = await pool.query(sql, params);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor([sort, order, last.sort_key, last.id]) : null;
  return { items: page.map(toSummary), nextCursor };
}
