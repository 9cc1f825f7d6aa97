/**
 * Responsible units (责任单位): one unit's open work, and the ranking of units
 * supervisors read (completion first, then overdue work, then escalations).
 */
import type { Pool } from 'pg';
import type { Light, TaskStatus } from '../../domain/types';

export interface UnitOpenTask {
  itemId: string;
  itemTitle: string;
  planId: string | null;
  taskId: string;
  description: string;
  status: TaskStatus;
  light: Light;
  percent: number;
  ownerPerson: string;
  coOwners: string[];
  dueAt: string;
  originalDueAt: string;
  escalationLevel: number;
  stale: boolean;
  lastProgressAt: string | null;
}

export interface UnitRankingRow {
  rank: number;
  ownerUnit: string;
  /** the unit's name in the directory */
  unitName: string;
  totalTasks: number;
  acceptedTasks: number;
  /** accepted / total non-cancelled tasks, 0..1 */
  completionRate: number;
  overdueTasks: number;
  escalations: number;
  reworks: number;
}

/** The unit's open tasks, as owner or as co-owner (双包保), most urgent first. */
export async function unitOpenTasks(pool: Pool, unit: string): Promise<UnitOpenTask[]> {
  const { rows } = await pool.query(
    `SELECT t.*, i.title AS item_title, i.plan_id
     FROM tasks t JOIN items i ON i.id = t.item_id
     WHERE (t.owner_unit = $1 OR t.co_owners @> ARRAY[$1]::text[]) AND t.status NOT IN ('accepted', 'cancelled')
     ORDER BY t.due_at, t.item_id, t.id`,
    [unit],
  );
  return rows.map((r) => ({
    itemId: r.item_id, itemTitle: r.item_title, planId: r.plan_id, taskId: r.id, description: r.description,
    status: r.status, light: r.light, percent: r.percent, ownerPerson: r.owner_person, coOwners: r.co_owners,
    dueAt: r.due_at, originalDueAt: r.original_due_at, escalationLevel: r.escalation_level, stale: r.stale,
    lastProgressAt: r.last_progress_at,
  }));
}

/**
 * Ranked units, optionally within one plan. Which units appear: those owning at
 * least one non-cancelled task in scope (a unit whose tasks were all cancelled or
 * reassigned away has nothing to be ranked on). Figures:
 * - totalTasks excludes cancelled tasks, so cancelling does not hurt completion;
 * - overdueTasks: open tasks whose projected light is red;
 * - escalations: escalation rows addressed to the unit (the unit at firing time);
 * - reworks: send-backs over all the unit's tasks, cancelled ones included (they happened).
 * rank is the 1-based position in that order; the unit name breaks full ties.
 */
export async function unitRanking(pool: Pool, q: { planId?: string } = {}): Promise<UnitRankingRow[]> {
  const { rows } = await pool.query(
    `WITH scoped AS (
       SELECT t.owner_unit, t.status, t.light, t.rework_count
       FROM tasks t JOIN items i ON i.id = t.item_id
       WHERE $1::text IS NULL OR i.plan_id = $1
     ),
     per_unit AS (
       SELECT owner_unit,
              count(*) FILTER (WHERE status <> 'cancelled') AS total_tasks,
              count(*) FILTER (WHERE status = 'accepted') AS accepted_tasks,
              count(*) FILTER (WHERE status NOT IN ('accepted', 'cancelled') AND light = 'red') AS overdue_tasks,
              sum(rework_count) AS reworks
       FROM scoped GROUP BY owner_unit
       HAVING count(*) FILTER (WHERE status <> 'cancelled') > 0
     ),
     escalated AS (
       SELECT e.owner_unit, count(*) AS escalations
       FROM escalations e
       WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM items i WHERE i.id = e.item_id AND i.plan_id = $1)
       GROUP BY e.owner_unit
     ),
     scored AS (
       SELECT p.*, p.accepted_tasks::float8 / p.total_tasks AS completion_rate,
              coalesce(x.escalations, 0) AS escalations
       FROM per_unit p LEFT JOIN escalated x USING (owner_unit)
     )
     SELECT scored.*, coalesce(u.name, scored.owner_unit) AS unit_name, row_number() OVER (
       ORDER BY completion_rate DESC, overdue_tasks ASC, escalations ASC, owner_unit ASC) AS rank
     FROM scored LEFT JOIN units u ON u.code = scored.owner_unit ORDER BY rank`,
    [q.planId ?? null],
  );
  return rows.map((r) => ({
    rank: r.rank, ownerUnit: r.owner_unit, unitName: r.unit_name, totalTasks: r.total_tasks, acceptedTasks: r.accepted_tasks,
    completionRate: r.completion_rate, overdueTasks: r.overdue_tasks, escalations: r.escalations, reworks: r.reworks,
  }));
}
