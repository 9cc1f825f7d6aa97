/**
 * Writes one save of an item (domain/item-changes.ts) into the read side, in
 * one transaction.
 *
 * - Rows carry the version and workflow time they were saved at; a row older
 *   than the stored one changes nothing (a retried or late save can arrive
 *   after a newer one). Rows whose content would not change are not rewritten,
 *   so a retried save writes nothing at all.
 * - Text columns (descriptions, measures, the deadline's basis) are written
 *   when a save carries them and kept when it does not.
 * - Records (audit, escalations, notifications, dispatches, reviews) are
 *   append-only and keyed: each is a fact on its own, inserted once.
 * - Batches travel as one jsonb parameter per table (jsonb_to_recordset): one
 *   round trip per table however many rows a save has.
 */
import { escapeLiteral, type PoolClient, type Pool } from 'pg';
import type { ItemChanges, ItemHeader, ProblemRow, TaskRow } from '../../domain/item-changes';
import type { AuditEvent } from '../../domain/types';
import { prepared } from '../prepared';
import { withTransaction } from '../pool';
import { composeItemView, WHOLE_ITEM } from './item-view';
import { holdUnitNamesSharedSql, textArray } from './unit-name-locks';

type Row = Record<string, unknown>;
/** column name → SQL type, in insert order */
type Columns = Record<string, string>;

const ITEM_COLUMNS: Columns = {
  id: 'text', plan_id: 'text', title: 'text', source: 'text', category: 'text', supervision_level: 'text',
  leader_id: 'text', leader_name: 'text', status: 'text', light: 'text', owner_units: 'text[]',
  open_tasks: 'integer', overdue_tasks: 'integer', open_problems: 'integer', escalation_level: 'integer',
  max_escalation_level: 'integer', next_deadline: 'timestamptz', created_at: 'timestamptz', updated_at: 'timestamptz',
  completed_at: 'timestamptz', cancelled_at: 'timestamptz', version: 'integer', as_of: 'timestamptz', state: 'jsonb',
};
const PROBLEM_COLUMNS: Columns = {
  item_id: 'text', id: 'text', description: 'text', severity: 'text', status: 'text', closed_at: 'timestamptz',
  version: 'integer', as_of: 'timestamptz',
};
const TASK_COLUMNS: Columns = {
  item_id: 'text', id: 'text', problem_ids: 'text[]', description: 'text', measures: 'text', owner_unit: 'text',
  owner_person: 'text', co_owners: 'text[]', status: 'text', light: 'text', percent: 'integer',
  assigned_at: 'timestamptz', due_at: 'timestamptz', original_due_at: 'timestamptz', deadline_basis: 'text',
  deadline_spec: 'jsonb', deadline_resolved_at: 'timestamptz', last_progress_at: 'timestamptz', report_count: 'integer',
  submitted_at: 'timestamptz', rework_count: 'integer', escalation_level: 'integer', max_escalation_level: 'integer',
  extensions_approved: 'integer', extensions_denied: 'integer', pending_extension: 'jsonb', alarms: 'jsonb',
  stale: 'boolean', accepted_at: 'timestamptz', cancelled_at: 'timestamptz', version: 'integer', as_of: 'timestamptz',
  paused_at: 'timestamptz', pauses: 'integer', paused_working_days: 'integer', deadline_provisional: 'boolean',
  deadline_shifted_days: 'integer',
};
const TEXT_COLUMNS = ['description', 'measures', 'deadline_basis'];
const AUDIT_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', actor_id: 'text', actor_name: 'text', actor_role: 'text',
  actor_unit: 'text', action: 'text', request_id: 'text', task_id: 'text', units: 'text[]', details: 'jsonb',
};
const ESCALATION_COLUMNS: Columns = {
  item_id: 'text', task_id: 'text', due_at: 'timestamptz', rung: 'integer', level: 'integer', owner_unit: 'text',
  units: 'text[]', notify: 'text[]', fired_at: 'timestamptz',
};
const NOTIFICATION_COLUMNS: Columns = {
  key: 'text', item_id: 'text', task_id: 'text', kind: 'text', recipient_role: 'text', recipient: 'text',
  units: 'text[]', reason: 'text', note: 'text', new_due_at: 'timestamptz', level: 'integer', due_at: 'timestamptz',
  fired_at: 'timestamptz',
};
const DISPATCH_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', open_tasks: 'integer', stale_tasks: 'integer',
  overdue_tasks: 'integer', record: 'jsonb',
};
const DISPATCH_LINE_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', task_id: 'text', owner_unit: 'text', co_owners: 'text[]', owner_person: 'text',
  status: 'text', percent: 'integer', last_progress_at: 'timestamptz', due_at: 'timestamptz',
  ms_to_deadline: 'bigint', light: 'text', stale: 'boolean',
};
const REVIEW_COLUMNS: Columns = {
  item_id: 'text', seq: 'integer', at: 'timestamptz', period: 'text', completion_rate: 'double precision',
  overdue_count: 'integer', risk: 'text', record: 'jsonb',
};

