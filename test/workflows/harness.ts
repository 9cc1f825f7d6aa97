/**
 * Shared pieces of the workflow tests: a worker on the time-skipping server
 * whose only activity records what the workflow persisted, and builders for
 * items and command envelopes.
 */
import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fromLegacyChanges, type LegacyItemChanges } from '../../activities/legacy-changes';
import type { Command, CommandEnvelope } from '../../domain/commands';
import type { ItemChanges } from '../../domain/item-changes';
import type { Actor, DispatchRecord, ItemInput, Notification } from '../../domain/types';
import type { rectificationItemWorkflow } from '../../workflows/item-workflow';
import { cancelItemUpdate, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { newItemArgs } from '../support/item-start';

export const LEADER: Actor = { id: 'leader-1', name: 'Leader Wang', role: 'leader' };
export const OWNER_A: Actor = { id: 'owner-a', name: 'Owner Zhang', role: 'owner', unit: 'Unit A' };
export const OWNER_B: Actor = { id: 'owner-b', name: 'Owner Li', role: 'owner', unit: 'Unit B' };
export const SUPERVISOR: Actor = { id: 'sup-1', name: 'Supervisor Zhao', role: 'supervisor' };

export const DAY = 24 * 3600 * 1000;

/** Everything the workflow saved, as the database would keep it (unique keys). */
export class RecordingStore {
  readonly batches: ItemChanges[] = [];
  readonly notifications = new Map<string, Notification>();
  duplicateNotificationWrites = 0;

  private record(changes: ItemChanges): void {
    this.batches.push(changes);
    for (const n of changes.notifications) {
      if (this.notifications.has(n.key)) this.duplicateNotificationWrites += 1;
      this.notifications.set(n.key, n);
    }
  }

  readonly activities = {
    saveItemChanges: async (changes: ItemChanges): Promise<void> => this.record(changes),
    persistItemChanges: async (changes: LegacyItemChanges): Promise<void> => this.record(fromLegacyChanges(changes)),
  };

  all<K extends 'dispatches' | 'reviews' | 'escalations' | 'auditEvents' | 'dispatchLines' | 'tasks'>(key: K): ItemChanges[K] {
    return this.batches.flatMap((b) => b[key] as unknown[]) as ItemChanges[K];
  }

  notificationsOf(kind: Notification['kind'], taskId?: string): Notification[] {
    return [...this.notifications.values()].filter((n) => n.kind === kind && (taskId === undefined || n.taskId === taskId));
  }

  /** The last row saved of a task, with the text any save carried for it (what the read side shows). */
  lastTaskRow(taskId: string): ItemChanges['tasks'][number] | undefined {
    const rows = this.all('tasks').filter((t) => t.id === taskId);
    if (rows.length === 0) return undefined;
    return Object.assign({}, ...rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
  }

  /** Dispatch records with their lines put back together, as the read side shows them. */
  dispatches(): DispatchRecord[] {
    const lines = this.all('dispatchLines');
    return this.all('dispatches').map((d) => ({
      ...d,
      lines: lines.filter((l) => l.seq === d.seq && l.itemId === d.itemId).map(({ itemId: _i, seq: _s, ...line }) => line),
    }));
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

let sharedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code bundled once per test file, so every scenario can have its own worker cheaply. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  sharedBundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  return sharedBundle;
}

/**
 * A fresh worker, task queue and store for one scenario (a Worker runs only once,
 * so each `worker.runUntil` needs its own), from the shared bundle.
 */
export async function createScenarioWorker(env: TestWorkflowEnvironment, store: RecordingStore = new RecordingStore()) {
  const taskQueue = `wf-test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: store.activities,
  });
  return { worker, taskQueue, store };
}

/** Starts a fresh item on the scenario's task queue, accepted at the test server's current time. */
export async function startItem(env: TestWorkflowEnvironment, taskQueue: string, item: ItemInput, createdBy: Actor = LEADER) {
  return env.client.workflow.start<typeof rectificationItemWorkflow>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: itemWorkflowId(item.id),
    args: newItemArgs(item, createdBy, await env.currentTimeMs()),
  });
}

/** Asserts a workflow-time instant landed on the expected one (timers fire at, never before, their time). */
export function expectInstant(actualIso: string | undefined, expectedMs: number, toleranceMs = 2000): void {
  expect(actualIso).toBeDefined();
  const delta = Date.parse(actualIso!) - expectedMs;
  expect(delta).toBeGreaterThanOrEqual(0);
  expect(delta).toBeLessThan(toleranceMs);
}

/** Polls (real time, a few seconds at most) until `find` returns something: persistence runs just after an update returns. */
export async function waitFor<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`waitFor: nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Ends a scenario's item the way a leader would: cancel it and await the result.
 * Terminating a run about a second or less after it started leaves the Java test
 * server's time skipping locked, so the next scenario's env.sleep runs in real
 * time and hangs (observed on the server this project pins; cf. the time-skipping
 * lock leaks of temporalio/sdk-java#1138). Terminate is only the last resort.
 */
export async function endScenario(handle: WorkflowHandle): Promise<void> {
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    await handle.executeUpdate(cancelItemUpdate, { args: [envelope(LEADER, { type: 'cancelItem', reason: 'scenario over' })] });
    await handle.result();
  } catch {
    await handle.terminate('scenario over').catch(() => undefined);
  }
}

/** Sleeps the test server's clock up to an absolute instant. */
export async function sleepUntil(env: TestWorkflowEnvironment, ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (ms > now) await env.sleep(ms - now);
}

/** A task with a fixed deadline, for items built by hand in scenarios. */
export function instantTask(id: string, unit: string, person: string, problem: string, dueAt: string) {
  return { id, problemIds: [problem], description: `task ${id}`, ownerUnit: unit, ownerPerson: person, deadline: { kind: 'instant' as const, at: dueAt } };
}
