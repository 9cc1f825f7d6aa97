/**
 * `npm run worker`: the worker process. Config is parsed once; a bad env exits 1
 * listing every problem. SIGINT/SIGTERM drain the worker (in-flight tasks
 * finish within the grace time), then close the pool and the connection.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createChannels } from '../activities/delivery/channels';
import { ConfigError } from '../config/env';
import { exitFatal, exitFatalOnUncaught } from '../config/fatal-line';
import { clientConnectionOptions, temporalConnectionOptions } from '../config/temporal-connection';
import { createPool } from '../db/pool';
import { metricsBindAddress } from '../metrics/bind-address';
import { freePort, metricsUrl, portIsFree, serveMetricsOrWarn } from '../metrics/serve';
import { sdkMetricsTelemetry } from '../metrics/temporal-sdk';
import { createWorkerMetrics } from '../metrics/worker-metrics';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { loadHolidaySupplement } from '../config/holiday-supplement';
import { createItemWorker } from './create-worker';
import { startDeliverySweep } from './delivery-sweep-start';
import { resumeLedgerImports } from './ledger-import-start';
import { createLogger, temporalLoggerFrom } from './logger';

function loadConfigOrExit(): WorkerConfig {
  try {
    return loadWorkerConfig(process.env);
  } catch (err) {
    // every problem at once, as one JSON line like the rest of this process's output
    if (err instanceof ConfigError) exitFatal('worker', err);
    throw err;
  }
}

async function main(): Promise<void> {
  exitFatalOnUncaught('worker');
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  // one IP for both listeners (SDK Core takes no host name); a name that is not this machine costs the metrics only
  const metricsHost = await metricsBindAddress(config.METRICS_HOST).catch((err: unknown) => {
    logger.warn({ err: { message: (err as Error).message } }, 'metrics not served: METRICS_HOST names no address of this machine');
    return undefined;
  });
  // SDK Core binds its exporter itself and would fail the runtime on a taken port: look first
  // (port 0: Core would not say which port it got, so one is picked here)
  const asked = metricsHost === undefined ? undefined : config.TEMPORAL_SDK_METRICS_PORT;
  const sdkPort = asked === 0 ? await freePort(metricsHost!) : asked;
  const sdkMetricsPort = sdkPort !== undefined && (await portIsFree(metricsHost!, sdkPort)) ? sdkPort : undefined;
  if (sdkPort !== undefined && sdkMetricsPort === undefined) {
    logger.warn({ host: metricsHost, port: sdkPort }, 'Temporal SDK metrics not served: the port is taken');
  }
  // must happen before any connection or worker exists: the runtime is process-wide.
  // shutdownSignals: [] because this file owns the signals and the order of cleanup.
  Runtime.install({
    logger: temporalLoggerFrom(logger.child({ component: 'temporal-sdk' })),
    shutdownSignals: [],
    ...(sdkMetricsPort !== undefined ? { telemetryOptions: sdkMetricsTelemetry(metricsHost!, sdkMetricsPort) } : {}),
  });
  const metrics = createWorkerMetrics();
  const metricsListener =
    metricsHost === undefined ? undefined : await serveMetricsOrWarn(metrics.registry, metricsHost, config.WORKER_METRICS_PORT, logger);

  let worker: Worker | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down worker');
    if (!worker || worker.getState() !== 'RUNNING') return; // not started yet: main() sees `stopping`
    // run() resolves once the worker has drained; the cleanup after it follows
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // a client too: saves wake the delivery workflows of the endpoints they planned deliveries for
  const clientConnection = await Connection.connect(clientConnectionOptions(config));
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const channels = createChannels({ timeoutMs: config.DELIVERY_TIMEOUT_MS });
  const pool = createPool(config, logger);
  try {
    worker = await createItemWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      pool,
      client,
      channels,
      ...(config.HOLIDAY_CALENDAR_FILE ? { holidaySupplement: loadHolidaySupplement(config.HOLIDAY_CALENDAR_FILE) } : {}),
      delivery: {
        baseUrl: config.DELIVERY_BASE_URL,
        digestWindowMs: config.DELIVERY_DIGEST_WINDOW_SECONDS * 1000,
        giveUpAfterMs: config.DELIVERY_GIVE_UP_AFTER_HOURS * 3_600_000,
      },
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      stickyQueueTimeoutSeconds: config.WORKER_STICKY_QUEUE_TIMEOUT_SECONDS,
      shutdownGraceTimeMs: config.WORKER_SHUTDOWN_GRACE_MS,
      metrics,
    });
    // Even when a signal came during start-up (bundling takes seconds), run and drain at once:
    // a worker that never ran still holds the connection, which then could not close.
    const running = worker.run();
    // the sweep that wakes endpoints whose wake went missing: one workflow per task queue, started by
    // whichever worker comes first (the others find it running); should this fail, another worker's start starts it
    await startDeliverySweep(client, config.TEMPORAL_TASK_QUEUE).catch((err: unknown) =>
      logger.warn({ err }, 'delivery sweep not started here; the next worker start starts it'));
    // once, not periodically: ledger imports left unfinished without a workflow (accepted before imports ran as
    // workflows, or their upload's hand-over refused with a 503) get one; the upload hands over every other
    await resumeLedgerImports(client, pool, config.TEMPORAL_TASK_QUEUE).then(
      (ids) => ids.length > 0 && logger.info({ ledgerImports: ids.length }, 'unfinished ledger imports handed to their workflows'),
      (err: unknown) => logger.warn({ err }, 'unfinished ledger imports not resumed here; the next worker start resumes them'),
    );
    if (stopping) worker.shutdown();
    else {
      logger.info(
        {
          address: config.TEMPORAL_ADDRESS,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          metrics: metricsListener?.url,
          sdkMetrics: sdkMetricsPort !== undefined ? metricsUrl(metricsHost!, sdkMetricsPort) : undefined,
        },
        'worker started',
      );
    }
    await running;
  } finally {
    await metricsListener?.close();
    await channels.close();
    await pool.end();
    await clientConnection.close();
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  // the logger may not exist yet (or may be the thing that failed): one JSON line on stderr, then exit 1
  exitFatal('worker', err);
});
