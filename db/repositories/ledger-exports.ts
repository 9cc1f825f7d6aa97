/**
 * What the ledger exports read: a plan's tasks (streamed in keyset pages, so a
 * 10,000-task plan never sits in memory at once), the lines of the weekly
 * dispatches of a week, the monthly reviews of a month, and the unit ranking
 * over a week or a month. Owners get what the read rights give them
 * (db/repositories/visibility.ts): their unit's tasks and dispatch lines, and
 * the progress reports about their unit.
 */
import type { Pool } from 'pg';
import type { Light, ReviewRecord, RiskRating, TaskStatus } from '../../domain/types';
import { parameters, visibleItemsSql, visibleRecordsSql, visibleTasksSql, type Viewer } from './visibility';

export interface LedgerTask {
  itemId: string;
  itemTitle: string;
  problemIds: string[];
  /** the descriptions of the task's problems, in the task's order */
  problemDescriptions: string[];
  taskId: string;
  description: string;
  measures: string | null;
  ownerUnitName: string;
  ownerPerson: string;
  coOwnerNames: string[];
  status: TaskStatus;
  light: Light;
  lastProgressText: string | null;
  lastProgressAt: string | null;
  dueAt: string;
  originalDueAt: string;
  maxEscalationLevel: number;
  extensionsApproved: number;
  reworkCount: number;
}

/** Rows per page of the task stream: small enough to keep memory flat, large enough to keep round trips few. */
const PAGE = 500;

/** The plan's tasks, item by item in creation order, each item's tasks by id. */
export async function* planLedgerTasks(pool: Pool, planId: string, viewer: Viewer): AsyncGenerator<LedgerTask> {
  let after: [string, string, string] | undefined;
  for (;;) {
    const { params, bind } = parameters();
    const keyset = after ? `AND (i.created_at, i.id, t.id) > (${bind(after[0])}::timestamptz, ${bind(after[1])}, ${bind(after[2])})` : '';
    const { rows } = await pool.query(
      `SELECT i.created_at::text AS item_key, i.id AS item_id, i.title AS item_title, t.id, t.problem_ids, t.description, t.measures,
              coalesce(ou.name, t.owner_unit) AS owner_unit_name, t.owner_person,
              (SELECT coalesce(array_agg(coalesce(u.name, c) ORDER BY ord), '{}') FROM unnest(t.co_owners) WITH ORDINALITY AS x(c, ord)
                 LEFT JOIN units u ON u.code = x.c) AS co_owner_names,
              (SELECT coalesce(array_agg(coalesce(p.description, '') ORDER BY ord), '{}') FROM unnest(t.problem_ids) WITH ORDINALITY AS x(pid, ord)
                 LEFT JOIN problems p ON p.item_id = t.item_id AND p.id = x.pid) AS problem_descriptions,
              t.status, t.light, t.due_at, t.original_due_at, t.max_escalation_level, t.extensions_approved, t.rework_count,
              r.at AS progress_at, r.details->>'text' AS progress_text
       FROM items i
       JOIN tasks t ON t.item_id = i.id
       LEFT JOIN units ou ON ou.code = t.owner_unit
       LEFT JOIN LATERAL (SELECT a.at, a.details FROM audit_events a
         WHERE a.item_id = t.item_id AND a.task_id = t.id AND a.action = 'progressReported' AND ${visibleRecordsSql(viewer, bind, 'a.units')}
         ORDER BY a.seq DESC LIMIT 1) r ON true
       WHERE i.plan_id = ${bind(planId)} AND ${visibleTasksSql(viewer, bind)} ${keyset}
       ORDER BY i.created_at, i.id, t.id
       LIMIT ${PAGE}`,
      params,
    );
    for (const r of rows) {
      yield {
        itemId: r.item_id, itemTitle: r.item_title, problemIds: r.problem_ids, problemDescriptions: r.problem_descriptions,
        taskId: r.id, description: r.description ?? '', measures: r.measures, ownerUnitName: r.owner_unit_name, ownerPerson: r.owner_person,
        coOwnerNames: r.co_owner_names, status: r.status, light: r.light, lastProgressText: r.progress_text, lastProgressAt: r.progress_at,
        dueAt: r.due_at, originalDueAt: r.original_due_at, maxEscalationLevel: r.max_escalation_level,
        extensionsApproved: r.extensions_approved, reworkCount: r.rework_count,
      };
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1];
    after = [last.item_key, last.item_id, last.id];
  }
}

