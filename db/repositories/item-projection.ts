/**
 * Writes one ItemChanges payload into the read side, in one transaction.
 *
 * - The items row carries the snapshot's version (counters.auditSeq). A snapshot
 *   older than the stored one changes nothing in items/problems/tasks: activity
 *   retries and out-of-order deliveries can arrive late. Ties on version are
 *   broken by asOf, so a later look at the same state (new lights) still lands.
 * - Rows whose content would not change are not rewritten (IS DISTINCT FROM),
 *   so a retried activity writes nothing at all.
 * - Records (audit, escalations, notifications, dispatches, reviews) are
 *   append-only and keyed; they are inserted even when the snapshot is stale,
 *   because each record is a fact on its own.
 * - Batches travel as one jsonb parameter per table (jsonb_to_recordset): one
 *   round trip per table however many tasks an item has.
 */
import type { PoolClient, Pool } from 'pg';
import type { ItemChanges } from '../../activities/item-changes';
import { isTaskOpen, isTaskOverdue, taskLight, worstLight } from '../../domain/lights';
import type { ItemSnapshot, TaskState } from '../../domain/types';
import { withTransaction } from '../pool';

type Row = Record<string, unknown>;
/** column name → SQL type, in insert order */
type Columns = Record<string, string>;

const ITEM_COLUMNS: Columns = {
  id: 'text', plan_id: 'text', title: 'text', source: 'text', category: 'text', supervision_level: 'text',
  leader_id: 'text', leader_name: 'text', status: 'text', light: 'text', owner_units: 'text[]',
  open_tasks: 'integer', overdue_tasks: 'integer', open_problems: 'integer', escalation_level: 'integer',
  next_deadline: 'timestamptz', created_at: 'timestamptz', updated_at: 'timestamptz',
  completed_at: 'timestamptz', cancelled_at: 'timestamptz', version: 'integer', as_of: 'timestamptz', state: 'jsonb',
};
const PROBLEM_COLUMNS: Columns = {
  item_id: 'text', id: 'text', description: 'text', severity: 'text', status: 'text', closed_at: 'timestamptz',
};
const TASK_COLUMNS: Columns = {
  item_id: 'text', id: 'text', problem_ids: 'text[]', description: 'text', measures: 'text', owner_unit: 'text',
  owner_person: 'text', co_owners: 'text[]', status: 'text', light: 'text', percent: 'integer',
  assigned_at: 'timestamptz', due_at: 'timestamptz', original_due_at: 'timestamptz', deadline_basis: 'text',
  deadline_spec: 'jsonb', last_progress_at: 'timestamptz', rework_count: 'integer', escalation_level: 'integer',
  extensions_approved: 'integer', stale: 'boolean', accepted_at: 'timestamptz', cancelled_at: 'timestamptz',
};
const AUDIT_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', actor_id: 'text', actor_name: 'text', actor_role: 'text',
  actor_unit: 'text', action: 'text', request_id: 'text', task_id: 'text', details: 'jsonb',
};
const ESCALATION_COLUMNS: Columns = {
  item_id: 'text', task_id: 'text', due_at: 'timestamptz', rung: 'integer', level: 'integer', owner_unit: 'text',
  notify: 'text[]', fired_at: 'timestamptz',
};
const NOTIFICATION_COLUMNS: Columns = {
  key: 'text', item_id: 'text', task_id: 'text', kind: 'text', recipient_role: 'text', recipient: 'text',
  reason: 'text', level: 'integer', due_at: 'timestamptz', fired_at: 'timestamptz',
};
const DISPATCH_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', open_tasks: 'integer', stale_tasks: 'integer',
  overdue_tasks: 'integer', record: 'jsonb',
};
const REVIEW_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', period: 'text', completion_rate: 'double precision',
  overdue_count: 'integer', risk: 'text', record: 'jsonb',
};

