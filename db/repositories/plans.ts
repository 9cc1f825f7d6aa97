/**
 * Plans (整改方案): the one aggregate written here directly rather than projected,
 * plus the plan report that gathers the four lists across a plan's items.
 */
import type { Pool } from 'pg';
import { DomainError } from '../../domain/errors';
import type { ProblemStatus, Severity, TaskStatus } from '../../domain/types';
import { withTransaction } from '../pool';
import { assertPageSize, decodeCursor, encodeCursor } from './items-read';

export interface PlanInput {
  id: string;
  title: string;
  source?: string;
  categories: string[];
  /** the leaders who answer for the plan and decide on its items */
  leaderIds: string[];
  createdBy: string;
}

export interface Plan {
  id: string;
  title: string;
  source: string | null;
  categories: string[];
  leaderIds: string[];
  createdBy: string;
  createdAt: string;
}

export interface PlanReport {
  plan: Plan;
  counts: { categories: number; items: number; problems: number; tasks: number; units: number };
  completion: {
    tasksAccepted: number; tasksCancelled: number; tasksOpen: number; tasksOverdue: number;
    /** accepted / (tasks − cancelled); 1 when nothing is left to do (as ReviewFigures) */
    completionRate: number;
    problemsClosed: number; problemsOpen: number;
    itemsCompleted: number; itemsActive: number; itemsCancelled: number;
  };
  /** how the plan's ended items went (their outcomes added up) */
  outcomes: {
    itemsEnded: number; acceptedTasks: number; acceptedLate: number; reworks: number; escalations: number;
    maxEscalationLevel: number; extensionsApproved: number; pauses: number; pausedWorkingDays: number;
  };
  lists: {
    problems: Array<{ itemId: string; id: string; description: string; severity: Severity; status: ProblemStatus; closedAt: string | null }>;
    tasks: Array<{ itemId: string; id: string; problemIds: string[]; description: string; measures: string | null; status: TaskStatus }>;
    responsibilities: Array<{ taskId: string; itemId: string; ownerUnit: string; ownerPerson: string; coOwners: string[] }>;
    timeLimits: Array<{ taskId: string; itemId: string; dueAt: string; originalDueAt: string; basis: string }>;
  };
}

const PLAN_SELECT = 'id, title, source, categories, leader_ids, created_by, created_at';

