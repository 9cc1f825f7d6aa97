/**
 * One rectification item = one workflow. It holds the four lists and every
 * task's state, applies commands arriving as updates, and runs the item's
 * clock: one durable timer on the earliest next event, re-planned after every
 * change. Everything it decides comes from pure rules in domain/.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import type { CommandEnvelope } from '../domain/commands';
import { createItemState } from '../domain/create-item';
import { DomainError } from '../domain/errors';
import { fourLists, itemSummary, snapshotOf } from '../domain/item-views';
import { advanceClock, nextWakeAt } from '../domain/timeline';
import { applyCommand } from '../domain/transitions';
import type { ItemState, ItemSummary } from '../domain/types';
import {
  fourListsQuery,
  itemStateQuery,
  updateForCommand,
  type ItemWorkflowInput,
  type PendingChanges,
} from './messages';
import { SearchAttributeSync } from './search-attributes';

const { persistItemChanges } = proxyActivities<ItemActivities>({
  startToCloseTimeout: '1 minute',
  // A database outage must lose nothing: retry until it is back, never give up.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Every persisted change carries the item's snapshot, so size grows faster than length (~4 MiB a year for 10 tasks). */
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

/** Domain refusals leave the sandbox as ApplicationFailures whose `type` is the domain code. */
function asFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: [err.details ?? {}], nonRetryable: true });
  }
  return err;
}

function emptyPending(): PendingChanges {
  return { auditEvents: [], notifications: [], escalations: [], dispatches: [], reviews: [] };
}

function hasPending(p: PendingChanges): boolean {
  return Object.values(p).some((list) => list.length > 0);
}

export async function rectificationItemWorkflow(input: ItemWorkflowInput): Promise<ItemSummary> {
  let state: ItemState;
  let pending = emptyPending();
  let stateChanged = true;
  if (input.kind === 'new') {
    let created: ReturnType<typeof createItemState>;
    try {
      created = createItemState(input.item, input.createdBy, Date.now(), input.calendar);
    } catch (err) {
      throw asFailure(err);
    }
    state = created.state;
    pending.auditEvents.push(...created.auditEvents);
  } else {
    state = input.state;
    pending = input.pending ?? emptyPending();
  }

  const record = (outcome: { state: ItemState } & Partial<PendingChanges>) => {
    if (outcome.state === state) return;
    state = outcome.state;
    stateChanged = true;
    for (const key of Object.keys(pending) as Array<keyof PendingChanges>) {
      (pending[key] as unknown[]).push(...(outcome[key] ?? []));
    }
  };

  for (const [type, update] of Object.entries(updateForCommand)) {
    setHandler(
      update,
      (envelope: CommandEnvelope) => {
        try {
          record(applyCommand(state, envelope, Date.now()));
        } catch (err) {
          throw asFailure(err);
        }
        // the snapshot, not the calendar too: every update's result is stored in history
        return snapshotOf(state);
      },
      {
        // Runs the real rule on a copy: a refused command never reaches history.
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
  setHandler(itemStateQuery, () => state);
  setHandler(fourListsQuery, () => fourLists(state));

  const searchAttributes = new SearchAttributeSync();

  /** Hands everything recorded so far to PostgreSQL in one idempotent activity. */
  const flush = async () => {
    if (!stateChanged && !hasPending(pending)) return;
    const batch = pending;
    pending = emptyPending();
    stateChanged = false;
    searchAttributes.sync(state, Date.now());
    await persistItemChanges({ asOf: new Date().toISOString(), state: snapshotOf(state), ...batch });
  };

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    const limit = input.options?.maxHistoryEvents;
    return (
      info.continueAsNewSuggested ||
      // our own bound too, whatever the cluster's suggestion thresholds are set to
      info.historySize >= MAX_HISTORY_BYTES ||
      (limit !== undefined && info.historyLength >= limit)
    );
  };

  while (state.status === 'active') {
    record(advanceClock(state, Date.now()));
    await flush();
    if (state.status !== 'active') break;
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await flush();
      if (state.status === 'active') {
        await continueAsNew<typeof rectificationItemWorkflow>({ kind: 'continued', state, pending, options: input.options });
      }
      break;
    }
    const wakeAt = nextWakeAt(state);
    const sleepMs = wakeAt === undefined ? undefined : Math.max(1, wakeAt - Date.now());
    // Woken early by any accepted update (it sets stateChanged); otherwise by the timer.
    if (sleepMs === undefined) await condition(() => stateChanged);
    else await condition(() => stateChanged, sleepMs);
  }

  await condition(allHandlersFinished);
  await flush();
  return itemSummary(state);
}
