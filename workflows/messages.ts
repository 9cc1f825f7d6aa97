/**
 * Names stored in history: the workflow type, its updates, queries and search
 * attributes. NEVER rename one; add new ones instead.
 * Sandbox-safe: imports only @temporalio/workflow's definers and domain types.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BucketState } from '../activities/delivery/rate-limit';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CommandEnvelope, Command } from '../domain/commands';
import type { ItemChanges } from '../domain/item-changes';
import type { CommandResult } from '../domain/transitions';
import type { HolidayCalendar, ItemSnapshot, ItemState, ItemInput, Actor, AuditEvent, DispatchRecord, EscalationRecord, Notification, ReviewRecord } from '../domain/types';

export const WORKFLOW_TYPE = 'rectificationItemWorkflow';
export const DELIVERY_WORKFLOW_TYPE = 'deliveryEndpointWorkflow';
export const TASK_QUEUE_DEFAULT = 'rectification';

/** The workflow id of an item: derived from the item id, so the same id twice is refused by Temporal. */
export function itemWorkflowId(itemId: string): string {
  return `rectification-item:${itemId}`;
}

type Env<T extends Command['type']> = CommandEnvelope<Extract<Command, { type: T }>>;

/** Every update answers a CommandResult: a few hundred bytes whatever the item's size. */
export const reportProgressUpdate = defineUpdate<CommandResult, [Env<'reportProgress'>]>('reportProgress');
export const submitTaskUpdate = defineUpdate<CommandResult, [Env<'submitTask'>]>('submitTask');
export const requestExtensionUpdate = defineUpdate<CommandResult, [Env<'requestExtension'>]>('requestExtension');
export const acceptTaskUpdate = defineUpdate<CommandResult, [Env<'acceptTask'>]>('acceptTask');
export const sendBackTaskUpdate = defineUpdate<CommandResult, [Env<'sendBackTask'>]>('sendBackTask');
export const decideExtensionUpdate = defineUpdate<CommandResult, [Env<'decideExtension'>]>('decideExtension');
export const reassignTaskUpdate = defineUpdate<CommandResult, [Env<'reassignTask'>]>('reassignTask');
export const addProblemUpdate = defineUpdate<CommandResult, [Env<'addProblem'>]>('addProblem');
export const addTaskUpdate = defineUpdate<CommandResult, [Env<'addTask'>]>('addTask');
export const cancelTaskUpdate = defineUpdate<CommandResult, [Env<'cancelTask'>]>('cancelTask');
export const cancelItemUpdate = defineUpdate<CommandResult, [Env<'cancelItem'>]>('cancelItem');
export const pauseTaskUpdate = defineUpdate<CommandResult, [Env<'pauseTask'>]>('pauseTask');
export const resumeTaskUpdate = defineUpdate<CommandResult, [Env<'resumeTask'>]>('resumeTask');
export const confirmFollowUpUpdate = defineUpdate<CommandResult, [Env<'confirmFollowUp'>]>('confirmFollowUp');
export const reopenProblemUpdate = defineUpdate<CommandResult, [Env<'reopenProblem'>]>('reopenProblem');

/**
 * A newer holiday calendar for a running item (sent by the calendar broadcast).
 * A signal, not an update: the sender does not wait on each of thousands of items.
 */
export const calendarUpdatedSignal = defineSignal<[HolidayCalendar]>('calendarUpdated');

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
  pauseTask: pauseTaskUpdate,
  resumeTask: resumeTaskUpdate,
  confirmFollowUp: confirmFollowUpUpdate,
  reopenProblem: reopenProblemUpdate,
} as const;

/** The item's state as the clock and the rules see it (no text: that is on the read side). */
export const itemStateQuery = defineQuery<ItemSnapshot>('itemState');

export interface ItemVersion {
  itemId: string;
  status: ItemState['status'];
  /** the item's version now */
  version: number;
  /** the version the read side has received in full */
  savedVersion: number;
}
/** Cheap: lets a reader wait for the read side to reach a version it just wrote. */
export const itemVersionQuery = defineQuery<ItemVersion>('itemVersion');

/**
 * Input of an item started by this code (format 2: bounded saves), or of one
 * started before it (no format: replayed by workflows/legacy-item.ts, which
 * moves it to format 2 at its first wake).
 */
export type ItemWorkflowInput = CurrentItemInput | LegacyItemInput;

export type CurrentItemInput =
  | {
      kind: 'new';
      format: 2;
      item: ItemInput;
      createdBy: Actor;
      /** when the API accepted the item: creation is judged and timed as of this instant */
      acceptedAt: string;
      calendar: HolidayCalendar;
      options?: ItemWorkflowOptions;
      /** the patches this run takes without markers (workflows/patches.ts); absent in runs started before levels */
      patchLevel?: number;
    }
  | { kind: 'continued'; format: 2; state: ItemState; unsaved?: ItemChanges; options?: ItemWorkflowOptions; patchLevel?: number };

export type LegacyItemInput =
  | { kind: 'new'; format?: undefined; item: ItemInput; createdBy: Actor; calendar: HolidayCalendar; options?: ItemWorkflowOptions }
  | { kind: 'continued'; format?: undefined; state: ItemState; pending?: PendingChanges; options?: ItemWorkflowOptions };

/** Records a legacy run produced but had not persisted (the old continue-as-new carry). */
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
// the clock's figures: upserted by runs from before `stable-search-attributes`, cleared since (workflows/search-attributes.ts);
// still registered, so those runs replay and an old worker in a rolling deploy can upsert them
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

/** Input of an endpoint's delivery workflow: which unit's channel, and its rate bucket carried across runs. */
export interface DeliveryEndpointInput {
  unitCode: string;
  channelId: string;
  bucket?: BucketState;
}

/** One delivery workflow per endpoint: the same endpoint always wakes the same workflow. */
export function deliveryWorkflowId(unitCode: string, channelId: string): string {
  return `delivery-endpoint:${unitCode}/${channelId}`;
}

/** Something may be due for the endpoint: an item saved deliveries for it, or an admin resent one. */
export const wakeDeliveriesSignal = defineSignal('wakeDeliveries');

export const DELIVERY_SWEEP_WORKFLOW_TYPE = 'deliverySweepWorkflow';

/** One sweep per task queue, however many workers serve it. */
export function deliverySweepWorkflowId(taskQueue: string): string {
  return `delivery-sweep:${taskQueue}`;
}

export const LEDGER_IMPORT_WORKFLOW_TYPE = 'ledgerImportWorkflow';

/** One workflow per ledger import (a job row in ledger_imports). */
export function ledgerImportWorkflowId(importId: string): string {
  return `ledger-import:${importId}`;
}

export interface LedgerImportInput {
  importId: string;
}

/** The job has items queued (again): the import's workflow runs its activity once more after the one in hand. */
export const ledgerImportQueuedSignal = defineSignal('ledgerImportQueued');

export const CALENDAR_BROADCAST_WORKFLOW_TYPE = 'calendarBroadcastWorkflow';

/** Input of the broadcast of a calendar publication to running items. */
export interface CalendarBroadcastInput {
  version: number;
}

/**
 * One broadcast per publication: publishing the same version twice starts it once. The task
 * queue is part of it: deployments that share a namespace number their publications each on their own.
 */
export function calendarBroadcastWorkflowId(taskQueue: string, version: number): string {
  return `calendar-broadcast:${taskQueue}:v${version}`;
}