function toPlan(r: Record<string, any>): Plan {
  return {
    id: r.id, title: r.title, source: r.source, categories: r.categories, leaderIds: r.leader_ids, createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export async function createPlan(pool: Pool, plan: PlanInput): Promise<Plan> {
  try {
    const { rows } = await pool.query(
      `INSERT INTO plans (id, title, source, categories, leader_ids, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${PLAN_SELECT}`,
      [plan.id, plan.title, plan.source ?? null, plan.categories, plan.leaderIds, plan.createdBy],
    );
    return toPlan(rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new DomainError('ALREADY_EXISTS', `plan '${plan.id}' already exists`, { planId: plan.id });
    }
    throw err;
  }
}

/** Whether a leader answers for a plan (false when there is no such plan). */
export async function answersForPlan(pool: Pool, planId: string, leaderId: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM plans WHERE id = $1 AND leader_ids @> ARRAY[$2]::text[]', [planId, leaderId]);
  return rows.length > 0;
}

/** Replaces the leaders of a plan; null when there is no such plan. */
export async function setPlanLeaders(pool: Pool, id: string, leaderIds: string[]): Promise<Plan | null> {
  const { rows } = await pool.query(`UPDATE plans SET leader_ids = $2 WHERE id = $1 RETURNING ${PLAN_SELECT}`, [id, leaderIds]);
  return rows[0] ? toPlan(rows[0]) : null;
}

export async function getPlan(pool: Pool, id: string): Promise<Plan | null> {
  const { rows } = await pool.query(`SELECT ${PLAN_SELECT} FROM plans WHERE id = $1`, [id]);
  return rows[0] ? toPlan(rows[0]) : null;
}

/** Newest first; created_at travels in the cursor as PostgreSQL text so microsecond ties stay exact. */
export async function listPlans(
  pool: Pool,
  q: { limit: number; cursor?: string },
): Promise<{ plans: Plan[]; nextCursor: string | null }> {
  assertPageSize(q.limit);
  const params: unknown[] = [q.limit + 1];
  let after = '';
  if (q.cursor !== undefined) {
    const [createdAt, id] = decodeCursor(q.cursor, 2);
    if (typeof createdAt !== 'string' || typeof id !== 'string') {
      throw new DomainError('VALIDATION_FAILED', 'invalid page cursor', { cursor: q.cursor });
    }
    params.push(createdAt, id);
    after = 'WHERE (created_at, id) < ($2::timestamptz, $3)';
  }
  const { rows } = await pool.query(
    `SELECT ${PLAN_SELECT}, created_at::text AS sort_key FROM plans ${after} ORDER BY created_at DESC, id DESC LIMIT $1`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { plans: page.map(toPlan), nextCursor: rows.length > q.limit && last ? encodeCursor([last.sort_key, last.id]) : null };
}

/**
 * The plan's figures and four lists, read from one snapshot (REPEATABLE READ) so
 * counts and lists agree. Choices:
 * - categories: plan.categories ∪ the categories its items actually use, so an
 *   item filed under an unplanned category is not silently dropped.
 * - units: distinct owner units of non-cancelled tasks.
 * - tasksOverdue: open tasks whose projected light is red (the same rule as unit ranking).
 * - lists include cancelled tasks and closed problems with their status: a ledger keeps everything.
 */
/** ItemSummary fields the plan report adds up, and the column each becomes. */
const OUTCOME_SUMS: Array<[string, string]> = [
  ['acceptedTasks', 'accepted_tasks'], ['acceptedLate', 'accepted_late'], ['reworks', 'reworks'], ['escalations', 'escalations'],
  ['extensionsApproved', 'extensions_approved'], ['pauses', 'pauses'], ['pausedWorkingDays', 'paused_working_days'],
];

export async function planReport(pool: Pool, id: string): Promise<PlanReport | null> {
  return withTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const planRows = await client.query(`SELECT ${PLAN_SELECT} FROM plans WHERE id = $1`, [id]);
    if (!planRows.rows[0]) return null;
    const plan = toPlan(planRows.rows[0]);
    const { rows: [f] } = await client.query(
      `WITH i AS (SELECT id, status, category FROM items WHERE plan_id = $1),
            t AS (SELECT t.* FROM tasks t JOIN i ON i.id = t.item_id),
            p AS (SELECT p.* FROM problems p JOIN i ON i.id = p.item_id)
       SELECT
         (SELECT count(*) FROM (SELECT unnest(categories) FROM plans WHERE id = $1
                                UNION SELECT category FROM i WHERE category IS NOT NULL) c) AS categories,
         (SELECT count(*) FROM i) AS items,
         (SELECT count(*) FROM p) AS problems,
         (SELECT count(*) FROM t) AS tasks,
         (SELECT count(DISTINCT owner_unit) FROM t WHERE status <> 'cancelled') AS units,
         (SELECT count(*) FROM t WHERE status = 'accepted') AS tasks_accepted,
         (SELECT count(*) FROM t WHERE status = 'cancelled') AS tasks_cancelled,
         (SELECT count(*) FROM t WHERE status NOT IN ('accepted', 'cancelled')) AS tasks_open,
         (SELECT count(*) FROM t WHERE status NOT IN ('accepted', 'cancelled') AND light = 'red') AS tasks_overdue,
         (SELECT count(*) FROM p WHERE status = 'closed') AS problems_closed,
         (SELECT count(*) FROM p WHERE status = 'open') AS problems_open,
         (SELECT count(*) FROM i WHERE status = 'completed') AS items_completed,
         (SELECT count(*) FROM i WHERE status = 'active') AS items_active,
         (SELECT count(*) FROM i WHERE status = 'cancelled') AS items_cancelled`,
      [id],
    );
    const { rows: [o] } = await client.query(
      `SELECT count(*) AS ended,
         ${OUTCOME_SUMS.map(([field, column]) => `coalesce(sum((state->'outcome'->>'${field}')::int), 0) AS ${column}`).join(', ')},
         coalesce(max((state->'outcome'->>'maxEscalationLevel')::int), 0) AS max_level
       FROM items WHERE plan_id = $1 AND state ? 'outcome'`,
      [id],
    );
    const ledgerOrder = 'ORDER BY i.created_at, i.id, x.id';
    const problems = await client.query(
      `SELECT x.* FROM problems x JOIN items i ON i.id = x.item_id WHERE i.plan_id = $1 ${ledgerOrder}`, [id]);
    const tasks = await client.query(
      `SELECT x.* FROM tasks x JOIN items i ON i.id = x.item_id WHERE i.plan_id = $1 ${ledgerOrder}`, [id]);
    const live = f.tasks - f.tasks_cancelled;
    return {
      plan,
      counts: { categories: f.categories, items: f.items, problems: f.problems, tasks: f.tasks, units: f.units },
      completion: {
        tasksAccepted: f.tasks_accepted, tasksCancelled: f.tasks_cancelled, tasksOpen: f.tasks_open,
        tasksOverdue: f.tasks_overdue, completionRate: live > 0 ? f.tasks_accepted / live : 1,
        problemsClosed: f.problems_closed, problemsOpen: f.problems_open,
        itemsCompleted: f.items_completed, itemsActive: f.items_active, itemsCancelled: f.items_cancelled,
      },
      outcomes: {
        itemsEnded: o.ended, acceptedTasks: o.accepted_tasks, acceptedLate: o.accepted_late, reworks: o.reworks,
        escalations: o.escalations, maxEscalationLevel: o.max_level, extensionsApproved: o.extensions_approved,
        pauses: o.pauses, pausedWorkingDays: o.paused_working_days,
      },
      lists: {
        problems: problems.rows.map((r) => ({
          itemId: r.item_id, id: r.id, description: r.description ?? '', severity: r.severity, status: r.status, closedAt: r.closed_at,
        })),
        tasks: tasks.rows.map((r) => ({
          itemId: r.item_id, id: r.id, problemIds: r.problem_ids, description: r.description ?? '', measures: r.measures, status: r.status,
        })),
        responsibilities: tasks.rows.map((r) => ({
          taskId: r.id, itemId: r.item_id, ownerUnit: r.owner_unit, ownerPerson: r.owner_person, coOwners: r.co_owners,
        })),
        timeLimits: tasks.rows.map((r) => ({
          taskId: r.id, itemId: r.item_id, dueAt: r.due_at, originalDueAt: r.original_due_at, basis: r.deadline_basis ?? '',
        })),
      },
    };
  });
}