/**
 * Owner units shown on the item: the units that still have to act (open tasks).
 * Once nothing is open, the units that did the work (non-cancelled tasks), so a
 * closed item still says who rectified it; failing that (all cancelled), every unit.
 */
export function itemOwnerUnits(tasks: TaskState[]): string[] {
  const units = (ts: TaskState[]) => [...new Set(ts.map((t) => t.ownerUnit))].sort();
  const open = units(tasks.filter(isTaskOpen));
  if (open.length) return open;
  const done = units(tasks.filter((t) => t.status !== 'cancelled'));
  return done.length ? done : units(tasks);
}

/** The snake_case mapping of a snapshot: the one place domain names meet column names. */
function itemRow(state: ItemSnapshot, asOf: string): Row {
  const asOfMs = Date.parse(asOf);
  const open = state.tasks.filter(isTaskOpen);
  const dues = open.map((t) => Date.parse(t.deadline.dueAt));
  return {
    id: state.id, plan_id: state.planId, title: state.title, source: state.source, category: state.category,
    supervision_level: state.supervisionLevel, leader_id: state.leader.id, leader_name: state.leader.name,
    status: state.status, light: worstLight(open.map((t) => taskLight(t, state.policy, asOfMs))),
    owner_units: itemOwnerUnits(state.tasks), open_tasks: open.length,
    overdue_tasks: open.filter((t) => isTaskOverdue(t, asOfMs)).length,
    open_problems: state.problems.filter((p) => p.status === 'open').length,
    escalation_level: Math.max(0, ...open.map((t) => t.escalationLevel)),
    next_deadline: dues.length ? new Date(Math.min(...dues)).toISOString() : null,
    created_at: state.createdAt, updated_at: state.updatedAt, completed_at: state.completedAt,
    cancelled_at: state.cancelledAt, version: state.counters.auditSeq, as_of: asOf, state,
  };
}

function taskRow(itemId: string, t: TaskState, state: ItemSnapshot, asOfMs: number): Row {
  return {
    item_id: itemId, id: t.id, problem_ids: t.problemIds, description: t.description, measures: t.measures,
    owner_unit: t.ownerUnit, owner_person: t.ownerPerson, co_owners: t.coOwners, status: t.status,
    light: taskLight(t, state.policy, asOfMs), percent: t.percent, assigned_at: t.assignedAt,
    due_at: t.deadline.dueAt, original_due_at: t.originalDueAt, deadline_basis: t.deadline.basis,
    deadline_spec: t.deadline.spec, last_progress_at: t.lastProgressAt, rework_count: t.reworkCount,
    escalation_level: t.escalationLevel, stale: t.stale, accepted_at: t.acceptedAt, cancelled_at: t.cancelledAt,
    extensions_approved: t.extensions.filter((e) => e.status === 'approved').length,
  };
}

/** Append-only records: [table, columns, conflict key, rows]. */
function recordRows(changes: ItemChanges): Array<[string, Columns, string[], Row[]]> {
  return [
    ['audit_events', AUDIT_COLUMNS, ['item_id', 'seq'], changes.auditEvents.map((e) => ({
      item_id: e.itemId, seq: e.seq, at: e.at, actor_id: e.actor.id, actor_name: e.actor.name,
      actor_role: e.actor.role, actor_unit: e.actor.unit, action: e.action, request_id: e.requestId,
      task_id: e.taskId, details: e.details,
    }))],
    ['escalations', ESCALATION_COLUMNS, ['item_id', 'task_id', 'due_at', 'rung'], changes.escalations.map((e) => ({
      item_id: e.itemId, task_id: e.taskId, due_at: e.dueAt, rung: e.rung, level: e.level,
      owner_unit: e.ownerUnit, notify: e.notify, fired_at: e.firedAt,
    }))],
    ['notifications', NOTIFICATION_COLUMNS, ['key'], changes.notifications.map((n) => ({
      key: n.key, item_id: n.itemId, task_id: n.taskId, kind: n.kind, recipient_role: n.recipientRole,
      recipient: n.recipient, reason: n.reason, level: n.level, due_at: n.dueAt, fired_at: n.firedAt,
    }))],
    ['dispatches', DISPATCH_COLUMNS, ['item_id', 'seq'], changes.dispatches.map((d) => ({
      item_id: d.itemId, seq: d.seq, at: d.at, open_tasks: d.openTasks, stale_tasks: d.staleTasks,
      overdue_tasks: d.overdueTasks, record: d,
    }))],
    ['reviews', REVIEW_COLUMNS, ['item_id', 'seq'], changes.reviews.map((r) => ({
      item_id: r.itemId, seq: r.seq, at: r.at, period: r.period, completion_rate: r.figures.completionRate,
      overdue_count: r.figures.overdueCount, risk: r.figures.risk, record: r,
    }))],
  ];
}

