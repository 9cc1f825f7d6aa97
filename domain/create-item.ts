/** Turns a leader's plan for one item (the four lists) into the item's initial state and its first records. */
import { resolveDeadline } from './deadline';
import { DomainError } from './errors';
import { appendAudit, iso } from './item-helpers';
import { emptyRecords, type ItemRecords, type ProblemText, type TaskText } from './item-records';
import { assertItemInputSize, assertStateBudget, checkProblemInput, checkTaskInput, checkItemFields } from './item-limits';
import { resolvePolicy } from './policy';
import { nextMonthlyAt, nextWeeklyAt } from './schedule';
import { officeSlot } from './office-time';
import type {
  Actor,
  HolidayCalendar,
  ItemInput,
  ItemPolicy,
  ItemState,
  ProblemInput,
  ProblemState,
  ResolvedDeadline,
  TaskDeadline,
  TaskInput,
  TaskState,
} from './types';

export function newProblemState(input: ProblemInput, path: string, enforceLimits = true): { problem: ProblemState; text: ProblemText } {
  if (enforceLimits) checkProblemInput(input, path);
  return {
    problem: { id: input.id, severity: input.severity, status: 'open' },
    text: { problemId: input.id, description: input.description },
  };
}

/** What a task keeps of a resolved deadline (its basis is text: it goes to the read side). */
export function deadlineOf(d: ResolvedDeadline): TaskDeadline {
  return { dueAt: d.dueAt, spec: d.spec, resolvedAt: d.resolvedAt, ...(d.provisional ? { provisional: true as const } : {}) };
}

/** A task as assigned now: its deadline is resolved to an instant against the item's calendar. */
export function newTaskState(
  input: TaskInput,
  policy: ItemPolicy,
  calendar: HolidayCalendar,
  nowMs: number,
  path: string,
  enforceLimits = true,
): { task: TaskState; text: TaskText } {
  if (enforceLimits) checkTaskInput(input, path);
  const deadline = resolveDeadline(input.deadline, nowMs, policy.timezone, calendar);
  if (Date.parse(deadline.dueAt) <= nowMs) {
    throw new DomainError('VALIDATION_FAILED', `${path}.deadline ${deadline.dueAt} is not in the future`, {
      path: `${path}.deadline`,
    });
  }
  const task: TaskState = {
    id: input.id,
    problemIds: [...input.problemIds],
    ownerUnit: input.ownerUnit,
    ownerPerson: input.ownerPerson,
    coOwners: [...(input.coOwners ?? [])],
    status: 'assigned',
    assignedAt: iso(nowMs),
    deadline: deadlineOf(deadline),
    originalDueAt: deadline.dueAt,
    percent: 0,
    reportCount: 0,
    reworkCount: 0,
    extensionsApproved: 0,
    extensionsDenied: 0,
    alarms: { dueAt: deadline.dueAt, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: 0,
    maxEscalationLevel: 0,
    stale: false,
  };
  const text: TaskText = { taskId: input.id, description: input.description, deadlineBasis: deadline.basis };
  if (input.measures !== undefined) text.measures = input.measures;
  return { task, text };
}

function assertUnique(ids: string[], what: string, path: string): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw new DomainError('VALIDATION_FAILED', `duplicate ${what} id '${id}'`, { path: `${path}.${i}.id` });
    seen.add(id);
  });
}

/**
 * The item's first state, as of `nowMs`: the instant the API accepted it.
 * The API runs this before starting the workflow and the workflow runs it again
 * with the same instant, so both reach the same verdict and the same state
 * however late the workflow's first task runs.
 */
export function createItemState(
  input: ItemInput,
  createdBy: Actor,
  nowMs: number,
  calendar: HolidayCalendar,
  /** false only to replay items started before these limits existed: they were accepted then */
  { enforceLimits = true }: { enforceLimits?: boolean } = {},
): { state: ItemState; records: ItemRecords } {
  if (enforceLimits) {
    assertItemInputSize(input);
    checkItemFields(input);
  }
  if (!calendar || !Array.isArray(calendar.years) || !calendar.holidays || !calendar.workdays) {
    throw new DomainError('VALIDATION_FAILED', 'a new item needs its holiday calendar', { path: 'calendar' });
  }
  assertUnique(input.problems.map((p) => p.id), 'problem', 'problems');
  assertUnique(input.tasks.map((t) => t.id), 'task', 'tasks');

  const policy = resolvePolicy(input.policy);
  const problems = input.problems.map((p, i) => newProblemState(p, `problems.${i}`, enforceLimits));
  const tasks = input.tasks.map((t, i) => newTaskState(t, policy, calendar, nowMs, `tasks.${i}`, enforceLimits));
  const problemIds = new Set(problems.map((p) => p.problem.id));
  tasks.forEach(({ task }, i) => {
    const unknown = task.problemIds.findIndex((id) => !problemIds.has(id));
    if (unknown >= 0) {
      throw new DomainError('VALIDATION_FAILED', `tasks.${i} addresses unknown problem '${task.problemIds[unknown]}'`, {
        path: `tasks.${i}.problemIds.${unknown}`,
      });
    }
  });
  const uncovered = problems.findIndex(({ problem }) => !tasks.some(({ task }) => task.problemIds.includes(problem.id)));
  if (uncovered >= 0) {
    const id = problems[uncovered]!.problem.id;
    throw new DomainError('VALIDATION_FAILED', `problem '${id}' has no task`, { path: `problems.${uncovered}` });
  }

  const state: ItemState = {
    id: input.id,
    title: input.title,
    supervisionLevel: input.supervisionLevel,
    leader: { id: input.leader.id, name: input.leader.name },
    policy,
    calendar,
    status: 'active',
    createdAt: iso(nowMs),
    createdBy: createdBy.id,
    updatedAt: iso(nowMs),
    problems: problems.map((p) => p.problem),
    tasks: tasks.map((t) => t.task),
    schedule: {
      nextDispatchAt: iso(officeSlot({ policy, calendar }, nextWeeklyAt(nowMs, policy.weeklyDispatch, policy.timezone))),
      nextReviewAt: iso(officeSlot({ policy, calendar }, nextMonthlyAt(nowMs, policy.monthlyReview, policy.timezone))),
      dispatchCount: 0,
      reviewCount: 0,
    },
    counters: { escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 0 },
    appliedRequests: [],
  };
  // optional fields are left out rather than set to undefined: the state is JSON
  if (input.planId !== undefined) state.planId = input.planId;
  if (input.source !== undefined) state.source = input.source;
  if (input.category !== undefined) state.category = input.category;
  if (enforceLimits) assertStateBudget(state);

  const records = emptyRecords();
  records.problemTexts.push(...problems.map((p) => p.text));
  records.taskTexts.push(...tasks.map((t) => t.text));
  // about the item as a whole, not about any one unit: owners read only the lines about their own tasks
  appendAudit(state, records.auditEvents, nowMs, createdBy, 'itemCreated', {
    details: { problems: problems.length, tasks: tasks.length, policy },
  });
  return { state, records };
}
