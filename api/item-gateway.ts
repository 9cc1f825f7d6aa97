/**
 * The API's only door to item workflows: start one, read its live state, send
 * it a command. Temporal's failures are turned into domain refusals here when
 * the meaning depends on the call (a missing workflow is 404 for a read but
 * ITEM_CLOSED for a command on an item that already ended).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Command, CommandEnvelope } from '../domain/commands';
import { createItemState } from '../domain/create-item';
import { DomainError } from '../domain/errors';
import { snapshotOf } from '../domain/item-views';
import type { Actor, ItemInput, ItemSnapshot } from '../domain/types';
import { getItemRow } from '../db/repositories/items-read';
import {
  itemStateQuery,
  itemWorkflowId,
  updateForCommand,
  WORKFLOW_TYPE,
  type ItemWorkflowInput,
} from '../workflows/messages';
import { initialSearchAttributes } from './search-attributes';
import { isTemporalUnavailable } from './temporal-errors';
import { calendarForNewItem, type HolidaySupplement } from '../domain/statutory-calendar';

export interface ItemGateway {
  start(item: ItemInput, actor: Actor): Promise<ItemSnapshot>;
  state(itemId: string): Promise<ItemSnapshot>;
  execute(itemId: string, envelope: CommandEnvelope): Promise<ItemSnapshot>;
}

const UPDATE_DEADLINE_MS = 30_000;
const FIRST_QUERY_ATTEMPTS = 20;
const FIRST_QUERY_DELAY_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createItemGateway(deps: {
  temporal: Client;
  pool: Pool;
  taskQueue: string;
  holidays?: HolidaySupplement;
}): ItemGateway {
  const { temporal, pool, taskQueue } = deps;
  const handleOf = (itemId: string) => temporal.workflow.getHandle(itemWorkflowId(itemId));

  /** Live state from the workflow; an ended item whose history is gone still answers from its last projection. */
  async function state(itemId: string): Promise<ItemSnapshot> {
    try {
      return snapshotOf(await handleOf(itemId).query(itemStateQuery));
    } catch (err) {
      if (isTemporalUnavailable(err) || !(err instanceof WorkflowNotFoundError)) throw err;
      const row = await getItemRow(pool, itemId);
      if (row) return row.state;
      throw new DomainError('NOT_FOUND', `no item '${itemId}'`, { itemId });
    }
  }

  return {
    async start(item, actor) {
      // The same rule the workflow runs first: a bad item is refused here (422)
      // rather than starting a workflow that would fail on its first task.
      const calendar = calendarForNewItem(Date.now(), deps.holidays);
      createItemState(item, actor, Date.now(), calendar);
      // Temporal refuses a running or retained id; the read side remembers ids whose history is gone.
      if (await getItemRow(pool, item.id)) {
        throw new DomainError('ALREADY_EXISTS', `an item with id '${item.id}' already exists`, { itemId: item.id });
      }
      const args: [ItemWorkflowInput] = [{ kind: 'new', item, createdBy: actor, calendar }];
      const handle = await temporal.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: itemWorkflowId(item.id),
        args,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: initialSearchAttributes(item),
      });
      // The first query can race the first workflow task on a busy worker: retry briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          return snapshotOf(await handle.query(itemStateQuery));
        } catch (err) {
          if (attempt >= FIRST_QUERY_ATTEMPTS || isTemporalUnavailable(err)) throw err;
          await sleep(FIRST_QUERY_DELAY_MS);
        }
      }
    },

    state,

    async execute(itemId, envelope) {
      const update = updateForCommand[envelope.command.type] as unknown as typeof updateForCommand.cancelItem;
      try {
        // Without a deadline a command would wait for as long as no worker runs; past it the caller gets a 503 and may retry with the same key.
        const state = await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          handleOf(itemId).executeUpdate(update, {
            args: [envelope as CommandEnvelope<Extract<Command, { type: 'cancelItem' }>>],
            updateId: envelope.requestId,
          }),
        );
        return state;
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
        if (ended) throw new DomainError('ITEM_CLOSED', `item '${itemId}' has ended; it takes no more changes`, { itemId });
        throw new DomainError('NOT_FOUND', `no item '${itemId}'`, { itemId });
      }
    },
  };
}
