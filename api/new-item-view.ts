/**
 * The answer to POST /items: the item as it starts, built from the state the
 * API computed (the workflow computes the same at the same instant) and the
 * text of the request, so creating an item needs no wait for its first task.
 */
import type { ItemView, TaskView } from '../db/repositories/item-view';
import { headerOf } from '../domain/item-changes';
import type { ItemRecords } from '../domain/item-records';
import { taskLight } from '../domain/lights';
import type { ItemState } from '../domain/types';

export function newItemView(state: ItemState, records: ItemRecords, nowMs: number, unitNames: Map<string, string>): ItemView {
  const name = (code: string) => unitNames.get(code) ?? code;
  const taskText = new Map(records.taskTexts.map((t) => [t.taskId, t]));
  const problemText = new Map(records.problemTexts.map((p) => [p.problemId, p.description]));
  const tasks = state.tasks.map((task): TaskView => {
    const text = taskText.get(task.id);
    const view: TaskView = {
      ...task,
      ownerUnitName: name(task.ownerUnit),
      coOwnerNames: task.coOwners.map(name),
      description: text?.description ?? '',
      deadline: { ...task.deadline, basis: text?.deadlineBasis ?? '' },
      light: taskLight(task, state, nowMs),
    };
    if (text?.measures !== undefined) view.measures = text.measures;
    return view;
  });
  return {
    ...headerOf(state, nowMs),
    problems: state.problems.map((p) => ({ ...p, description: problemText.get(p.id) ?? '' })),
    tasks,
    version: state.counters.auditSeq,
    asOf: new Date(nowMs).toISOString(),
  };
}
