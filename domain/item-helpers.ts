/** Small shared pieces of the item rules: lookups, closure, audit and notification records. */
import { DomainError } from './errors';
import { isTaskOpen } from './lights';
import { calendarOf, offsetAfter } from './office-time';
import type {
  Actor,
  AuditEvent,
  ItemState,
  Notification,
  NotificationKind,
  RecipientRole,
  TaskState,
} from './types';

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'system', role: 'system' };

export function findTask(state: ItemState, taskId: string): TaskState {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) throw new DomainError('NOT_FOUND', `no task '${taskId}' in item ${state.id}`, { taskId });
  return task;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Closes problems whose tasks are all accepted or cancelled; completes the item when none is open. */
export function refreshClosure(state: ItemState, nowMs: number): void {
  for (const problem of state.problems) {
    const tasks = state.tasks.filter((t) => t.problemIds.includes(problem.id));
    const done = tasks.length > 0 && tasks.every((t) => !isTaskOpen(t));
    if (done && problem.status === 'open') {
      problem.status = 'closed';
      problem.closedAt = iso(nowMs);
    } else if (!done && problem.status === 'closed') {
      problem.status = 'open';
      delete problem.closedAt;
    }
  }
  const done = state.problems.every((p) => p.status === 'closed');
  if (state.status !== 'active') return;
  const followUp = state.policy.office?.followUp;
  if (!done) {
    // a problem came back (or a new one arrived) during the follow-up watch: the work goes on
    delete state.followUp;
  } else if (followUp && state.tasks.some((t) => t.status === 'accepted')) {
    // 回头看: the item stays open until the leader has checked that nothing came back
    state.followUp ??= {
      since: iso(nowMs),
      dueAt: iso(offsetAfter(nowMs, followUp.after, state.policy.timezone, calendarOf(state))),
      notified: false,
    };
  } else {
    state.status = 'completed';
    state.completedAt = iso(nowMs);
  }
}

export function appendAudit(
  state: ItemState,
  out: AuditEvent[],
  at: number,
  actor: Actor,
  action: string,
  fields: { requestId?: string; task?: TaskState; units?: string[]; details?: Record<string, unknown> } = {},
): AuditEvent {
  state.counters.auditSeq += 1;
  const event: AuditEvent = {
    itemId: state.id,
    seq: state.counters.auditSeq,
    at: iso(at),
    actor,
    action,
    requestId: fields.requestId,
    taskId: fields.task?.id,
    units: fields.units ?? (fields.task ? taskUnits(fields.task) : []),
    details: fields.details ?? {},
  };
  out.push(event);
  return event;
}

/** The concrete recipient of a role for a task; undefined when nobody holds it (no supervision level). */
export function recipientFor(role: RecipientRole, state: ItemState, task: TaskState | undefined): string | undefined {
  switch (role) {
    case 'ownerUnit':
    case 'unitLeader':
      return task?.ownerUnit;
    case 'itemLeader':
      return state.leader.id;
    case 'supervisionOffice':
      return state.supervisionLevel === 'none' ? undefined : state.supervisionLevel;
  }
}

export interface NotificationDraft {
  kind: NotificationKind;
  /** makes the key unique per occurrence, e.g. the due instant or the audit sequence */
  occurrence: string;
  task?: TaskState;
  roles: RecipientRole[];
  reason: string;
  note?: string;
  newDueAt?: string;
  level?: number;
  firedAt: number;
}

/** The units a task concerns: its owner unit and its co-owner units (双包保). */
export function taskUnits(task: Pick<TaskState, 'ownerUnit' | 'coOwners'>): string[] {
  return [task.ownerUnit, ...task.coOwners.filter((u) => u !== task.ownerUnit)];
}

export function appendNotifications(state: ItemState, out: Notification[], draft: NotificationDraft): void {
  const units = draft.task ? taskUnits(draft.task) : [];
  for (const role of draft.roles) {
    const recipient = recipientFor(role, state, draft.task);
    if (recipient === undefined) continue;
    out.push({
      key: [state.id, draft.task?.id ?? '-', draft.kind, draft.occurrence, role, recipient].join('|'),
      itemId: state.id,
      taskId: draft.task?.id,
      kind: draft.kind,
      recipientRole: role,
      recipient,
      units,
      reason: draft.reason,
      ...(draft.note !== undefined ? { note: draft.note } : {}),
      ...(draft.newDueAt !== undefined ? { newDueAt: draft.newDueAt } : {}),
      level: draft.level,
      firedAt: iso(draft.firedAt),
      dueAt: draft.task?.deadline.dueAt,
    });
  }
}

export function cloneState(state: ItemState): ItemState {
  return JSON.parse(JSON.stringify(state)) as ItemState;
}