/** The snake_case mapping of an item's own row: the one place domain names meet column names. */
function itemRow(h: ItemHeader, version: number, asOf: string): Row {
  const f = h.figures;
  return {
    id: h.id, plan_id: h.planId, title: h.title, source: h.source, category: h.category,
    supervision_level: h.supervisionLevel, leader_id: h.leader.id, leader_name: h.leader.name, status: h.status,
    light: f.light, owner_units: f.ownerUnits, open_tasks: f.openTasks, overdue_tasks: f.overdueTasks,
    open_problems: f.openProblems, escalation_level: f.escalationLevel, max_escalation_level: f.maxEscalationLevel,
    next_deadline: f.nextDeadline ?? null, created_at: h.createdAt, updated_at: h.updatedAt,
    completed_at: h.completedAt, cancelled_at: h.cancelledAt, version, as_of: asOf, state: h,
  };
}

function problemRow(itemId: string, p: ProblemRow, version: number, asOf: string): Row {
  return {
    item_id: itemId, id: p.id, description: p.description, severity: p.severity, status: p.status,
    closed_at: p.closedAt, version, as_of: asOf,
  };
}

function taskRow(itemId: string, t: TaskRow, version: number, asOf: string): Row {
  return {
    item_id: itemId, id: t.id, problem_ids: t.problemIds, description: t.description, measures: t.measures,
    owner_unit: t.ownerUnit, owner_person: t.ownerPerson, co_owners: t.coOwners, status: t.status, light: t.light,
    percent: t.percent, assigned_at: t.assignedAt, due_at: t.deadline.dueAt, original_due_at: t.originalDueAt,
    deadline_basis: t.deadlineBasis, deadline_spec: t.deadline.spec, deadline_resolved_at: t.deadline.resolvedAt,
    last_progress_at: t.lastProgressAt, report_count: t.reportCount, submitted_at: t.submittedAt,
    rework_count: t.reworkCount, escalation_level: t.escalationLevel, max_escalation_level: t.maxEscalationLevel,
    extensions_approved: t.extensionsApproved, extensions_denied: t.extensionsDenied,
    pending_extension: t.pendingExtension ?? null, alarms: t.alarms, stale: t.stale, accepted_at: t.acceptedAt,
    cancelled_at: t.cancelledAt, version, as_of: asOf,
    paused_at: t.pausedAt ?? null, pauses: t.pauses ?? 0, paused_working_days: t.pausedWorkingDays ?? 0,
    deadline_provisional: t.deadline.provisional === true, deadline_shifted_days: t.deadline.shiftedDays ?? 0,
  };
}