/**
 * INSERT … SELECT FROM jsonb_to_recordset($1). Table and column names come from
 * the constants above, never from input; the data is the single bound parameter.
 * `upsertGuard` turns the insert into an update of changed rows that pass the guard.
 */
async function insertRows(
  client: PoolClient, table: string, columns: Columns, rows: Row[], conflict: { key: string[]; upsertGuard?: string },
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = Object.keys(columns);
  const recordType = names.map((c) => `${c} ${columns[c]}`).join(', ');
  let onConflict = `ON CONFLICT (${conflict.key.join(', ')}) DO NOTHING`;
  if (conflict.upsertGuard !== undefined) {
    const sets = names.filter((c) => !conflict.key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
    onConflict = `ON CONFLICT (${conflict.key.join(', ')}) DO UPDATE SET ${sets.join(', ')}
      WHERE ${conflict.upsertGuard} AND ROW(${table}.*) IS DISTINCT FROM ROW(EXCLUDED.*)`;
  }
  const sql = `INSERT INTO ${table} (${names.join(', ')})
    SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
    ${onConflict}`;
  // JSON.stringify drops undefined fields, which jsonb_to_recordset reads as NULL
  const result = await client.query(sql, [JSON.stringify(rows)]);
  return result.rowCount ?? 0;
}

/** Mirrors the snapshot's children: upsert what it has, delete what it no longer has. */
async function replaceChildren(client: PoolClient, table: string, columns: Columns, itemId: string, rows: Row[]) {
  await insertRows(client, table, columns, rows, { key: ['item_id', 'id'], upsertGuard: 'true' });
  await client.query(`DELETE FROM ${table} WHERE item_id = $1 AND NOT (id = ANY($2::text[]))`, [
    itemId,
    rows.map((r) => r.id),
  ]);
}

export async function applyItemChanges(pool: Pool, changes: ItemChanges): Promise<void> {
  const { state, asOf } = changes;
  const asOfMs = Date.parse(asOf);
  await withTransaction(pool, async (client) => {
    // The items upsert locks the row, so concurrent writers of one item take turns
    // and children are only replaced by the snapshot that won the items row.
    const written = await insertRows(client, 'items', ITEM_COLUMNS, [itemRow(state, asOf)], {
      key: ['id'],
      upsertGuard: '(items.version, items.as_of) <= (EXCLUDED.version, EXCLUDED.as_of)',
    });
    if (written > 0) {
      await replaceChildren(client, 'problems', PROBLEM_COLUMNS, state.id, state.problems.map((p) => ({
        item_id: state.id, id: p.id, description: p.description, severity: p.severity, status: p.status,
        closed_at: p.closedAt,
      })));
      await replaceChildren(client, 'tasks', TASK_COLUMNS, state.id,
        state.tasks.map((t) => taskRow(state.id, t, state, asOfMs)));
    }
    for (const [table, columns, key, rows] of recordRows(changes)) {
      await insertRows(client, table, columns, rows, { key });
    }
  });
}
