/**
 * The save payload of items started before bounded saves (`persistItemChanges`:
 * a whole snapshot plus records), turned into today's save. Only legacy runs
 * schedule it, and only until their first wake on the current code.
 */
import { headerOf, type ItemChanges, type TaskRow } from '../domain/item-changes';
import { taskUnits } from '../domain/item-helpers';
import { upgradeLegacyState } from '../domain/legacy-state';
import { taskLight } from '../domain/lights';
import type {
  AuditEvent,
  DispatchRecord,
  EscalationRecord,
  ItemSnapshot,
  ItemState,
  Notification,
  ReviewRecord,
  TaskState,
} from '../domain/types';

export interface LegacyItemChanges {
  asOf: string;
  state: ItemSnapshot;
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchRecord[];
  reviews: ReviewRecord[];
}

/** Fields a legacy snapshot's task may still hold (text lived in the state then). */
type LegacyTask = TaskState & { description?: string; measures?: string; deadline: TaskState['deadline'] & { basis?: string } };

export function fromLegacyChanges(legacy: LegacyItemChanges): ItemChanges {
  const { asOf } = legacy;
  const nowMs = Date.parse(asOf);
  const original = new Map((legacy.state.tasks as LegacyTask[]).map((t) => [t.id, t]));
  const originalProblems = new Map(legacy.state.problems.map((p) => [p.id, p as { description?: string }]));
  const state = upgradeLegacyState({ ...legacy.state, appliedRequests: [] } as unknown as ItemState);
  const unitsOf = new Map(state.tasks.map((t) => [t.id, taskUnits({ ownerUnit: t.ownerUnit, coOwners: t.coOwners ?? [] })]));
  const units = (taskId: string | undefined) => (taskId ? (unitsOf.get(taskId) ?? []) : []);
  const version = state.counters.auditSeq;
  const tasks: TaskRow[] = state.tasks.map((t) => {
    const row: TaskRow = { ...t, light: taskLight(t, state, nowMs) };
    const text = original.get(t.id);
    if (text?.description !== undefined) row.description = text.description;
    if (text?.measures !== undefined) row.measures = text.measures;
    if (text?.deadline.basis !== undefined) row.deadlineBasis = text.deadline.basis;
    return row;
  });
  return {
    itemId: state.id,
    version,
    asOf,
    header: headerOf(state, nowMs),
    problems: state.problems.map((p) => {
      const description = originalProblems.get(p.id)?.description;
      return description === undefined ? p : { ...p, description };
    }),
    tasks,
    auditEvents: legacy.auditEvents.map((e) => ({ ...e, units: e.units ?? units(e.taskId) })),
    notifications: legacy.notifications.map((n) => ({ ...n, units: n.units ?? units(n.taskId) })),
    escalations: legacy.escalations.map((e) => ({ ...e, units: e.units ?? units(e.taskId) })),
    dispatches: legacy.dispatches.map(({ lines: _lines, ...header }) => header),
    dispatchLines: legacy.dispatches.flatMap((d) =>
      d.lines.map((l) => ({ ...l, coOwners: l.coOwners ?? [], itemId: d.itemId, seq: d.seq }))),
    reviews: legacy.reviews,
  };
}
