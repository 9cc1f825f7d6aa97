/**
 * `npm run worker`: the worker process. Config is parsed once; a bad env exits 1
 * listing every problem. SIGINT/SIGTERM drain the worker (in-flight tasks
 * finish within the grace time), then close the pool and the connection.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createChannels } from '../activities/delivery/channels';
import { ConfigError } from '../config/env';
import { clientConnectionOptions, temporalConnectionOptions } from '../config/temporal-connection';
import { createPool } from '../db/pool';
import { freePort, portIsFree, serveMetricsOrWarn } from '../metrics/serve';
import { sdkMetricsTelemetry } from '../metrics/temporal-sdk';
import { createWorkerMetrics } from '../metrics/worker-metrics';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { loadHolidaySupplement } from '../config/holiday-supplement';
import { createItemWorker } from './create-worker';
import { createLogger, temporalLoggerFrom } from './logger';

function loadConfigOrExit(): WorkerConfig {
  try {
    return loadWorkerConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`worker: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  // SDK Core binds its exporter itself and would fail the runtime on a taken port: look first
  // (port 0: Core would not say which port it got, so one is picked here)
  const asked = config.TEMPORAL_SDK_METRICS_PORT;
  const sdkPort = asked === 0 ? await freePort(config.METRICS_HOST) : asked;
  const sdkMetricsPort = sdkPort !== undefined && (await portIsFree(config.METRICS_HOST, sdkPort)) ? sdkPort : undefined;
  if (sdkPort !== undefined && sdkMetricsPort === undefined) {
    logger.warn({ host: config.METRICS_HOST, port: sdkPort }, 'Temporal SDK metrics not served: the port is taken');
  }
  // must happen before any connection or worker exists: the runtime is process-wide.
  // shutdownSignals: [] because this file owns the signals and the order of cleanup.
  Runtime.install({
    logger: temporalLoggerFrom(logger.child({ component: 'temporal-sdk' })),
    shutdownSignals: [],
    ...(sdkMetricsPort !== undefined ? { telemetryOptions: sdkMetricsTelemetry(config.METRICS_HOST, sdkMetricsPort) } : {}),
  });
  const metrics = createWorkerMetrics();
  const metricsListener = await serveMetricsOrWarn(metrics.registry, config.METRICS_HOST, config.WORKER_METRICS_PORT, logger);

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
      shutdownGraceTimeMs: config.WORKER_SHUTDOWN_GRACE_MS,
      metrics,
    });
    // Even when a signal came during start-up (bundling takes seconds), run and drain at once:
    // a worker that never ran still holds the connection, which then could not close.
    const running = worker.run();
    if (stopping) worker.shutdown();
    else {
      logger.info(
        {
          address: config.TEMPORAL_ADDRESS,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          metrics: metricsListener?.url,
          sdkMetrics: sdkMetricsPort !== undefined ? `http://${config.METRICS_HOST}:${sdkMetricsPort}/metrics` : undefined,
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
  // the pino logger may not exist yet; stderr is the one place sure to be read
  process.stderr.write(`worker: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
