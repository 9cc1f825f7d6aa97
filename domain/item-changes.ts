/**
 * What an item hands to its read side: the rows that changed since the last
 * save and the records produced since then, in batches of bounded size. This
 * is the one declaration of that payload: the workflow builds it, the save
 * activity passes it on, db/ writes it.
 */
import { itemFigures, type ItemFigures } from './item-figures';
import { itemSummary } from './item-views';
import { appendRecords, emptyRecords, hasRecords, type ItemRecords } from './item-records';
import { taskLight } from './lights';
import { jsonBytes } from './text';
import type {
  AuditEvent,
  DispatchRecord,
  DispatchTaskLine,
  EscalationRecord,
  ItemSnapshot,
  ItemSummary,
  ItemState,
  Light,
  Notification,
  ProblemState,
  ReviewRecord,
  TaskState,
} from './types';

/** The item's own row: everything but its problems and tasks, with its figures as of the save. */
export interface ItemHeader extends Omit<ItemSnapshot, 'problems' | 'tasks'> {
  /** how the item went, once it has ended */
  outcome?: ItemSummary;
  figures: ItemFigures;
}

export interface TaskRow extends TaskState {
  light: Light;
  description?: string;
  measures?: string;
  deadlineBasis?: string;
}

export interface ProblemRow extends ProblemState {
  description?: string;
}

export type DispatchHeader = Omit<DispatchRecord, 'lines'>;
export interface DispatchLineRow extends DispatchTaskLine {
  itemId: string;
  seq: number;
}

/** One save: one activity input, one transaction. */
export interface ItemChanges {
  itemId: string;
  /** the item's version (audit sequence) when the changes were taken */
  version: number;
  /** workflow time of the changes: lights and figures are computed against it, never the wall clock */
  asOf: string;
  /** present in the last batch of a save only, so the item's version moves once everything before it landed */
  header?: ItemHeader;
  problems: ProblemRow[];
  tasks: TaskRow[];
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchHeader[];
  dispatchLines: DispatchLineRow[];
  reviews: ReviewRecord[];
}

type Piece =
  | { kind: 'problems'; row: ProblemRow }
  | { kind: 'tasks'; row: TaskRow }
  | { kind: 'auditEvents'; row: AuditEvent }
  | { kind: 'notifications'; row: Notification }
  | { kind: 'escalations'; row: EscalationRecord }
  | { kind: 'dispatches'; row: DispatchHeader }
  | { kind: 'dispatchLines'; row: DispatchLineRow }
  | { kind: 'reviews'; row: ReviewRecord };

function emptyChanges(itemId: string, version: number, asOf: string): ItemChanges {
  return {
    itemId, version, asOf, problems: [], tasks: [], auditEvents: [], notifications: [], escalations: [],
    dispatches: [], dispatchLines: [], reviews: [],
  };
}

function* piecesOf(c: ItemChanges): Generator<Piece> {
  for (const row of c.problems) yield { kind: 'problems', row };
  for (const row of c.tasks) yield { kind: 'tasks', row };
  for (const row of c.auditEvents) yield { kind: 'auditEvents', row };
  for (const row of c.notifications) yield { kind: 'notifications', row };
  for (const row of c.escalations) yield { kind: 'escalations', row };
  for (const row of c.dispatches) yield { kind: 'dispatches', row };
  for (const row of c.dispatchLines) yield { kind: 'dispatchLines', row };
  for (const row of c.reviews) yield { kind: 'reviews', row };
}

/**
 * Splits one save into batches of at most `maxBytes` of JSON each (every
 * single row is far smaller: the item's limits bound them), header in the last.
 */
export function splitIntoBatches(changes: ItemChanges, maxBytes: number): ItemChanges[] {
  const headerBytes = changes.header ? jsonBytes(changes.header) : 0;
  const budget = maxBytes - headerBytes - 512; // the envelope: ids, version, empty lists
  const batches: ItemChanges[] = [];
  let current = emptyChanges(changes.itemId, changes.version, changes.asOf);
  let used = 0;
  for (const piece of piecesOf(changes)) {
    const bytes = jsonBytes(piece.row) + 1;
    if (used > 0 && used + bytes > budget) {
      batches.push(current);
      current = emptyChanges(changes.itemId, changes.version, changes.asOf);
      used = 0;
    }
    (current[piece.kind] as unknown[]).push(piece.row);
    used += bytes;
  }
  if (changes.header) current.header = changes.header;
  batches.push(current);
  return batches;
}

export function changesSize(changes: ItemChanges): number {
  return jsonBytes(changes);
}

/** How a row looks to the read side, to tell whether it changed since the last save. */
function taskRowOf(task: TaskState, state: ItemState, nowMs: number): TaskRow {
  return { ...task, light: taskLight(task, state, nowMs) };
}

export function headerOf(state: ItemState, nowMs: number): ItemHeader {
  const { calendar: _c, appliedRequests: _a, problems: _p, tasks: _t, ...header } = state;
  return { ...header, figures: itemFigures(state, nowMs), ...(state.status === 'active' ? {} : { outcome: itemSummary(state) }) };
}

/** Flattens records into the rows of a save; text records are folded into their task and problem rows. */
function addRecords(changes: ItemChanges, records: ItemRecords, rows: { tasks: Map<string, TaskRow>; problems: Map<string, ProblemRow> }): void {
  changes.auditEvents.push(...records.auditEvents);
  changes.notifications.push(...records.notifications);
  changes.escalations.push(...records.escalations);
  changes.reviews.push(...records.reviews);
  for (const { lines, ...header } of records.dispatches) {
    changes.dispatches.push(header);
    changes.dispatchLines.push(...lines.map((line) => ({ ...line, itemId: header.itemId, seq: header.seq })));
  }
  for (const text of records.taskTexts) {
    const row = rows.tasks.get(text.taskId);
    if (row) Object.assign(row, stripTaskId(text));
  }
  for (const text of records.problemTexts) {
    const row = rows.problems.get(text.problemId);
    if (row) row.description = text.description;
  }
}

