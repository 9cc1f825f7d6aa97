/**
 * The weekly dispatch (调度) and monthly review (研判) records, built from an
 * item's state at one instant. Pure: the workflow passes its own clock in.
 */
import { calendarOf, isTaskOpen, isTaskOverdue, taskLight } from './lights';
import { workingDaysBetween } from './office-time';
import { previousMonthlyAt, reviewPeriod } from './schedule';
import type {
  DispatchRecord,
  DispatchTaskLine,
  ItemState,
  ReviewFigures,
  ReviewRecord,
  RiskRating,
} from './types';

/** The length of a dispatch period: the weekly round. */
const DISPATCH_PERIOD_MS = 7 * 24 * 3600 * 1000;

/**
 * One line per open task. A task is stale when it existed for the whole period
 * since the previous dispatch (a week, at the first one) and nothing was
 * reported in it. A task assigned during the period is not chased yet: its
 * owner has not had a full week.
 */
export function buildDispatchLines(
  state: ItemState,
  nowMs: number,
  lastDispatchAtMs: number | undefined,
): DispatchTaskLine[] {
  const periodStart = lastDispatchAtMs ?? nowMs - DISPATCH_PERIOD_MS;
  // office rules: a week of holidays is no week without progress
  const office = state.policy.office;
  const workedPeriod = !office || workingDaysBetween(periodStart, nowMs, state.policy.timezone, calendarOf(state)) >= office.staleMinWorkingDays;
  return state.tasks.filter(isTaskOpen).map((task) => {
    const heardFrom = task.lastProgressAt !== undefined && Date.parse(task.lastProgressAt) > periodStart;
    // a submitted task waits on the leader, not the owner, and a paused one waits on neither: nothing to chase
    const stale = workedPeriod && task.status !== 'submitted' && task.pausedAt === undefined
      && Date.parse(task.assignedAt) <= periodStart && !heardFrom;
    const line: DispatchTaskLine = {
      taskId: task.id,
      ownerUnit: task.ownerUnit,
      coOwners: task.coOwners,
      ownerPerson: task.ownerPerson,
      status: task.status,
      percent: task.percent,
      dueAt: task.deadline.dueAt,
      msToDeadline: Date.parse(task.deadline.dueAt) - nowMs,
      light: taskLight({ ...task, stale }, state, nowMs),
      stale,
    };
    // optional fields are left out rather than set to undefined, for clean JSON
    if (task.lastProgressAt !== undefined) line.lastProgressAt = task.lastProgressAt;
    return line;
  });
}

/** A whole dispatch record; `seq` is the dispatch's number within the item. */
export function buildDispatchRecord(
  state: ItemState,
  seq: number,
  nowMs: number,
  lastDispatchAtMs: number | undefined,
): DispatchRecord {
  const lines = buildDispatchLines(state, nowMs, lastDispatchAtMs);
  return {
    itemId: state.id,
    seq,
    at: new Date(nowMs).toISOString(),
    openTasks: lines.length,
    staleTasks: lines.filter((l) => l.stale).length,
    // overdue as the lines show it: work handed in on time and a paused clock are not
    overdueTasks: lines.filter((l) => l.light === 'red').length,
    lines,
  };
}

export function reviewFigures(state: ItemState, nowMs: number): ReviewFigures {
  const totalTasks = state.tasks.length;
  const acceptedTasks = state.tasks.filter((t) => t.status === 'accepted').length;
  const cancelledTasks = state.tasks.filter((t) => t.status === 'cancelled').length;
  const live = totalTasks - cancelledTasks;
  const figures: Omit<ReviewFigures, 'risk'> = {
    totalTasks,
    acceptedTasks,
    cancelledTasks,
    // nothing left to do counts as done, so an empty item does not read as failing
    completionRate: live === 0 ? 1 : acceptedTasks / live,
    openProblems: state.problems.filter((p) => p.status === 'open').length,
    overdueCount: state.tasks.filter((t) => isTaskOverdue(t, state, nowMs)).length,
    escalationsThisPeriod: state.counters.escalationsSinceReview,
    reworksThisPeriod: state.counters.reworksSinceReview,
  };
  return { ...figures, risk: riskRating(figures) };
}

/** Share of open tasks overdue from which overdue work alone makes the risk high. */
export const HIGH_RISK_OVERDUE_SHARE = 0.3;

/**
 * high:   something is overdue AND (it has already escalated this period, or at
 *         least 30% of the open tasks are overdue): slipping is systemic or noticed;
 * medium: anything overdue, or any escalation or rework this period;
 * low:    otherwise.
 */
export function riskRating(f: Omit<ReviewFigures, 'risk'>): RiskRating {
  const openTasks = f.totalTasks - f.acceptedTasks - f.cancelledTasks;
  const overdueShare = openTasks > 0 ? f.overdueCount / openTasks : 0;
  if (f.overdueCount > 0 && (f.escalationsThisPeriod > 0 || overdueShare >= HIGH_RISK_OVERDUE_SHARE)) return 'high';
  if (f.overdueCount > 0 || f.escalationsThisPeriod > 0 || f.reworksThisPeriod > 0) return 'medium';
  return 'low';
}

/** Change in completion rate, in percentage points to one decimal; undefined at the first review. */
export function completionRateChange(cur: ReviewFigures, prev?: ReviewFigures): number | undefined {
  if (prev === undefined) return undefined;
  const points = (cur.completionRate - prev.completionRate) * 100;
  // round half away from zero so +x and −x round alike; `|| 0` turns −0 into 0
  return (Math.sign(points) * Math.round(Math.abs(points) * 10)) / 10 || 0;
}

/** A whole review record: the period is the month before nowMs in the item's time zone. */
export function buildReviewRecord(
  state: ItemState,
  seq: number,
  nowMs: number,
  previous?: ReviewFigures,
): ReviewRecord {
  const figures = reviewFigures(state, nowMs);
  const record: ReviewRecord = {
    itemId: state.id,
    seq,
    at: new Date(nowMs).toISOString(),
    // a review moved off a holiday still reviews the month of its regular slot
    period: reviewPeriod(state.policy.office ? previousMonthlyAt(nowMs, state.policy.monthlyReview, state.policy.timezone) : nowMs, state.policy.timezone),
    figures,
  };
  if (previous !== undefined) {
    record.previous = previous;
    record.completionRateChange = completionRateChange(figures, previous);
  }
  return record;
}
