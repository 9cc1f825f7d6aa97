/**
 * Builds the item worker: the workflow code (bundled from ../workflows, or a
 * prebuilt bundle) plus the activities wired to one PostgreSQL pool. Used by
 * worker/main.ts and, in-process, by the integration test stack.
 */
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../activities';

export interface ItemWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** a prebuilt bundle (e.g. `{ code }` from bundleWorkflowCode) skips bundling at start */
  workflowBundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  /** how long in-flight activities may finish after shutdown() before they are cancelled */
  shutdownGraceTimeMs?: number;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export async function createItemWorker(options: ItemWorkerOptions): Promise<Worker> {
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: workflowsPath() };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource,
    activities: createActivities({ pool: options.pool }),
    ...definedOnly({
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions,
      maxCachedWorkflows: options.maxCachedWorkflows,
      shutdownGraceTime: options.shutdownGraceTimeMs,
    }),
  });
}

/** An explicit `undefined` would override the SDK's defaults when options are spread: drop those keys. */
function definedOnly<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