export interface DispatchLine {
  itemId: string;
  itemTitle: string;
  taskId: string;
  description: string;
  ownerUnitName: string;
  ownerPerson: string;
  status: TaskStatus;
  percent: number;
  lastProgressText: string | null;
  lastProgressAt: string | null;
  dueAt: string;
  light: Light;
  stale: boolean;
  overdue: boolean;
  /** when the dispatch was taken */
  dispatchedAt: string;
}

/**
 * The lines of each plan item's last dispatch in [from, to): what the weekly
 * dispatch found, worst first (overdue, then stale, then by deadline). The
 * progress shown is the last one reported by the time of that dispatch.
 */
export async function dispatchLinesOf(pool: Pool, planId: string, from: string, to: string, viewer: Viewer): Promise<DispatchLine[]> {
  const { params, bind } = parameters();
  const { rows } = await pool.query(
    `WITH plan_items AS (SELECT id, title FROM items WHERE plan_id = ${bind(planId)} AND ${visibleItemsSql(viewer, bind)}),
     last AS (
       SELECT DISTINCT ON (d.item_id) d.item_id, d.seq, d.at
       FROM dispatches d JOIN plan_items p ON p.id = d.item_id
       WHERE d.at >= ${bind(from)}::timestamptz AND d.at < ${bind(to)}::timestamptz
       ORDER BY d.item_id, d.seq DESC
     )
     SELECT l.*, last.at AS dispatched_at, p.title AS item_title, t.description, coalesce(u.name, l.owner_unit) AS owner_unit_name,
            r.details->>'text' AS progress_text, r.at AS progress_at
     FROM last
     JOIN dispatch_lines l ON l.item_id = last.item_id AND l.seq = last.seq
     JOIN plan_items p ON p.id = l.item_id
     LEFT JOIN tasks t ON t.item_id = l.item_id AND t.id = l.task_id
     LEFT JOIN units u ON u.code = l.owner_unit
     LEFT JOIN LATERAL (SELECT a.at, a.details FROM audit_events a
       WHERE a.item_id = l.item_id AND a.task_id = l.task_id AND a.action = 'progressReported' AND a.at <= last.at
         AND ${visibleRecordsSql(viewer, bind, 'a.units')}
       ORDER BY a.seq DESC LIMIT 1) r ON true
     WHERE ${visibleTasksSql(viewer, bind, 'l')}
     ORDER BY (l.ms_to_deadline <= 0) DESC, l.stale DESC, l.due_at, l.item_id, l.task_id`,
    params,
  );
  return rows.map((r) => ({
    itemId: r.item_id, itemTitle: r.item_title, taskId: r.task_id, description: r.description ?? '', ownerUnitName: r.owner_unit_name,
    ownerPerson: r.owner_person, status: r.status, percent: r.percent, lastProgressText: r.progress_text, lastProgressAt: r.progress_at,
    dueAt: r.due_at, light: r.light, stale: r.stale, overdue: Number(r.ms_to_deadline) <= 0, dispatchedAt: r.dispatched_at,
  }));
}

export interface ReviewLine {
  itemId: string;
  itemTitle: string;
  record: ReviewRecord;
}

const RISK_ORDER: Record<RiskRating, number> = { high: 0, medium: 1, low: 2 };

