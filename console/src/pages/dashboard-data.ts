/** What the dashboard computes from the API's lists (the API has no dashboard route of its own). */
import { api, unwrap, type ItemSummary, type Light, type Schemas } from '../api/client';

const PAGE = 200;
const MAX_PAGES = 10;

/** Active items, page after page (bounded: the dashboard of a county holds hundreds, not millions). */
export async function activeItems(plan?: string): Promise<ItemSummary[]> {
  const items: ItemSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const data = await unwrap(api.GET('/items', { params: { query: { status: 'active', limit: PAGE, cursor, plan, sort: 'nextDeadline', order: 'asc' } } }));
    items.push(...data.items);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return items;
}

export function countByLight(items: ItemSummary[]): Record<Light, number> {
  const counts: Record<Light, number> = { red: 0, yellow: 0, green: 0, none: 0 };
  for (const item of items) counts[item.light] += 1;
  return counts;
}

/** Monday 00:00 of this week, local time. */
export function startOfWeek(now = new Date()): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

export interface TrendSeries { unit: string; points: number[] }

/**
 * Open problems by unit at the end of each of the last `weeks` weeks (动态清零):
 * a problem counts for every unit with a task on it, from its item's creation
 * until it closed.
 */
export function openProblemTrend(report: Schemas['PlanReport'], itemCreated: Map<string, string>, weeks = 8, now = Date.now()): { at: number[]; series: TrendSeries[] } {
  const at = Array.from({ length: weeks }, (_, i) => now - (weeks - 1 - i) * 7 * 86_400_000);
  const unitsOfProblem = new Map<string, Set<string>>();
  const unitOfTask = new Map(report.lists.responsibilities.map((r) => [`${r.itemId}/${r.taskId}`, r.ownerUnit]));
  for (const task of report.lists.tasks) {
    const unit = unitOfTask.get(`${task.itemId}/${task.id}`);
    if (!unit) continue;
    for (const problemId of task.problemIds) {
      const key = `${task.itemId}/${problemId}`;
      if (!unitsOfProblem.has(key)) unitsOfProblem.set(key, new Set());
      unitsOfProblem.get(key)!.add(unit);
    }
  }
  const byUnit = new Map<string, number[]>();
  for (const problem of report.lists.problems) {
    const created = Date.parse(itemCreated.get(problem.itemId) ?? '1970-01-01T00:00:00Z');
    const closed = problem.closedAt ? Date.parse(problem.closedAt) : Infinity;
    for (const unit of unitsOfProblem.get(`${problem.itemId}/${problem.id}`) ?? []) {
      if (!byUnit.has(unit)) byUnit.set(unit, at.map(() => 0));
      const points = byUnit.get(unit)!;
      at.forEach((t, i) => { if (created <= t && t < closed) points[i]! += 1; });
    }
  }
  return { at, series: [...byUnit].map(([unit, points]) => ({ unit, points })).sort((a, b) => b.points.at(-1)! - a.points.at(-1)!) };
}
