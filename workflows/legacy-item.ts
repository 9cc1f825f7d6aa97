/**
 * Items started before bounded saves (input without `format`): their histories
 * scheduled one `persistItemChanges` per change with the whole snapshot, and
 * this loop replays exactly that sequence of commands, so such histories still
 * replay. Nothing new starts here: at its first wake on this code (the
 * `bounded-saves` patch), a legacy run continues as new in format 2, carrying
 * its state and what it had not persisted, and runItem takes over.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import type { CommandEnvelope } from '../domain/commands';
import { createItemState } from '../domain/create-item';
import { SaveTracker } from '../domain/item-changes';
import type { ItemRecords } from '../domain/item-records';
import { itemSummary, snapshotOf } from '../domain/item-views';
import { upgradeLegacyState } from '../domain/legacy-state';
import { advanceClock, nextWakeAt } from '../domain/timeline';
import { applyCommand } from '../domain/transitions';
import type { ItemState, ItemSummary } from '../domain/types';
import { asFailure } from './item-run';
import { itemStateQuery, updateForCommand, type CurrentItemInput, type LegacyItemInput, type PendingChanges } from './messages';
import { PATCH_LEVEL } from './patches';
import { SearchAttributeSync } from './search-attributes';

const { persistItemChanges } = proxyActivities<ItemActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const MAX_HISTORY_BYTES = 8 * 1024 * 1024;
export const BOUNDED_SAVES_PATCH = 'bounded-saves';

function emptyPending(): PendingChanges {
  return { auditEvents: [], notifications: [], escalations: [], dispatches: [], reviews: [] };
}

function hasPending(p: PendingChanges): boolean {
  return Object.values(p).some((list) => list.length > 0);
}

export async function runLegacyItem(input: LegacyItemInput): Promise<ItemSummary> {
  let state: ItemState;
  let pending = emptyPending();
  let stateChanged = true;
  /** text records since the last flush (the legacy carry had no place for them; a flush's snapshot held them) */
  let texts: Pick<ItemRecords, 'taskTexts' | 'problemTexts'> = { taskTexts: [], problemTexts: [] };
  /** the state as last persisted, so the move to format 2 carries exactly the rows that changed since */
  let flushed: ItemState | undefined;
  if (input.kind === 'new') {
    let created: ReturnType<typeof createItemState>;
    try {
      created = createItemState(input.item, input.createdBy, Date.now(), input.calendar, { enforceLimits: false });
    } catch (err) {
      throw asFailure(err);
    }
    state = created.state;
    pending.auditEvents.push(...created.records.auditEvents);
    texts = { taskTexts: created.records.taskTexts, problemTexts: created.records.problemTexts };
  } else {
    state = upgradeLegacyState(input.state);
    pending = input.pending ?? emptyPending();
  }

  const record = (outcome: { state: ItemState; records: ItemRecords }) => {
    if (outcome.state === state) return;
    state = outcome.state;
    stateChanged = true;
    for (const key of Object.keys(pending) as Array<keyof PendingChanges>) {
      (pending[key] as unknown[]).push(...outcome.records[key]);
    }
    texts.taskTexts.push(...outcome.records.taskTexts);
    texts.problemTexts.push(...outcome.records.problemTexts);
  };

  for (const [type, update] of Object.entries(updateForCommand)) {
    setHandler(
      update,
      (envelope: CommandEnvelope) => {
        try {
          const outcome = applyCommand(state, envelope, Date.now());
          record(outcome);
          return outcome.result;
        } catch (err) {
          throw asFailure(err);
        }
      },
      {
        validator: (envelope: CommandEnvelope) => {
          if (envelope?.command?.type !== type) {
            throw ApplicationFailure.create({ type: 'VALIDATION_FAILED', message: `update ${type} carries a ${String(envelope?.command?.type)} command`, nonRetryable: true });
          }
          try {
            applyCommand(state, envelope, Date.now());
          } catch (err) {
            throw asFailure(err);
          }
        },
      },
    );
  }
  setHandler(itemStateQuery, () => snapshotOf(state));

  const searchAttributes = new SearchAttributeSync(patched);
  const flush = async () => {
    if (!stateChanged && !hasPending(pending)) return;
    const batch = pending;
    pending = emptyPending();
    texts = { taskTexts: [], problemTexts: [] };
    stateChanged = false;
    searchAttributes.sync(state, Date.now());
    const snapshot = state;
    await persistItemChanges({ asOf: new Date().toISOString(), state: snapshotOf(snapshot), ...batch });
    flushed = snapshot;
  };

  /** Format 2 from here on: the state and every record not yet persisted travel into the new run. */
  const moveToCurrentFormat = async () => {
    const tracker = flushed ? new SaveTracker(flushed, Date.now()) : new SaveTracker();
    tracker.add({ ...pending, ...texts });
    const unsaved = tracker.take(state, Date.now());
    await continueAsNew<(input: CurrentItemInput) => Promise<ItemSummary>>({
      kind: 'continued', format: 2, patchLevel: PATCH_LEVEL, state, unsaved, options: input.options,
    });
  };

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    const limit = input.options?.maxHistoryEvents;
    return info.continueAsNewSuggested || info.historySize >= MAX_HISTORY_BYTES || (limit !== undefined && info.historyLength >= limit);
  };

  while (state.status === 'active') {
    if (patched(BOUNDED_SAVES_PATCH)) {
      await condition(allHandlersFinished);
      await moveToCurrentFormat();
    }
    record(advanceClock(state, Date.now()));
    await flush();
    if (state.status !== 'active') break;
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await flush();
      if (state.status === 'active') await moveToCurrentFormat();
      break;
    }
    const wakeAt = nextWakeAt(state);
    const sleepMs = wakeAt === undefined ? undefined : Math.max(1, wakeAt - Date.now());
    if (sleepMs === undefined) await condition(() => stateChanged);
    else await condition(() => stateChanged, sleepMs);
  }

  await condition(allHandlersFinished);
  await flush();
  return itemSummary(state);
}