/** Each plan item's last review of `period` (YYYY-MM, the month reviewed), highest risk and lowest completion first. */
export async function reviewLinesOf(pool: Pool, planId: string, period: string): Promise<ReviewLine[]> {
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (r.item_id) r.item_id, i.title AS item_title, r.record
     FROM reviews r JOIN items i ON i.id = r.item_id
     WHERE i.plan_id = $1 AND r.period = $2
     ORDER BY r.item_id, r.seq DESC`,
    [planId, period],
  );
  const lines: ReviewLine[] = rows.map((r) => ({ itemId: r.item_id, itemTitle: r.item_title, record: r.record }));
  return lines.sort(
    (a, b) =>
      RISK_ORDER[a.record.figures.risk] - RISK_ORDER[b.record.figures.risk] ||
      a.record.figures.completionRate - b.record.figures.completionRate ||
      (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
  );
}

export interface PeriodRankingRow {
  rank: number;
  unitCode: string;
  unitName: string;
  totalTasks: number;
  acceptedTasks: number;
  completionRate: number;
  overdueTasks: number;
  escalations: number;
  reworks: number;
}

/**
 * The plan's units ranked over [from, to), as things stood at its end (or now,
 * for a period still running): the tasks assigned by then and not cancelled
 * by then, those accepted by then, those open and past their deadline by then
 * (the deadline as it stands now), and the escalations and send-backs that
 * happened in the period. Units are the tasks' owner units; the order is that
 * of GET /units/ranking (completion, then overdue work, then escalations).
 */
export async function periodRanking(pool: Pool, planId: string, from: string, to: string): Promise<PeriodRankingRow[]> {
  const { rows } = await pool.query(
    `WITH bounds AS (SELECT $2::timestamptz AS from_at, $3::timestamptz AS to_at, least($3::timestamptz, now()) AS as_of),
     scoped AS (
       SELECT t.owner_unit, t.due_at, t.accepted_at
       FROM tasks t JOIN items i ON i.id = t.item_id, bounds b
       WHERE i.plan_id = $1 AND t.assigned_at < b.to_at AND (t.cancelled_at IS NULL OR t.cancelled_at >= b.to_at)
     ),
     per_unit AS (
       SELECT owner_unit, count(*) AS total_tasks,
              count(*) FILTER (WHERE accepted_at < b.to_at) AS accepted_tasks,
              count(*) FILTER (WHERE (accepted_at IS NULL OR accepted_at >= b.to_at) AND due_at < b.as_of) AS overdue_tasks
       FROM scoped, bounds b GROUP BY owner_unit
     ),
     escalated AS (
       SELECT e.owner_unit, count(*) AS n FROM escalations e JOIN items i ON i.id = e.item_id, bounds b
       WHERE i.plan_id = $1 AND e.fired_at >= b.from_at AND e.fired_at < b.to_at GROUP BY e.owner_unit
     ),
     sent_back AS (
       SELECT t.owner_unit, count(*) AS n
       FROM audit_events a JOIN items i ON i.id = a.item_id JOIN tasks t ON t.item_id = a.item_id AND t.id = a.task_id, bounds b
       WHERE i.plan_id = $1 AND a.action = 'taskSentBack' AND a.at >= b.from_at AND a.at < b.to_at GROUP BY t.owner_unit
     ),
     scored AS (
       SELECT p.*, p.accepted_tasks::float8 / p.total_tasks AS completion_rate,
              coalesce(x.n, 0) AS escalations, coalesce(s.n, 0) AS reworks
       FROM per_unit p LEFT JOIN escalated x USING (owner_unit) LEFT JOIN sent_back s USING (owner_unit)
     )
     SELECT scored.*, coalesce(u.name, scored.owner_unit) AS unit_name,
            row_number() OVER (ORDER BY completion_rate DESC, overdue_tasks ASC, escalations ASC, owner_unit ASC) AS rank
     FROM scored LEFT JOIN units u ON u.code = scored.owner_unit ORDER BY rank`,
    [planId, from, to],
  );
  return rows.map((r) => ({
    rank: r.rank, unitCode: r.owner_unit, unitName: r.unit_name, totalTasks: r.total_tasks, acceptedTasks: r.accepted_tasks,
    completionRate: r.completion_rate, overdueTasks: r.overdue_tasks, escalations: r.escalations, reworks: r.reworks,
  }));
}
