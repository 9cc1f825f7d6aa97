/**
 * Neutral shapes of the Excel ledger (整改台账) layer. They deliberately do not
 * import the domain or the database: the item/unit model is being reworked,
 * and whoever wires the ledger to routes, tables and jobs maps these shapes
 * onto whatever the model is then. Every instant is an ISO-8601 string with
 * its offset; every date a 'YYYY-MM-DD' string.
 */

export type LedgerSeverity = 'low' | 'medium' | 'high' | 'critical';
export type LedgerSupervisionLevel = 'province' | 'city' | 'county' | 'none';
export type LedgerTaskStatus = 'assigned' | 'inProgress' | 'submitted' | 'accepted' | 'cancelled';
export type LedgerLight = 'green' | 'yellow' | 'red' | 'none';
export type LedgerRisk = 'low' | 'medium' | 'high';

/** A deadline as the leader wrote it: a day (resolved to 23:59:59 local) or N working days from assignment. */
export type LedgerDeadline = { kind: 'instant'; at: string } | { kind: 'workingDays'; days: number };

/** A responsible unit as the unit directory knows it. */
export interface UnitRef {
  code: string;
  name: string;
}

/** Looks a unit up by what the sheet says (a code or a name); undefined when unknown. */
export type ResolveUnit = (text: string) => UnitRef | undefined;

// ---------------------------------------------------------------- import

export interface ImportedProblem {
  id: string;
  description: string;
  severity: LedgerSeverity;
}

export interface ImportedTask {
  id: string;
  /** the problem of the task's row (a row names one problem) */
  problemIds: string[];
  description: string;
  /** 整改措施: how the task will be done; the four lists require it */
  measures: string;
  ownerUnit: UnitRef;
  ownerPerson: string;
  coOwners: UnitRef[];
  deadline: LedgerDeadline;
}

export interface ImportedItem {
  /** 事项编号: the grouping key of the sheet, the item id once started */
  key: string;
  title: string;
  /**
   * 问题类别. Written on problem rows, but the engine files an item under one
   * category, so it is an item-level value: the rows of one item agree on it.
   */
  category?: string;
  supervisionLevel: LedgerSupervisionLevel;
  /** 牵头领导 as written: the sheet has a name, not a person id */
  leaderName: string;
  problems: ImportedProblem[];
  tasks: ImportedTask[];
}

export interface ImportedPlan {
  /** items in the order of their first row */
  items: ImportedItem[];
}

/** One thing wrong with the sheet: 1-based sheet row, the Chinese header of the column, a Chinese message. */
export interface ImportError {
  row: number;
  column: string;
  message: string;
}

/**
 * Where each item, problem and task of an imported plan was written (1-based
 * sheet rows: the first row of an item or problem, the row of a task), so a
 * rule checked after the sheet (by whoever creates the items) can still point
 * at a row. Kept beside the plan, not in it: moving rows changes no content.
 */
export interface ImportedRows {
  items: Map<string, { row: number; problems: Map<string, number>; tasks: Map<string, number> }>;
}

export type ImportResult =
  | { ok: true; plan: ImportedPlan; rows: ImportedRows }
  | {
      ok: false;
      errors: ImportError[];
      /**
       * The items none of whose rows has a mistake, when the sheet could be
       * read at all: a caller with rules of its own can check them too and
       * answer every mistake at once.
       */
      clean?: { plan: ImportedPlan; rows: ImportedRows };
    };

/** Text limits of the import; any field left out takes the default of DEFAULT_LIMITS. */
export interface LedgerLimits {
  /** 事项编号, 问题编号, 整改任务编号 */
  id: number;
  /** 事项名称 */
  title: number;
  /** 问题描述, 整改任务 */
  description: number;
  /** 整改措施 */
  measures: number;
  /** 问题类别, 责任人, 牵头领导, one unit's text */
  shortText: number;
  /** co-owner units of one task */
  coOwners: number;
  /** working days of one deadline */
  workingDays: number;
}

export const DEFAULT_LIMITS: LedgerLimits = {
  id: 100,
  title: 200,
  description: 2000,
  measures: 2000,
  shortText: 200,
  coOwners: 20,
  workingDays: 3650,
};

// ---------------------------------------------------------------- exports

/** One task line of the plan ledger (四项清单). */
export interface LedgerTaskRow {
  itemKey: string;
  itemTitle: string;
  problemId: string;
  problemDescription: string;
  taskId: string;
  taskDescription: string;
  measures?: string;
  /** display name of the owner unit */
  ownerUnit: string;
  ownerPerson: string;
  coOwners: string[];
  status: LedgerTaskStatus;
  light: LedgerLight;
  lastProgressText?: string;
  lastProgressAt?: string;
  dueAt: string;
  originalDueAt: string;
  /** highest escalation level reached (0 = none) */
  escalationLevel: number;
  extensionCount: number;
  reworkCount: number;
}

/** One open task of a weekly dispatch (调度通报). */
export interface DispatchNoticeLine {
  itemKey: string;
  itemTitle: string;
  taskId: string;
  taskDescription: string;
  ownerUnit: string;
  ownerPerson: string;
  status: LedgerTaskStatus;
  /** 0..100 */
  percent: number;
  lastProgressText?: string;
  lastProgressAt?: string;
  dueAt: string;
  light: LedgerLight;
  /** no progress since the previous dispatch */
  stale: boolean;
  overdue: boolean;
  /** when the dispatch was taken: days to the deadline count from it (the notice's time when absent) */
  asOf?: string;
}

/** One item of a monthly review (研判报告). */
export interface ReviewReportLine {
  itemKey: string;
  itemTitle: string;
  totalTasks: number;
  acceptedTasks: number;
  /** 0..1 */
  completionRate: number;
  /** percentage points since the previous month; absent for the first review */
  completionRateChange?: number;
  overdueCount: number;
  escalations: number;
  reworks: number;
  risk: LedgerRisk;
}

/** One unit of a ranking notice (排名通报). */
export interface RankingLine {
  rank: number;
  unit: string;
  totalTasks: number;
  acceptedTasks: number;
  /** 0..1 */
  completionRate: number;
  overdueCount: number;
  escalations: number;
  reworks: number;
}

/** Rows may come from memory or from a database cursor: exports consume them once, in order. */
export type RowSource<T> = Iterable<T> | AsyncIterable<T>;
