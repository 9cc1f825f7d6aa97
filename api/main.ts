/**
 * `npm run api`: the API process. Config is parsed once (a bad env exits 1 with
 * every problem listed). SIGINT/SIGTERM stop accepting connections, let
 * in-flight requests finish (bounded), then close the pool and the Temporal
 * connection. (Ledger imports run in the workers, as workflows.)
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { ConfigError } from '../config/env';
import { exitFatal, exitFatalOnUncaught } from '../config/fatal-line';
import { clientConnectionOptions } from '../config/temporal-connection';
import { createItemSavedFeed } from '../db/item-saved-feed';
import { createPool } from '../db/pool';
import { countErrorLog, createApiMetrics } from '../metrics/api-metrics';
import { metricsBindAddress } from '../metrics/bind-address';
import { serveMetricsOrWarn } from '../metrics/serve';
import { createApp } from './app';
import { answerClientErrors } from './http/client-error';
import { loadApiConfig, type ApiConfig } from './config';
import { createApiLogger } from './logger';

const SHUTDOWN_GRACE_MS = 10_000;

function loadConfigOrExit(): ApiConfig {
  try {
    return loadApiConfig(process.env);
  } catch (err) {
    // every problem at once, as one JSON line like the rest of this process's output
    if (err instanceof ConfigError) exitFatal('api', err);
    throw err;
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  exitFatalOnUncaught('api');
  const config = loadConfigOrExit();
  const logger = createApiLogger(config.LOG_LEVEL);
  if (!process.env.AUTH_JWT_SECRET && !config.AUTH_JWT_PUBLIC_KEY) {
    logger.warn('AUTH_JWT_SECRET is not set: using the development secret (refused when NODE_ENV=production)');
  }
  const connection = await Connection.connect(clientConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const pool = createPool(config, logger);
  const metrics = createApiMetrics({
    pool,
    itemCountTtlMs: config.METRICS_ITEM_COUNT_INTERVAL_SECONDS * 1000,
    onCountError: countErrorLog(logger),
  });
  const savedFeed = createItemSavedFeed(pool, logger);
  const app = createApp({ config, temporal, pool, logger, metrics, savedFeed });
  // a host name (METRICS_HOST=localhost, the compose alias) is bound as the address of this machine it names
  const metricsHost = await metricsBindAddress(config.METRICS_HOST).catch((err: unknown) => {
    logger.warn({ err: { message: (err as Error).message } }, 'metrics not served: METRICS_HOST names no address of this machine');
    return undefined;
  });
  const metricsListener =
    metricsHost === undefined ? undefined : await serveMetricsOrWarn(metrics.registry, metricsHost, config.API_METRICS_PORT, logger);

  const server = app.listen(config.API_PORT, config.API_HOST);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.API_PORT;
  logger.info(
    { url: `http://${config.API_HOST}:${port}`, docs: `http://${config.API_HOST}:${port}/docs`, metrics: metricsListener?.url },
    'api listening',
  );
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down api');
    // idle keep-alive sockets would hold close() open; busy ones get the grace period
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    const closing = close(server);
    server.closeIdleConnections();
    try {
      await closing;
    } finally {
      clearTimeout(force);
      await metricsListener?.close();
      await savedFeed.close();
      await pool.end().catch((err: unknown) => logger.warn({ err }, 'closing the pool failed'));
      await connection.close().catch((err: unknown) => logger.warn({ err }, 'closing the Temporal connection failed'));
      logger.info('api stopped');
    }
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
}

main().catch((err: unknown) => {
  // the logger may not exist yet (or may be the thing that failed): one JSON line on stderr, then exit 1
  exitFatal('api', err);
});
