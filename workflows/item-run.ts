/**
 * An item's run (format 2): the state, the commands that change it, the clock
 * that moves it, and the saver that hands it to the read side. Every payload
 * it produces has a budget (domain/limits.ts): update results are small, saves
 * are batched, search attributes are bounded, and the continue-as-new input is
 * the state plus at most `unsavedCarryBytes` of unsaved changes.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommandEnvelope } from '../domain/commands';
import { applyCalendarUpdate } from '../domain/calendar-update';
import { createItemState } from '../domain/create-item';
import { DomainError } from '../domain/errors';
import { SaveTracker } from '../domain/item-changes';
import { itemSummary, snapshotOf } from '../domain/item-views';
import { LIMITS } from '../domain/limits';
import { jsonBytes } from '../domain/text';
import { advanceClock, nextWakeAt } from '../domain/timeline';
import { applyCommand } from '../domain/transitions';
import type { ItemState, ItemSummary } from '../domain/types';
import { saveBatch } from './item-save';
import { ItemSaver } from './item-saver';
import { calendarUpdatedSignal, itemStateQuery, itemVersionQuery, updateForCommand, type CurrentItemInput } from './messages';
import {
  CONTINUE_UNDER_LOAD, DUE_DURING_SAVE, FINAL_SEARCH_ATTRIBUTES, PATCH_LEVEL, patchGate, TIMERS_AFTER_SAVE, TIMERS_FROM_SAVE_END,
} from './patches';
import { SearchAttributeSync } from './search-attributes';
import { CLOCK_MAX_LEAD_MS, latestReading, timerMs } from './timer-timing';

/** Domain refusals leave the sandbox as ApplicationFailures whose `type` is the domain code. */
export function asFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details ?? {}], nonRetryable: true });
  }
  return err;
}

function busy(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'BUSY', message, nonRetryable: true });
}

function initialState(input: CurrentItemInput): { state: ItemState; tracker: SaveTracker } {
  if (input.kind === 'continued') {
    return { state: input.state, tracker: new SaveTracker(input.state, Date.now(), input.unsaved) };
  }
  try {
    const created = createItemState(input.item, input.createdBy, Date.parse(input.acceptedAt), input.calendar);
    const tracker = new SaveTracker();
    tracker.add(created.records);
    return { state: created.state, tracker };
  } catch (err) {
    // only a caller that bypassed the API gets here: the API ran the same rule at the same instant
    throw asFailure(err);
  }
}

