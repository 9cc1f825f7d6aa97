/**
 * Items started before bounded state kept text in their tasks (description,
 * measures, reports, evidence, the list of extension requests) and request ids
 * as plain strings. A legacy run that continues as new carries such a state;
 * this turns it into today's shape. The text is already on the read side:
 * those runs saved whole snapshots.
 */
import type { AppliedRequest, ItemState, PendingExtension, ProblemState, TaskState } from './types';

interface LegacyExtension {
  status: 'pending' | 'approved' | 'denied';
  requestedAt: string;
  requestedBy: string;
  newDeadline: PendingExtension['newDeadline'];
}

type LegacyTask = TaskState & {
  description?: string;
  measures?: string;
  lastReport?: unknown;
  submission?: { at: string };
  extensions?: LegacyExtension[];
  acceptedBy?: string;
  cancelReason?: string;
  deadline: TaskState['deadline'] & { basis?: string };
};

export function upgradeLegacyState(old: ItemState): ItemState {
  const tasks = old.tasks.map((t) => upgradeTask(t as LegacyTask));
  const problems = old.problems.map(({ id, severity, status, closedAt }): ProblemState =>
    closedAt === undefined ? { id, severity, status } : { id, severity, status, closedAt });
  const applied = (old.appliedRequests as Array<AppliedRequest | string>).map((r) =>
    typeof r === 'string' ? { id: r, fingerprint: '' } : r);
  const { cancelReason: _reason, ...rest } = old as ItemState & { cancelReason?: string };
  return { ...rest, problems, tasks, appliedRequests: applied };
}

function upgradeTask(t: LegacyTask): TaskState {
  if (t.extensions === undefined) return t; // already today's shape
  const {
    description: _d, measures: _m, lastReport: _r, submission, extensions, acceptedBy: _a, cancelReason: _c, deadline, ...rest
  } = t;
  const pending = extensions.find((e) => e.status === 'pending');
  const task: TaskState = {
    ...rest,
    deadline: { dueAt: deadline.dueAt, spec: deadline.spec, resolvedAt: deadline.resolvedAt },
    extensionsApproved: extensions.filter((e) => e.status === 'approved').length,
    extensionsDenied: extensions.filter((e) => e.status === 'denied').length,
    maxEscalationLevel: t.maxEscalationLevel ?? t.escalationLevel,
  };
  if (submission) task.submittedAt = submission.at;
  if (pending) {
    task.pendingExtension = {
      requestedAt: pending.requestedAt, newDeadline: pending.newDeadline,
      // a fixed instant is known; a working-day count is resolved only when decided
      proposedDueAt: pending.newDeadline.kind === 'instant' ? new Date(pending.newDeadline.at).toISOString() : deadline.dueAt,
    };
  }
  return task;
}
