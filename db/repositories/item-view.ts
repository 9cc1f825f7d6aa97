/**
 * One item as its readers see it, from the read side: its own row, its
 * problems and tasks with their text, each task's latest progress report and
 * submission (from the audit trail, where the text of commands is kept), all
 * limited to what the viewer may see.
 */
import type { Pool, PoolClient } from 'pg';
import { prepared, preparedName } from '../prepared';
import type { ItemHeader } from '../../domain/item-changes';
import type {
  DeadlineSpec,
  Light,
  PendingExtension,
  ProblemState,
  TaskState,
  ItemSummary,
} from '../../domain/types';
import { parameters, visibleItemsSql, visibleRecordsSql, visibleTasksSql, type Viewer } from './visibility';

export interface ProgressReportView {
  at: string;
  by: string;
  text: string;
  percent: number;
  evidence: string[];
}

export interface SubmissionView {
  at: string;
  by: string;
  evidence: string[];
  note?: string;
}

export interface TaskView extends Omit<TaskState, 'deadline'> {
  /** the units' names from the directory (the codes name themselves when the directory lacks them) */
  ownerUnitName: string;
  coOwnerNames: string[];
  description: string;
  measures?: string;
  deadline: { dueAt: string; spec: DeadlineSpec; resolvedAt: string; basis: string };
  light: Light;
  lastReport?: ProgressReportView;
  submission?: SubmissionView;
}

export interface ProblemView extends ProblemState {
  description: string;
}

export interface ItemView extends ItemHeader {
  cancelReason?: string;
  problems: ProblemView[];
  tasks: TaskView[];
  /** the item's version on the read side, and the workflow time it was saved at */
  version: number;
  asOf: string;
}

/** The item's version on the read side, or null when its row is not there (yet). */
export async function itemVersion(pool: Pool, itemId: string): Promise<number | null> {
  const { rows } = await pool.query('SELECT version FROM items WHERE id = $1', [itemId]);
  return rows[0] ? (rows[0].version as number) : null;
}