export async function runItem(input: CurrentItemInput): Promise<ItemSummary> {
  const patched = patchGate(input.patchLevel);
  const init = initialState(input);
  let state = init.state;
  const saver = new ItemSaver(init.tracker, (batch, localSettled) => saveBatch(batch, localSettled, patched));
  saver.note();
  let changed = true;
  let updatesThisRun = 0;

  for (const [type, update] of Object.entries(updateForCommand)) {
    setHandler(
      update,
      (envelope: CommandEnvelope) => {
        updatesThisRun++;
        try {
          const outcome = applyCommand(state, envelope, Date.now());
          if (outcome.state !== state) {
            state = outcome.state;
            saver.note(outcome.records);
            changed = true;
          }
          return outcome.result;
        } catch (err) {
          throw asFailure(err);
        }
      },
      {
        // Runs the real rule on a copy: a refused command never reaches history.
        validator: (envelope: CommandEnvelope) => {
          if (envelope?.command?.type !== type) {
            throw ApplicationFailure.create({ type: 'VALIDATION_FAILED', message: `update ${type} carries a ${String(envelope?.command?.type)} command`, nonRetryable: true });
          }
          // Backpressure: while saves stall, the item stops taking commands before its history or carry could outgrow their bounds.
          if (saver.unsavedBytes >= LIMITS.unsavedCommandCeilingBytes) {
            throw busy('the item is waiting for its read side to catch up; retry shortly');
          }
          if (workflowInfo().historySize >= LIMITS.historyCommandCeilingBytes) {
            throw busy('the item is about to continue as new; retry shortly');
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
  setHandler(calendarUpdatedSignal, (calendar) => {
    // a signal has no validator: a malformed one is dropped (and logged), never allowed to fail the workflow task
    try {
      const outcome = applyCalendarUpdate(state, calendar, Date.now());
      if (outcome.applied) {
        state = outcome.state;
        saver.note(outcome.records);
        changed = true;
      }
    } catch (err) {
      log.warn('calendar update dropped', { error: err instanceof Error ? err.message : String(err) });
    }
  });
  setHandler(itemStateQuery, () => snapshotOf(state));
  setHandler(itemVersionQuery, () => ({
    itemId: state.id, status: state.status, version: state.counters.auditSeq, savedVersion: saver.savedVersion,
  }));

  const saving = saver.run(() => state, () => Date.now());
  const searchAttributes = new SearchAttributeSync(patched);

  const continueAsNewWanted = () => {
    const info = workflowInfo();
    const limit = input.options?.maxHistoryEvents;
    return (
      info.continueAsNewSuggested ||
      info.historySize >= LIMITS.historyContinueAsNewBytes ||
      (limit !== undefined && info.historyLength >= limit)
    );
  };

  while (state.status === 'active') {
    const clock = advanceClock(state, Date.now());
    if (clock.state !== state) {
      state = clock.state;
      saver.note(clock.records);
    }
    searchAttributes.sync(state, Date.now());
    if (state.status !== 'active') break;

    const suggested = continueAsNewWanted();
    // Under a steady stream of commands the run would never be idle: hold new saves so the
    // next gap between two saves is the moment to continue (runs recorded before this keep their way).
    const steer = (suggested || updatesThisRun >= LIMITS.updatesPerRun) && patched(CONTINUE_UNDER_LOAD);
    const wantNew = suggested || steer;
    saver.held = steer;
    if (wantNew && !saver.busy && allHandlersFinished()) {
      const carried = saver.takeNow(state, Date.now());
      if (!carried || jsonBytes(carried) <= LIMITS.unsavedCarryBytes) {
        await continueAsNew<(input: CurrentItemInput) => Promise<ItemSummary>>({
          kind: 'continued', format: 2, patchLevel: PATCH_LEVEL, state, unsaved: carried, options: input.options,
        });
      }
      // too much to carry: save it first, then try again
      saver.enqueue(carried!);
    }

    const wakeAt = nextWakeAt(state);
    changed = false;
    // Temporal starts a timer when the workflow task that set it completes, and a task with a local
    // save completes only after the save: a timer set now would start that much late, and so fire
    // late (seconds, when the database is busy). Set it once the save is through, from the time it
    // ended: the workflow's clock moves on with a local activity's result. (Runs recorded before
    // this set it at once.)
    let timerFromMs = Date.now();
    if (saver.localSavePending && patched(TIMERS_AFTER_SAVE)) {
      await condition(() => !saver.localSavePending || changed);
      // The save outlasted the next wake: handle it now. A timer for an instant already past would
      // still cost another workflow task, and fire late: the dev server fires a 1 ms timer about a
      // second after it starts. (Runs recorded before this set one.)
      if (wakeAt !== undefined && wakeAt <= Date.now() && patched(DUE_DURING_SAVE)) continue;
      // The save's result says when it really ended (recorded with it, so replay agrees). (Runs
      // recorded before this timed the timer from the task's start.)
      const savedAt = saver.localSaveEndedAtMs;
      saver.localSaveEndedAtMs = undefined;
      const lead = savedAt === undefined ? 0 : savedAt - Date.now();
      if (wakeAt !== undefined && lead > 0 && lead <= CLOCK_MAX_LEAD_MS && patched(TIMERS_FROM_SAVE_END)) timerFromMs = savedAt!;
    }
    // Woken early by an accepted update, by the saver going idle when a continue-as-new waits for it, or by the timer.
    const wake = () => changed || (wantNew && !saver.busy && allHandlersFinished());
    if (wakeAt === undefined) await condition(wake);
    else await condition(wake, timerMs(wakeAt, Date.now(), latestReading(Date.now(), timerFromMs, workflowInfo().unsafe.now())));
  }

  // An item ended by a command leaves the loop before the attributes follow it: without this it
  // stayed `RectStatus = "active"` for good. (Runs recorded before this ended without it.)
  if (patched(FINAL_SEARCH_ATTRIBUTES)) searchAttributes.sync(state, Date.now());
  await condition(allHandlersFinished);
  saver.finish();
  await saving;
  return itemSummary(state);
}


