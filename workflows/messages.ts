/**
 * Names stored in history: the workflow type, its updates, queries and search
 * attributes. NEVER rename one; add new ones instead.
 * Sandbox-safe: imports only @temporalio/workflow's definers and domain types.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CommandEnvelope, Command } from '../domain/commands';
import type { FourLists } from '../domain/item-views';
import type { HolidayCalendar, ItemSnapshot, ItemState, ItemInput, Actor, AuditEvent, DispatchRecord, EscalationRecord, Notification, ReviewRecord } from '../domain/types';

export type { FourLists };

export const WORKFLOW_TYPE = 'rectificationItemWorkflow';
export const TASK_QUEUE_DEFAULT = 'rectification';

/** The workflow id of an item: derived from the item id, so the same id twice is refused by Temporal. */
export function itemWorkflowId(itemId: string): string {
  return `rectification-item:${itemId}`;
}

type Env<T extends Command['type']> = CommandEnvelope<Extract<Command, { type: T }>>;

export const reportProgressUpdate = defineUpdate<ItemSnapshot, [Env<'reportProgress'>]>('reportProgress');
export const submitTaskUpdate = defineUpdate<ItemSnapshot, [Env<'submitTask'>]>('submitTask');
export const requestExtensionUpdate = defineUpdate<ItemSnapshot, [Env<'requestExtension'>]>('requestExtension');
export const acceptTaskUpdate = defineUpdate<ItemSnapshot, [Env<'acceptTask'>]>('acceptTask');
export const sendBackTaskUpdate = defineUpdate<ItemSnapshot, [Env<'sendBackTask'>]>('sendBackTask');
export const decideExtensionUpdate = defineUpdate<ItemSnapshot, [Env<'decideExtension'>]>('decideExtension');
export const reassignTaskUpdate = defineUpdate<ItemSnapshot, [Env<'reassignTask'>]>('reassignTask');
export const addProblemUpdate = defineUpdate<ItemSnapshot, [Env<'addProblem'>]>('addProblem');
export const addTaskUpdate = defineUpdate<ItemSnapshot, [Env<'addTask'>]>('addTask');
export const cancelTaskUpdate = defineUpdate<ItemSnapshot, [Env<'cancelTask'>]>('cancelTask');
export const cancelItemUpdate = defineUpdate<ItemSnapshot, [Env<'cancelItem'>]>('cancelItem');

/** Update definitions by command type, so callers can route any command generically. */
export const updateForCommand = {
  reportProgress: reportProgressUpdate,
  submitTask: submitTaskUpdate,
  requestExtension: requestExtensionUpdate,
  acceptTask: acceptTaskUpdate,
  sendBackTask: sendBackTaskUpdate,
  decideExtension: decideExtensionUpdate,
  reassignTask: reassignTaskUpdate,
  addProblem: addProblemUpdate,
  addTask: addTaskUpdate,
  cancelTask: cancelTaskUpdate,
  cancelItem: cancelItemUpdate,
} as const;

export const itemStateQuery = defineQuery<ItemState>('itemState');
export const fourListsQuery = defineQuery<FourLists>('fourLists');

/** Input of a fresh item, or the carried state of a continued one. */
export type ItemWorkflowInput =
  | { kind: 'new'; item: ItemInput; createdBy: Actor; calendar: HolidayCalendar; options?: ItemWorkflowOptions }
  | { kind: 'continued'; state: ItemState; pending?: PendingChanges; options?: ItemWorkflowOptions };

/** Records produced but not yet persisted; carried across continue-as-new so none is lost. */
export interface PendingChanges {
  auditEvents: AuditEvent[];
  notifications: Notification[];
  escalations: EscalationRecord[];
  dispatches: DispatchRecord[];
  reviews: ReviewRecord[];
}

export interface ItemWorkflowOptions {
  /** continue-as-new once history exceeds this many events (tests lower it); default: server suggestion only */
  maxHistoryEvents?: number;
}

/** Typed search attributes; register them on the server (see scripts/dev-server.ts). */
export const SA_STATUS = defineSearchAttributeKey('RectStatus', SearchAttributeType.KEYWORD);
export const SA_OWNER_UNITS = defineSearchAttributeKey('RectOwnerUnits', SearchAttributeType.KEYWORD_LIST);
export const SA_NEXT_DEADLINE = defineSearchAttributeKey('RectNextDeadline', SearchAttributeType.DATETIME);
export const SA_OVERDUE_COUNT = defineSearchAttributeKey('RectOverdueCount', SearchAttributeType.INT);
export const SA_ESCALATION_LEVEL = defineSearchAttributeKey('RectEscalationLevel', SearchAttributeType.INT);
export const SA_PLAN_ID = defineSearchAttributeKey('RectPlanId', SearchAttributeType.KEYWORD);
export const SA_SUPERVISION_LEVEL = defineSearchAttributeKey('RectSupervisionLevel', SearchAttributeType.KEYWORD);

/** `name=Type` pairs for `temporal server start-dev --search-attribute` and operator registration. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: ReadonlyArray<readonly [string, string]> = [
  ['RectStatus', 'Keyword'],
  ['RectOwnerUnits', 'KeywordList'],
  ['RectNextDeadline', 'Datetime'],
  ['RectOverdueCount', 'Int'],
  ['RectEscalationLevel', 'Int'],
  ['RectPlanId', 'Keyword'],
  ['RectSupervisionLevel', 'Keyword'],
];
