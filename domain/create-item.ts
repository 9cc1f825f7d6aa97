/** Turns a leader's plan for one item (the four lists) into the item's initial state. */
import { resolveDeadline } from './deadline';
import { DomainError } from './errors';
import { appendAudit, iso, refuseNulCharacters } from './item-helpers';
import { resolvePolicy } from './policy';
import { nextMonthlyAt, nextWeeklyAt } from './schedule';
import type { Actor, AuditEvent, HolidayCalendar, ItemInput, ItemPolicy, ItemState, ProblemInput, ProblemState, TaskInput, TaskState } from './types';

const SUPERVISION_LEVELS = ['province', 'city', 'county', 'none'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

function requireText(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('VALIDATION_FAILED', `${path} must be a non-empty string`, { path });
  }
}

export function newProblemState(input: ProblemInput, path: string): ProblemState {
  requireText(input.id, `${path}.id`);
  requireText(input.description, `${path}.description`);
  if (!SEVERITIES.includes(input.severity)) {
    throw new DomainError('VALIDATION_FAILED', `${path}.severity must be one of ${SEVERITIES.join(', ')}`, { path });
  }
  return { id: input.id, description: input.description, severity: input.severity, status: 'open' };
}

/** A task as assigned now: its deadline is resolved to an instant against the item's calendar. */
export function newTaskState(
  input: TaskInput,
  policy: ItemPolicy,
  calendar: HolidayCalendar,
  nowMs: number,
  path: string,
): TaskState {
  requireText(input.id, `${path}.id`);
  requireText(input.description, `${path}.description`);
  requireText(input.ownerUnit, `${path}.ownerUnit`);
  requireText(input.ownerPerson, `${path}.ownerPerson`);
  if (!Array.isArray(input.problemIds) || input.problemIds.length === 0) {
    throw new DomainError('VALIDATION_FAILED', `${path}.problemIds must name at least one problem`, { path });
  }
  const deadline = resolveDeadline(input.deadline, nowMs, policy.timezone, calendar);
  if (Date.parse(deadline.dueAt) <= nowMs) {
    throw new DomainError('VALIDATION_FAILED', `${path}.deadline ${deadline.dueAt} is not in the future`, {
      path: `${path}.deadline`,
    });
  }
  return {
    id: input.id,
    problemIds: [...input.problemIds],
    description: input.description,
    measures: input.measures,
    ownerUnit: input.ownerUnit,
    ownerPerson: input.ownerPerson,
    coOwners: [...(input.coOwners ?? [])],
    status: 'assigned',
    assignedAt: iso(nowMs),
    deadline,
    originalDueAt: deadline.dueAt,
    percent: 0,
    reportCount: 0,
    reworkCount: 0,
    extensions: [],
    alarms: { dueAt: deadline.dueAt, warned: false, overdue: false, rungsFired: 0 },
    escalationLevel: 0,
    stale: false,
  };
}

function assertUnique(ids: string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new DomainError('VALIDATION_FAILED', `duplicate ${what} id '${id}'`, { id });
    seen.add(id);
  }
}

export function createItemState(
  input: ItemInput,
  createdBy: Actor,
  nowMs: number,
  calendar: HolidayCalendar,
): { state: ItemState; auditEvents: AuditEvent[] } {
  requireText(input.id, 'id');
  requireText(input.title, 'title');
  refuseNulCharacters(input);
  if (!SUPERVISION_LEVELS.includes(input.supervisionLevel)) {
    throw new DomainError('VALIDATION_FAILED', `supervisionLevel must be one of ${SUPERVISION_LEVELS.join(', ')}`, {
      path: 'supervisionLevel',
    });
  }
  if (input.problems.length === 0) throw new DomainError('VALIDATION_FAILED', 'an item needs at least one problem');
  if (input.tasks.length === 0) throw new DomainError('VALIDATION_FAILED', 'an item needs at least one task');
  assertUnique(input.problems.map((p) => p.id), 'problem');
  assertUnique(input.tasks.map((t) => t.id), 'task');

  if (!calendar || !Array.isArray(calendar.years) || !calendar.holidays || !calendar.workdays) {
    throw new DomainError('VALIDATION_FAILED', 'a new item needs its holiday calendar', { path: 'calendar' });
  }
  const policy = resolvePolicy(input.policy);
  const problems = input.problems.map((p, i) => newProblemState(p, `problems.${i}`));
  const tasks = input.tasks.map((t, i) => newTaskState(t, policy, calendar, nowMs, `tasks.${i}`));
  const problemIds = new Set(problems.map((p) => p.id));
  tasks.forEach((t, i) => {
    const unknown = t.problemIds.find((id) => !problemIds.has(id));
    if (unknown) throw new DomainError('VALIDATION_FAILED', `tasks.${i} addresses unknown problem '${unknown}'`, { path: `tasks.${i}.problemIds` });
  });
  const uncovered = problems.find((p) => !tasks.some((t) => t.problemIds.includes(p.id)));
  if (uncovered) throw new DomainError('VALIDATION_FAILED', `problem '${uncovered.id}' has no task`, { problemId: uncovered.id });

  const state: ItemState = {
    id: input.id,
    planId: input.planId,
    title: input.title,
    source: input.source,
    category: input.category,
    supervisionLevel: input.supervisionLevel,
    leader: { id: input.leader.id, name: input.leader.name },
    policy,
    calendar,
    status: 'active',
    createdAt: iso(nowMs),
    createdBy: createdBy.id,
    updatedAt: iso(nowMs),
    problems,
    tasks,
    schedule: {
      nextDispatchAt: iso(nextWeeklyAt(nowMs, policy.weeklyDispatch, policy.timezone)),
      nextReviewAt: iso(nextMonthlyAt(nowMs, policy.monthlyReview, policy.timezone)),
      dispatchCount: 0,
      reviewCount: 0,
    },
    counters: { escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 0 },
    appliedRequests: [],
  };
  const auditEvents: AuditEvent[] = [];
  appendAudit(state, auditEvents, nowMs, createdBy, 'itemCreated', {
    details: { problems: problems.length, tasks: tasks.length, policy },
  });
  return { state, auditEvents };
}
