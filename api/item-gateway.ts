/**
 * The API's only door to item workflows: start one, send it a command, ask its
 * version or its state. Temporal's failures are turned into domain refusals
 * here when the meaning depends on the call (a missing workflow is "no such
 * item", a closed one "the item has ended").
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { itemVersion } from '../db/repositories/item-view';
import type { Command, CommandEnvelope } from '../domain/commands';
import { authorize, noSuchItem } from '../domain/authorization';
import { createItemState } from '../domain/create-item';
import { DomainError } from '../domain/errors';
import type { ItemRecords } from '../domain/item-records';
import type { CommandResult } from '../domain/transitions';
import type { Actor, ItemInput, ItemSnapshot, ItemState } from '../domain/types';
import {
  itemStateQuery,
  itemVersionQuery,
  itemWorkflowId,
  updateForCommand,
  WORKFLOW_TYPE,
  type ItemVersion,
  type ItemWorkflowInput,
} from '../workflows/messages';
import { PATCH_LEVEL } from '../workflows/patches';
import { updateIdFor } from './idempotency';
import { isTransientRefusal } from './temporal-errors';
import { initialSearchAttributes } from './search-attributes';
import { asStarted } from './new-item-rules';
import type { CalendarSource } from './calendar-source';

export interface StartedItem {
  state: ItemState;
  records: ItemRecords;
}

export interface ItemGateway {
  /**
   * Starts the item's workflow; answers with the state it starts from (no wait for its first task).
   * `known.idTaken`: the caller already asked the read side whether the id is taken.
   */
  start(item: ItemInput, actor: Actor, known?: { idTaken: boolean }): Promise<StartedItem>;
  execute(itemId: string, envelope: CommandEnvelope): Promise<CommandResult>;
  /** The workflow's version, or undefined when no workflow has that id. */
  version(itemId: string): Promise<ItemVersion | undefined>;
  /** The workflow's state (no text), or undefined when no workflow has that id. */
  state(itemId: string): Promise<ItemSnapshot | undefined>;
}

const UPDATE_DEADLINE_MS = 30_000;
const QUERY_DEADLINE_MS = 10_000;
/** How long a command waits out refusals that pass by themselves (continue-as-new, in-flight limits) before the caller hears 503. */
const TRANSIENT_RETRY_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface GatewayDeps {
  temporal: Client;
  taskQueue: string;
  /** the holiday calendar new items take */
  calendars: CalendarSource;
  /** whether the read side remembers an item with this id (Temporal forgets ids whose history is gone) */
  idTaken(itemId: string): Promise<boolean>;
}

/** The gateway as the API and the ledger-import activity use it: ids the read side remembers are taken. */
export function createItemGatewayOn(pool: Pool, deps: Omit<GatewayDeps, 'idTaken'>): ItemGateway {
  return createItemGateway({ ...deps, idTaken: async (itemId) => (await itemVersion(pool, itemId)) !== null });
}

export function createItemGateway(deps: GatewayDeps): ItemGateway {
  const { temporal, taskQueue } = deps;
  const handleOf = (itemId: string) => temporal.workflow.getHandle(itemWorkflowId(itemId));

  async function ask<T>(itemId: string, query: () => Promise<T>): Promise<T | undefined> {
    try {
      return await temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, query);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  return {
    async start(input, actor, known) {
      // every item starts with the office rules (working days, a submission stops the owner's clock…)
      const item: ItemInput = asStarted(input);
      // The rule the workflow runs first, at the same instant: a bad item is refused here (422),
      // and the answer is the state the workflow will compute, with no wait for its first task.
      const acceptedAt = Date.now();
      // the look-up (when still needed) runs while the item is checked: it costs no time of its own
      const taken = known ? Promise.resolve(known.idTaken) : deps.idTaken(item.id);
      taken.catch(() => undefined);
      const calendar = await deps.calendars.forNewItem(acceptedAt);
      const created = createItemState(item, actor, acceptedAt, calendar);
      // Temporal refuses a running or retained id; the read side remembers ids whose history is gone.
      if (await taken) throw new DomainError('ALREADY_EXISTS', `an item with id '${item.id}' already exists`, { itemId: item.id });
      const args: [ItemWorkflowInput] = [
        { kind: 'new', format: 2, patchLevel: PATCH_LEVEL, item, createdBy: actor, acceptedAt: new Date(acceptedAt).toISOString(), calendar },
      ];
      await temporal.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: itemWorkflowId(item.id),
        args,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: initialSearchAttributes(created.state),
      });
      return created;
    },

    async execute(itemId, envelope) {
      const update = updateForCommand[envelope.command.type] as unknown as typeof updateForCommand.cancelItem;
      const send = () =>
        // Without a deadline a command would wait for as long as no worker runs; past it the caller gets a 503 and may retry with the same key.
        temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          handleOf(itemId).executeUpdate(update, {
            args: [envelope as CommandEnvelope<Extract<Command, { type: 'cancelItem' }>>],
            updateId: updateIdFor(envelope.requestId, envelope.fingerprint ?? ''),
          }),
        );
      try {
        // the same update id each time: a refused attempt left nothing behind, an accepted one is answered again
        for (let waited = 0, pause = 100; ; pause = Math.min(pause * 2, 1_000)) {
          try {
            return await send();
          } catch (err) {
            if (!isTransientRefusal(err) || waited >= TRANSIENT_RETRY_MS) throw err;
            await sleep(pause);
            waited += pause;
          }
        }
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // Updates cannot reach a closed run; tell "ended" from "never existed".
        const ended = await handleOf(itemId)
          .describe()
          .then((d) => d.status.name !== 'RUNNING')
          .catch((e: unknown) => {
            if (e instanceof WorkflowNotFoundError) return false;
            throw e;
          });
        if (!ended) throw noSuchItem(itemId);
        // rights before state, as in a running item: a caller who may not act is not told it ended
        const last = await handleOf(itemId).query(itemStateQuery).catch(() => undefined);
        if (last) authorize(envelope.actor, envelope.command, { ...last, calendar: undefined as never, appliedRequests: [] });
        // its history is gone: an owner cannot be told whether it was theirs, so it is not there
        else if (envelope.actor.role === 'owner') throw noSuchItem(itemId);
        throw new DomainError('ITEM_CLOSED', `item '${itemId}' has ended; it takes no more changes`, { itemId });
      }
    },

    version: (itemId) => ask(itemId, () => handleOf(itemId).query(itemVersionQuery)),
    state: (itemId) => ask(itemId, () => handleOf(itemId).query(itemStateQuery)),
  };
}
