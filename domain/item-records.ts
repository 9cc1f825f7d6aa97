/**
 * What an item produces besides its new state: the facts it records (audit,
 * notifications, escalations, dispatches, reviews) and the text that belongs to
 * its tasks and problems on the read side. Each command or clock step returns
 * one ItemRecords; the workflow gathers them until they are saved.
 */
import type {
  AuditEvent,
  DispatchRecord,
  EscalationRecord,
  Notification,
  ReviewRecord,
} from './types';

/** Text of a task that the read side keeps and the clock does not need; written when it arrives. */
export interface TaskText {
  taskId: string;
  description?: string;
  measures?: string;
  /** how the current deadline was computed */
  deadlineBasis?: string;
}

export interface ProblemText {
  problemId: string;
  description: string;
}

export interface ItemRecords {
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchRecord[];
  reviews: ReviewRecord[];
  taskTexts: TaskText[];
  problemTexts: ProblemText[];
}

export const RECORD_KINDS = [
  'auditEvents',
  'notifications',
  'escalations',
  'dispatches',
  'reviews',
  'taskTexts',
  'problemTexts',
] as const satisfies ReadonlyArray<keyof ItemRecords>;

export function emptyRecords(): ItemRecords {
  return { auditEvents: [], notifications: [], escalations: [], dispatches: [], reviews: [], taskTexts: [], problemTexts: [] };
}

export function hasRecords(r: ItemRecords): boolean {
  return RECORD_KINDS.some((kind) => r[kind].length > 0);
}

/** Appends `from` to `into` (in place) and returns `into`. */
export function appendRecords(into: ItemRecords, from: Partial<ItemRecords>): ItemRecords {
  for (const kind of RECORD_KINDS) {
    const more = from[kind];
    if (more && more.length) (into[kind] as unknown[]).push(...more);
  }
  return into;
}
