/**
 * The largest item the limits allow, as a leader would write it: ids like
 * INSP2026-P01-T0001, Chinese unit names, every task due at the same instant,
 * descriptions long enough to fill the input budget. The number of tasks is
 * the most the domain accepts (found by asking it), so tests and benchmarks
 * drive exactly the worst case, whatever the limits are set to.
 */
import { createItemState } from '../../domain/create-item';
import { withOfficeRules } from '../../domain/policy';
import { DomainError } from '../../domain/errors';
import { LIMITS } from '../../domain/limits';
import { calendarForNewItem } from '../../domain/statutory-calendar';
import type { Actor, ItemInput, PolicyInput } from '../../domain/types';

export interface WorstCaseOptions {
  id: string;
  dueAt: string;
  leader: Actor;
  /** distinct owner units, round-robin over the tasks */
  units: number;
  policy?: PolicyInput;
  planId?: string;
}

export const unitName = (i: number) => `某某县交通运输局第${i + 1}科`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** a unit's code in the directory: the county's area code, the department, a number */
export const unitCode = (i: number) => `331002-JTJ-${pad(i + 1, 2)}`;

function build(o: WorstCaseOptions, tasks: number, descriptionChars: number): ItemInput {
  const problems = Math.max(1, Math.min(LIMITS.problemsPerItem, Math.ceil(tasks / 2)));
  const text = (seed: string) => `${seed}：${'整改落实情况说明'.repeat(Math.ceil(descriptionChars / 8))}`.slice(0, descriptionChars);
  return {
    id: o.id,
    ...(o.planId ? { planId: o.planId } : {}),
    title: `${'巡视反馈问题整改'.repeat(25)}`.slice(0, LIMITS.titleLength),
    source: '省委巡视组反馈意见',
    category: '基础设施',
    supervisionLevel: 'county',
    leader: { id: o.leader.id, name: o.leader.name },
    problems: Array.from({ length: problems }, (_, i) => ({
      id: `INSP2026-P${pad(i + 1, 3)}`, description: text(`问题${i + 1}`), severity: 'high' as const,
    })),
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `INSP2026-P${pad((i % problems) + 1, 3)}-T${pad(i + 1, 4)}`,
      problemIds: [`INSP2026-P${pad((i % problems) + 1, 3)}`],
      description: text(`任务${i + 1}`),
      measures: text('措施'),
      ownerUnit: unitCode(i % o.units),
      ownerPerson: '张三丰',
      deadline: { kind: 'instant' as const, at: o.dueAt },
    })),
    // as the API starts every item: with the office rules (and the calendar allowance they bring to the budget)
    policy: withOfficeRules(o.policy),
  };
}

function accepted(input: ItemInput, leader: Actor, nowMs: number): boolean {
  try {
    createItemState(input, leader, nowMs, calendarForNewItem(nowMs));
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'ITEM_TOO_LARGE') return false;
    throw err;
  }
}

/** The most tasks the state budget takes, then descriptions as long as the input budget allows. */
export function worstCaseItem(o: WorstCaseOptions, nowMs = Date.now()): ItemInput {
  let lo = 1;
  let hi = LIMITS.tasksPerItem;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (accepted(build(o, mid, 1), o.leader, nowMs)) lo = mid;
    else hi = mid - 1;
  }
  let short = 1;
  let long = LIMITS.textLength;
  while (short < long) {
    const mid = Math.ceil((short + long) / 2);
    if (accepted(build(o, lo, mid), o.leader, nowMs)) short = mid;
    else long = mid - 1;
  }
  return build(o, lo, short);
}