/** Append-only records: [table, columns, conflict key, rows]. */
function recordRows(c: ItemChanges): Array<[string, Columns, string[], Row[]]> {
  return [
    ['audit_events', AUDIT_COLUMNS, ['item_id', 'seq'], c.auditEvents.map((e) => ({
      item_id: e.itemId, seq: e.seq, at: e.at, actor_id: e.actor.id, actor_name: e.actor.name,
      actor_role: e.actor.role, actor_unit: e.actor.unit, action: e.action, request_id: e.requestId,
      task_id: e.taskId, units: e.units ?? [], details: e.details,
    }))],
    ['escalations', ESCALATION_COLUMNS, ['item_id', 'task_id', 'due_at', 'rung'], c.escalations.map((e) => ({
      item_id: e.itemId, task_id: e.taskId, due_at: e.dueAt, rung: e.rung, level: e.level,
      owner_unit: e.ownerUnit, units: e.units ?? [e.ownerUnit], notify: e.notify, fired_at: e.firedAt,
    }))],
    ['notifications', NOTIFICATION_COLUMNS, ['key'], c.notifications.map((n) => ({
      key: n.key, item_id: n.itemId, task_id: n.taskId, kind: n.kind, recipient_role: n.recipientRole,
      recipient: n.recipient, units: n.units ?? [], reason: n.reason, note: n.note, new_due_at: n.newDueAt, level: n.level,
      due_at: n.dueAt, fired_at: n.firedAt,
    }))],
    ['dispatches', DISPATCH_COLUMNS, ['item_id', 'seq'], c.dispatches.map((d) => ({
      item_id: d.itemId, seq: d.seq, at: d.at, open_tasks: d.openTasks, stale_tasks: d.staleTasks,
      overdue_tasks: d.overdueTasks, record: d,
    }))],
    ['dispatch_lines', DISPATCH_LINE_COLUMNS, ['item_id', 'seq', 'task_id'], c.dispatchLines.map((l) => ({
      item_id: l.itemId, seq: l.seq, task_id: l.taskId, owner_unit: l.ownerUnit, co_owners: l.coOwners ?? [],
      owner_person: l.ownerPerson, status: l.status, percent: l.percent, last_progress_at: l.lastProgressAt,
      due_at: l.dueAt, ms_to_deadline: l.msToDeadline, light: l.light, stale: l.stale,
    }))],
    ['reviews', REVIEW_COLUMNS, ['item_id', 'seq'], c.reviews.map((r) => ({
      item_id: r.itemId, seq: r.seq, at: r.at, period: r.period, completion_rate: r.figures.completionRate,
      overdue_count: r.figures.overdueCount, risk: r.figures.risk, record: r,
    }))],
  ];
}

interface Upsert {
  key: string[];
  /** SQL over the stored row and EXCLUDED: only rows passing it are updated */
  guard: string;
  /** columns kept when the new value is NULL */
  keepWhenNull?: string[];
}

/**
 * INSERT … SELECT FROM jsonb_to_recordset($1). Table and column names come from
 * the constants above, never from input; the data is the single bound parameter.
 * Answers the conflict-key values of the rows it inserted or changed.
 */
