/**
 * Builds the item worker: the workflow code (bundled from ../workflows, or a
 * prebuilt bundle) plus the activities wired to one PostgreSQL pool. Used by
 * worker/main.ts and, in-process, by the integration test stack.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import { createCalendarBroadcast } from '../activities/calendar-broadcast';
import { createLedgerImportActivity } from '../activities/ledger-import';
import type { HolidaySupplement } from '../domain/statutory-calendar';
import { createChannels, type Channels } from '../activities/delivery/channels';
import { createSender, type DeliveryConfig } from '../activities/delivery/send';
import { createWaker } from '../activities/delivery/wake';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS } from './config';

export interface ItemWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** the client delivery workflows are woken with; without it deliveries are planned but nobody is woken */
  client?: Client;
  delivery?: Partial<DeliveryConfig>;
  /** the channels deliveries go out through; the caller closes them after the worker stopped (default: built here, never closed) */
  channels?: Channels;
  /** the operator's HOLIDAY_CALENDAR_FILE, carried to running items with every calendar update */
  holidaySupplement?: HolidaySupplement;
  /** a prebuilt bundle (e.g. `{ code }` from bundleWorkflowCode) skips bundling at start */
  workflowBundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  /** seconds a wake waits for the worker caching its item before any worker takes it (default DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS) */
  stickyQueueTimeoutSeconds?: number;
  /** how long in-flight activities may finish after shutdown() before they are cancelled */
  shutdownGraceTimeMs?: number;
  /** where saves and deliveries are counted (metrics/worker-metrics.ts); none: not counted */
  metrics?: WorkerMetrics;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export const DEFAULT_DELIVERY: DeliveryConfig = {
  digestWindowMs: 30_000,
  giveUpAfterMs: 24 * 3_600_000,
  baseUrl: 'http://127.0.0.1:3000',
  digestMax: 20,
};

export async function createItemWorker(options: ItemWorkerOptions): Promise<Worker> {
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: workflowsPath() };
  const delivery = { ...DEFAULT_DELIVERY, ...options.delivery };
  const channels = options.channels ?? createChannels();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource,
    activities: createActivities({
      pool: options.pool,
      digestWindowMs: delivery.digestWindowMs,
      ...(options.client ? {
        wake: createWaker(options.client, options.taskQueue),
        broadcastCalendarPage: createCalendarBroadcast({ pool: options.pool, client: options.client, supplement: options.holidaySupplement }),
        runLedgerImport: createLedgerImportActivity({
          pool: options.pool, client: options.client, taskQueue: options.taskQueue, supplement: options.holidaySupplement,
        }),
      } : {}),
      sendDue: createSender({ pool: options.pool, channels, config: delivery, metrics: options.metrics }),
      metrics: options.metrics,
    }),
    ...definedOnly({
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions,
      maxCachedWorkflows: options.maxCachedWorkflows,
      shutdownGraceTime: options.shutdownGraceTimeMs,
    }),
    stickyQueueScheduleToStartTimeout: `${options.stickyQueueTimeoutSeconds ?? DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS}s`,
  });
}

/** An explicit `undefined` would override the SDK's defaults when options are spread: drop those keys. */
function definedOnly<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
