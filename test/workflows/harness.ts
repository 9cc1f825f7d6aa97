/**
 * Shared pieces of the workflow tests: a worker on the time-skipping server
 * whose only activity records what the workflow persisted, and builders for
 * items and command envelopes.
 */
import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ItemChanges } from '../../activities/item-changes';
import type { Command, CommandEnvelope } from '../../domain/commands';
import type { Actor, ItemInput, ItemState, Notification } from '../../domain/types';

export const LEADER: Actor = { id: 'leader-1', name: 'Leader Wang', role: 'leader' };
export const OWNER_A: Actor = { id: 'owner-a', name: 'Owner Zhang', role: 'owner', unit: 'Unit A' };
export const OWNER_B: Actor = { id: 'owner-b', name: 'Owner Li', role: 'owner', unit: 'Unit B' };
export const SUPERVISOR: Actor = { id: 'sup-1', name: 'Supervisor Zhao', role: 'supervisor' };

export const DAY = 24 * 3600 * 1000;

/** Everything the workflow handed to persistence, as the database would keep it (unique keys). */
export class RecordingStore {
  readonly batches: ItemChanges[] = [];
  readonly notifications = new Map<string, Notification>();
  duplicateNotificationWrites = 0;

  readonly activities = {
    persistItemChanges: async (changes: ItemChanges): Promise<void> => {
      this.batches.push(changes);
      for (const n of changes.notifications) {
        if (this.notifications.has(n.key)) this.duplicateNotificationWrites += 1;
        this.notifications.set(n.key, n);
      }
    },
  };

  all<K extends 'dispatches' | 'reviews' | 'escalations' | 'auditEvents'>(key: K): ItemChanges[K] {
    return this.batches.flatMap((b) => b[key] as unknown[]) as ItemChanges[K];
  }

  notificationsOf(kind: Notification['kind'], taskId?: string): Notification[] {
    return [...this.notifications.values()].filter((n) => n.kind === kind && (taskId === undefined || n.taskId === taskId));
  }

  lastState(): ItemState | undefined {
    return this.batches.at(-1)?.state;
  }
}

export async function createRecordingWorker(env: TestWorkflowEnvironment, store: RecordingStore) {
  const taskQueue = `wf-test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: store.activities,
  });
  return { worker, taskQueue };
}

export function envelope<C extends Command>(actor: Actor, command: C, requestId: string = randomUUID()): CommandEnvelope<C> {
  return { requestId, actor, command };
}

export function itemInput(overrides: Partial<ItemInput> & { dueAt: string }): ItemInput {
  const { dueAt, ...rest } = overrides;
  return {
    id: `item-${randomUUID()}`,
    title: 'Rectify late payment of subsidies',
    source: 'Provincial inspection feedback',
    category: 'Poverty alleviation',
    supervisionLevel: 'city',
    leader: { id: LEADER.id, name: LEADER.name },
    problems: [{ id: 'P1', description: 'Subsidies paid late in three villages', severity: 'high' }],
    tasks: [
      {
        id: 'T1',
        problemIds: ['P1'],
        description: 'Pay outstanding subsidies',
        measures: 'Audit payment lists; pay by bank transfer',
        ownerUnit: 'Unit A',
        ownerPerson: 'Owner Zhang',
        deadline: { kind: 'instant', at: dueAt },
      },
    ],
    ...rest,
  };
}