/** Whether the item's row exists, and whether the viewer may see it. */
export async function itemAccess(pool: Pool, itemId: string, viewer: Viewer): Promise<'none' | 'hidden' | 'visible'> {
  const { params, bind } = parameters();
  const { rows } = await pool.query(
    `SELECT ${visibleItemsSql(viewer, bind)} AS visible FROM items WHERE id = ${bind(itemId)}`,
    params,
  );
  if (!rows[0]) return 'none';
  return rows[0].visible ? 'visible' : 'hidden';
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

function toTask(r: Record<string, any>): TaskView {
  const task: TaskView = {
    id: r.id, problemIds: r.problem_ids, description: r.description ?? '', ownerUnit: r.owner_unit,
    ownerUnitName: r.owner_unit_name ?? r.owner_unit, coOwnerNames: r.co_owner_names ?? r.co_owners,
    ownerPerson: r.owner_person, coOwners: r.co_owners, status: r.status, assignedAt: r.assigned_at,
    deadline: {
      dueAt: r.due_at, spec: r.deadline_spec, resolvedAt: r.deadline_resolved_at ?? r.assigned_at, basis: r.deadline_basis ?? '',
      ...(r.deadline_provisional ? { provisional: true as const } : {}), ...(r.deadline_shifted_days ? { shiftedDays: r.deadline_shifted_days } : {}),
    },
    originalDueAt: r.original_due_at, percent: r.percent, reportCount: r.report_count, reworkCount: r.rework_count,
    extensionsApproved: r.extensions_approved, extensionsDenied: r.extensions_denied,
    alarms: r.alarms ?? { dueAt: r.due_at, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: r.escalation_level, maxEscalationLevel: r.max_escalation_level, stale: r.stale, light: r.light,
  };
  const fields: Partial<TaskView> = {
    measures: optional(r.measures), lastProgressAt: optional(r.last_progress_at), submittedAt: optional(r.submitted_at),
    acceptedAt: optional(r.accepted_at), cancelledAt: optional(r.cancelled_at),
    pendingExtension: optional(r.pending_extension as PendingExtension | null),
    pausedAt: optional(r.paused_at), pauses: r.pauses || undefined, pausedWorkingDays: r.paused_working_days || undefined,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (task as unknown as Record<string, unknown>)[k] = v;
  if (r.report_at) {
    const d = r.report_details ?? {};
    task.lastReport = { at: r.report_at, by: r.report_by, text: d.text ?? '', percent: d.percent ?? 0, evidence: d.evidence ?? [] };
  }
  if (r.submission_at && (r.status === 'submitted' || r.status === 'accepted')) {
    const d = r.submission_details ?? {};
    task.submission = { at: r.submission_at, by: r.submission_by, evidence: d.evidence ?? [], ...(d.note ? { note: d.note } : {}) };
  }
  return task;
}

/** Timestamps inside json_agg arrive as PostgreSQL's JSON text; the pool's own parser gives ISO strings: so do these. */
const TASK_TIMES = ['assigned_at', 'due_at', 'original_due_at', 'deadline_resolved_at', 'last_progress_at', 'submitted_at',
  'accepted_at', 'cancelled_at', 'paused_at', 'report_at', 'submission_at'];

function isoTimes(row: Record<string, any>, columns: readonly string[]): Record<string, any> {
  for (const c of columns) if (typeof row[c] === 'string') row[c] = new Date(row[c]).toISOString();
  return row;
}

/**
 * The item as `viewer` may see it, or null when it is not on the read side or
 * not theirs to see: one indexed row for leaders, supervisors and admins (the
 * view the item's last save kept), one statement composing it for owners.
 */
export async function getItemView(pool: Pool, itemId: string, viewer: Viewer): Promise<ItemView | null> {
  if (viewer.role !== 'owner') {
    // everyone but owners reads the whole item: the view its last save kept with the row
    const { rows } = await pool.query('SELECT view FROM items WHERE id = $1 AND view IS NOT NULL', [itemId]);
    if (rows[0]) return rows[0].view as ItemView;
  }
  return composeItemView(pool, itemId, viewer);
}

const KEPT_VIEW_SQL = `SELECT (view->>'version')::int AS version, view::text AS text FROM items WHERE id = $1 AND view IS NOT NULL`;

/**
 * The whole item as its last save kept it, as JSON text and its version, for
 * every viewer but an owner; null when there is no kept view (no row yet, or
 * a view too large to keep, which is composed on read).
 */
export async function keptItemViewText(pool: Pool, itemId: string): Promise<{ version: number; text: string } | null> {
  const { rows } = await pool.query(prepared(KEPT_VIEW_SQL, [itemId]));
  return rows[0] ? { version: rows[0].version as number, text: rows[0].text as string } : null;
}

/** What every viewer but an owner reads (all see the whole item alike). */
export const WHOLE_ITEM: Viewer = { role: 'admin' };

/**
 * The item as `viewer` may see it, composed from its rows in one statement:
 * the item's row, its tasks with their latest report and submission, its
 * problems and, for an owner, the escalations about their unit.
 */
export async function composeItemView(pool: Pool | PoolClient, itemId: string, viewer: Viewer): Promise<ItemView | null> {
  const { params, bind } = parameters();
  const id = bind(itemId);
  // the latest report and submission the viewer may read: after a reassignment, not the other unit's
  const mine = visibleRecordsSql(viewer, bind, 'a.units');
  const unit = viewer.role === 'owner' ? bind(viewer.unit ?? '') : undefined;
  const text = `SELECT items.version, items.as_of, items.state,
       (SELECT a.details->>'reason' FROM audit_events a
        WHERE a.item_id = items.id AND a.action = 'itemCancelled' ORDER BY a.seq DESC LIMIT 1) AS cancel_reason,
       (SELECT coalesce(json_agg(tv ORDER BY tv.assigned_at, tv.id), '[]') FROM (
          SELECT t.*, r.at AS report_at, r.actor_id AS report_by, r.details AS report_details,
                 s.at AS submission_at, s.actor_id AS submission_by, s.details AS submission_details,
                 (SELECT u.name FROM units u WHERE u.code = t.owner_unit) AS owner_unit_name,
                 (SELECT array_agg(coalesce(u.name, c) ORDER BY ord) FROM unnest(t.co_owners) WITH ORDINALITY AS x(c, ord)
                    LEFT JOIN units u ON u.code = x.c) AS co_owner_names
          FROM tasks t
          LEFT JOIN LATERAL (SELECT at, actor_id, details FROM audit_events a
            WHERE a.item_id = t.item_id AND a.task_id = t.id AND a.action = 'progressReported' AND ${mine}
            ORDER BY a.seq DESC LIMIT 1) r ON true
          LEFT JOIN LATERAL (SELECT at, actor_id, details FROM audit_events a
            WHERE a.item_id = t.item_id AND a.task_id = t.id AND a.action = 'taskSubmitted' AND ${mine}
            ORDER BY a.seq DESC LIMIT 1) s ON true
          WHERE t.item_id = items.id AND ${visibleTasksSql(viewer, bind)}) tv) AS tasks,
       (SELECT coalesce(json_agg(p ORDER BY p.id), '[]') FROM problems p WHERE p.item_id = items.id) AS problems
       ${unit ? `, (SELECT count(*) FROM escalations e WHERE e.item_id = items.id AND e.units @> ARRAY[${unit}]::text[]) AS seen_escalations` : ''}
     FROM items WHERE items.id = ${id} AND ${visibleItemsSql(viewer, bind)}`;
  // every save composes the whole item (item-projection.ts): prepared once per connection
  const name = viewer === WHOLE_ITEM ? preparedName(text) : undefined;
  const { rows: itemRows } = await pool.query({ name, text, values: params });
  const row = itemRows[0];
  if (!row) return null;
  const tasks = (row.tasks as Array<Record<string, any>>).map((t) => toTask(isoTimes(t, TASK_TIMES)));
  const addressed = new Set(tasks.flatMap((t) => t.problemIds));
  const problems = (row.problems as Array<Record<string, any>>)
    .filter((p) => viewer.role !== 'owner' || addressed.has(p.id))
    .map((p): ProblemView => ({
      id: p.id, description: p.description ?? '', severity: p.severity, status: p.status,
      ...(p.closed_at ? { closedAt: new Date(p.closed_at).toISOString() } : {}),
    }));

  const header = row.state as ItemHeader;
  const view: ItemView = { ...header, problems, tasks, version: row.version, asOf: row.as_of };
  if (row.cancel_reason) view.cancelReason = row.cancel_reason;
  if (viewer.role === 'owner') {
    // an owner learns nothing about other units' work: figures and counts are over their own tasks
    const seen = { escalations: Number(row.seen_escalations) };
    view.figures = ownFigures(tasks, problems, viewer.unit ?? '');
    view.counters = {
      escalations: seen.escalations, reworks: tasks.reduce((n, t) => n + t.reworkCount, 0),
      escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: header.counters?.auditSeq ?? row.version,
    };
    view.schedule = { ...header.schedule, lastReview: undefined };
    if (header.outcome) view.outcome = ownOutcome(header.outcome, tasks, problems, seen.escalations, header.policy.office !== undefined);
  }
  return view;
}

/** An ended item's outcome as an owner may see it: over their own tasks (the rounds are the item's). */
function ownOutcome(outcome: ItemSummary, tasks: TaskView[], problems: ProblemView[], escalations: number, office: boolean): ItemSummary {
  const accepted = tasks.filter((t) => t.status === 'accepted');
  const sum = (f: (t: TaskView) => number) => tasks.reduce((n, t) => n + f(t), 0);
  return {
    ...outcome,
    problems: problems.length,
    tasks: tasks.length,
    acceptedTasks: accepted.length,
    cancelledTasks: tasks.filter((t) => t.status === 'cancelled').length,
    acceptedLate: accepted.filter((t) => Date.parse((office && t.submittedAt) || t.acceptedAt!) > Date.parse(t.originalDueAt)).length,
    reworks: sum((t) => t.reworkCount),
    escalations,
    maxEscalationLevel: Math.max(0, ...tasks.map((t) => t.maxEscalationLevel)),
    extensionsApproved: sum((t) => t.extensionsApproved),
    pauses: sum((t) => t.pauses ?? 0),
    pausedWorkingDays: sum((t) => t.pausedWorkingDays ?? 0),
  };
}

const LIGHT_ORDER: Record<Light, number> = { none: 0, green: 1, yellow: 2, red: 3 };

function ownFigures(tasks: TaskView[], problems: ProblemView[], unit: string): ItemHeader['figures'] {
  const open = tasks.filter((t) => t.status !== 'accepted' && t.status !== 'cancelled');
  const due = open.map((t) => t.deadline.dueAt).sort();
  const figures: ItemHeader['figures'] = {
    light: open.reduce<Light>((w, t) => (LIGHT_ORDER[t.light] > LIGHT_ORDER[w] ? t.light : w), 'none'),
    // like the list: the unit is named only where it is responsible for one of the tasks it sees
    ownerUnits: tasks.some((t) => t.ownerUnit === unit) ? [unit] : [],
    openTasks: open.length,
    overdueTasks: open.filter((t) => t.light === 'red').length,
    openProblems: problems.filter((p) => p.status === 'open').length,
    escalationLevel: Math.max(0, ...open.map((t) => t.escalationLevel)),
    maxEscalationLevel: Math.max(0, ...tasks.map((t) => t.maxEscalationLevel)),
  };
  if (due[0]) figures.nextDeadline = due[0];
  return figures;
}

export interface FourLists {
  problems: ProblemView[];
  tasks: Array<Pick<TaskView, 'id' | 'problemIds' | 'description' | 'measures' | 'status'>>;
  responsibilities: Array<{ taskId: string; ownerUnit: string; ownerPerson: string; coOwners: string[] }>;
  timeLimits: Array<{ taskId: string; dueAt: string; originalDueAt: string; basis: string }>;
}

/** 四项清单 of an item view: problems, tasks, responsibilities, time limits. */
export function fourListsOf(view: Pick<ItemView, 'problems' | 'tasks'>): FourLists {
  return {
    problems: view.problems,
    tasks: view.tasks.map(({ id, problemIds, description, measures, status }) =>
      (measures === undefined ? { id, problemIds, description, status } : { id, problemIds, description, measures, status })),
    responsibilities: view.tasks.map((t) => ({ taskId: t.id, ownerUnit: t.ownerUnit, ownerPerson: t.ownerPerson, coOwners: t.coOwners })),
    timeLimits: view.tasks.map((t) => ({ taskId: t.id, dueAt: t.deadline.dueAt, originalDueAt: t.originalDueAt, basis: t.deadline.basis })),
  };
}