async function insertRows(client: PoolClient, table: string, columns: Columns, rows: Row[], conflict: { key: string[] } | Upsert): Promise<Row[]> {
  if (rows.length === 0) return [];
  const names = Object.keys(columns);
  const recordType = names.map((c) => `${c} ${columns[c]}`).join(', ');
  let onConflict = `ON CONFLICT (${conflict.key.join(', ')}) DO NOTHING`;
  if ('guard' in conflict) {
    const keep = new Set(conflict.keepWhenNull ?? []);
    const updated = names.filter((c) => !conflict.key.includes(c));
    const value = (c: string) => (keep.has(c) ? `COALESCE(EXCLUDED.${c}, ${table}.${c})` : `EXCLUDED.${c}`);
    // compared as written: a retried save (same version, same content, no text) rewrites nothing
    onConflict = `ON CONFLICT (${conflict.key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = ${value(c)}`).join(', ')}
      WHERE ${conflict.guard}
        AND (${updated.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${updated.map(value).join(', ')})`;
  }
  const sql = `INSERT INTO ${table} (${names.join(', ')})
    SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
    ${onConflict}
    RETURNING ${conflict.key.map((c) => `${table}.${c}`).join(', ')}`;
  // JSON.stringify drops undefined fields, which jsonb_to_recordset reads as NULL
  const result = await client.query<Row>(prepared(sql, [JSON.stringify(rows)]));
  return result.rows;
}

const newer = (table: string) => `(${table}.version, ${table}.as_of) <= (EXCLUDED.version, EXCLUDED.as_of)`;

/**
 * What a save actually wrote, as opposed to what it carried: a retried save
 * (its first attempt committed, the acknowledgement was lost) lands nothing.
 * Metrics count from this, so each fact is counted once.
 */
export interface Landed {
  /** the audit events this save inserted (not those already there) */
  auditEvents: AuditEvent[];
  /** the item's own row moved to this save's version */
  itemRowWritten: boolean;
}

/**
 * Writes one save. `alongside` runs in the same transaction after the records
 * (delivery planning: notifications and their deliveries land together or not
 * at all); what it returns is handed back once the transaction committed.
 * `onLanded` hears, after the commit, what the save really wrote.
 */
const SAVE_LOCK_TIMEOUT = '3s';
/** the largest item view kept with its row (a 10-task item's is about 9 KiB) */
export const KEPT_VIEW_BYTES = 64 * 1024;
/** advisory lock class of an item's saves (the item id's hash is the other half) */
const ITEM_SAVE_LOCK = 7301;
const SAVE_STATEMENT_TIMEOUT = '7s';

export async function applyItemChanges<T = void>(
  pool: Pool,
  changes: ItemChanges,
  alongside?: (client: PoolClient) => Promise<T>,
  onLanded?: (landed: Landed) => void,
): Promise<T | undefined> {
  const { itemId, version, asOf } = changes;
  const landed: Landed = { auditEvents: [], itemRowWritten: false };
  const units = [...new Set(changes.tasks.flatMap((t) => [t.ownerUnit, ...t.coOwners]))];
  // Sent with BEGIN, in one round trip. A save must end well inside its activity's 10 s: a row
  // held by someone else's open transaction fails the attempt (retried, and listed in /ops/stuck)
  // instead of hanging on to a pooled connection that every other item's saves share. One save
  // of an item at a time (a local save timed out may still run beside its retry): the view kept
  // below sees every row before it. The names the kept view carries cannot change before this
  // save commits (unit-name-locks.ts).
  const opening = [
    `SET LOCAL lock_timeout = '${SAVE_LOCK_TIMEOUT}'`,
    `SET LOCAL statement_timeout = '${SAVE_STATEMENT_TIMEOUT}'`,
    `SELECT pg_advisory_xact_lock(${ITEM_SAVE_LOCK}, hashtext(${escapeLiteral(itemId)}))`,
    holdUnitNamesSharedSql(itemId, units),
    // every unit a task of the item ever had: an owner keeps sight of the item after a reassignment
    ...(units.length ? [`INSERT INTO item_units (unit, item_id) SELECT unnest(${textArray(units)}), ${escapeLiteral(itemId)} ON CONFLICT DO NOTHING`] : []),
  ].join('; ');
  const result = await withTransaction(pool, async (client) => {
    await insertRows(client, 'problems', PROBLEM_COLUMNS, changes.problems.map((p) => problemRow(itemId, p, version, asOf)), {
      key: ['item_id', 'id'], guard: newer('problems'), keepWhenNull: ['description'],
    });
    await insertRows(client, 'tasks', TASK_COLUMNS, changes.tasks.map((t) => taskRow(itemId, t, version, asOf)), {
      key: ['item_id', 'id'], guard: newer('tasks'), keepWhenNull: TEXT_COLUMNS,
    });
    for (const [table, columns, key, rows] of recordRows(changes)) {
      const inserted = await insertRows(client, table, columns, rows, { key });
      if (table === 'audit_events' && inserted.length) {
        const seqs = new Set(inserted.map((r) => Number(r.seq)));
        landed.auditEvents = changes.auditEvents.filter((e) => seqs.has(e.seq));
      }
    }
    const planned = alongside ? await alongside(client) : undefined;
    // last: readers that wait for a version see it once every row of the save is in
    if (changes.header) {
      const written = await insertRows(client, 'items', ITEM_COLUMNS, [itemRow(changes.header, version, asOf)], {
        key: ['id'], guard: newer('items'),
      });
      landed.itemRowWritten = written.length > 0;
    }
    // the whole item as GET /items/:id serves it, composed once here rather than on every read;
    // a large item's is not kept (every save would rewrite it whole): its readers compose it
    const view = await composeItemView(client, itemId, WHOLE_ITEM);
    const json = view ? JSON.stringify(view) : null;
    const kept = json !== null && Buffer.byteLength(json) <= KEPT_VIEW_BYTES ? json : null;
    // unchanged (a retried save): not rewritten
    const keep = 'UPDATE items SET view = $2 WHERE id = $1 AND view IS DISTINCT FROM $2::jsonb';
    await client.query(prepared(keep, [itemId, kept]));
    return planned;
  }, opening);
  onLanded?.(landed);
  return result;
}