function stripTaskId({ taskId: _id, ...text }: ItemRecords['taskTexts'][number]): Partial<TaskRow> {
  return text;
}

/**
 * Keeps what an item has not saved yet: the records produced since the last
 * save, and which rows differ from what the read side last received. The
 * workflow adds records as they come and takes a save when it can.
 */
export class SaveTracker {
  private savedTasks = new Map<string, string>();
  private headerImage = '';
  private savedProblems = new Map<string, string>();
  private records: ItemRecords = emptyRecords();
  private recordBytes = 0;
  /** a save taken before continue-as-new and carried into this run */
  private carried: ItemChanges | undefined;

  /** `state` as the read side already has it (a continued run), or nothing saved yet (a new item). */
  constructor(state?: ItemState, nowMs?: number, carried?: ItemChanges) {
    if (state && nowMs !== undefined) this.markSaved(state, nowMs);
    this.carried = carried;
    if (carried) this.recordBytes += changesSize(carried);
  }

  add(records: ItemRecords): void {
    if (!hasRecords(records)) return;
    appendRecords(this.records, records);
    this.recordBytes += jsonBytes(records);
  }

  /** Bytes of records waiting to be saved. */
  get unsavedBytes(): number {
    return this.recordBytes;
  }

  /** Everything unsaved as one save (rows that changed, all records), or undefined when there is nothing. */
  take(state: ItemState, nowMs: number): ItemChanges | undefined {
    const asOf = new Date(nowMs).toISOString();
    const changes = emptyChanges(state.id, state.counters.auditSeq, asOf);
    const taskRows = new Map<string, TaskRow>();
    const problemRows = new Map<string, ProblemRow>();
    const textTasks = new Set(this.records.taskTexts.map((t) => t.taskId));
    const textProblems = new Set(this.records.problemTexts.map((p) => p.problemId));
    for (const task of state.tasks) {
      const row = taskRowOf(task, state, nowMs);
      const image = JSON.stringify(row);
      if (this.savedTasks.get(task.id) !== image || textTasks.has(task.id)) {
        taskRows.set(task.id, row);
        this.savedTasks.set(task.id, image);
      }
    }
    for (const problem of state.problems) {
      const image = JSON.stringify(problem);
      if (this.savedProblems.get(problem.id) !== image || textProblems.has(problem.id)) {
        problemRows.set(problem.id, { ...problem });
        this.savedProblems.set(problem.id, image);
      }
    }
    const carried = this.carried;
    const records = this.records;
    const header = headerOf(state, nowMs);
    const headerImage = JSON.stringify(header);
    const nothingNew = taskRows.size === 0 && problemRows.size === 0 && !hasRecords(records) && !carried;
    if (nothingNew && headerImage === this.headerImage) return undefined;
    this.headerImage = headerImage;
    changes.tasks = [...taskRows.values()];
    changes.problems = [...problemRows.values()];
    addRecords(changes, records, { tasks: taskRows, problems: problemRows });
    changes.header = header;
    this.records = emptyRecords();
    this.recordBytes = 0;
    this.carried = undefined;
    return carried ? mergeChanges(carried, changes) : changes;
  }

  private markSaved(state: ItemState, nowMs: number): void {
    for (const task of state.tasks) this.savedTasks.set(task.id, JSON.stringify(taskRowOf(task, state, nowMs)));
    for (const problem of state.problems) this.savedProblems.set(problem.id, JSON.stringify(problem));
    this.headerImage = JSON.stringify(headerOf(state, nowMs));
  }
}

function taskTextOf(row: TaskRow | undefined): Partial<TaskRow> {
  if (!row) return {};
  const text: Partial<TaskRow> = {};
  if (row.description !== undefined) text.description = row.description;
  if (row.measures !== undefined) text.measures = row.measures;
  if (row.deadlineBasis !== undefined) text.deadlineBasis = row.deadlineBasis;
  return text;
}

/** A carried save followed by a new one: rows of the later win, records of both are kept in order. */
function mergeChanges(earlier: ItemChanges, later: ItemChanges): ItemChanges {
  // the later row is the truth; only text the later one does not repeat is kept from the earlier
  const tasks = new Map(earlier.tasks.map((t) => [t.id, t]));
  for (const t of later.tasks) tasks.set(t.id, { ...t, ...taskTextOf(tasks.get(t.id)), ...taskTextOf(t) });
  const problems = new Map(earlier.problems.map((p) => [p.id, p]));
  for (const p of later.problems) {
    const description = p.description ?? problems.get(p.id)?.description;
    problems.set(p.id, description === undefined ? p : { ...p, description });
  }
  return {
    ...later,
    tasks: [...tasks.values()],
    problems: [...problems.values()],
    auditEvents: [...earlier.auditEvents, ...later.auditEvents],
    notifications: [...earlier.notifications, ...later.notifications],
    escalations: [...earlier.escalations, ...later.escalations],
    dispatches: [...earlier.dispatches, ...later.dispatches],
    dispatchLines: [...earlier.dispatchLines, ...later.dispatchLines],
    reviews: [...earlier.reviews, ...later.reviews],
  };
}

/** What a save answers: the real time it ended (the worker's clock), for timing what comes after it. */
export interface SaveReceipt {
  savedAtMs: number;
}
