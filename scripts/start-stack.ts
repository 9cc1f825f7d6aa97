/**
 * `npm start`: the whole local stack in one terminal.
 *
 *  1. Temporal: TEMPORAL_ADDRESS if set, else a dev server persisting to
 *     .data/temporal.sqlite (gRPC 7233 / UI 8233, or free ports when taken).
 *  2. PostgreSQL: DATABASE_URL if set, else the local default; the database is
 *     created if missing, then migrated.
 *  3. The worker and the API as child processes with that environment.
 *
 * Output: one readable line per event, each process's name in its colour
 * (scripts/log-view.ts); JSON lines as the processes write them with
 * NODE_ENV=production or LOG_FORMAT=json.
 *
 * Ctrl-C / SIGTERM stops the API, then the worker, then the dev server. Every
 * child runs in its own process group so the terminal's Ctrl-C reaches only
 * this script, which then stops them in that order; a child that dies on its
 * own brings the whole stack down with a non-zero exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import pino from 'pino';
import { DEFAULT_DATABASE_URL } from '../config/env';
import { exitFatal } from '../config/fatal-line';
import { redactingDestination, redactorFor } from '../config/log-redaction';
import { clientConnectionOptions } from '../config/temporal-connection';
import { ensureDatabaseExists, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadWorkerConfig } from '../worker/config';
import { DATA_DIR, findFreePort, isPortFree, startDevServer, type DevServer } from './dev-server';
import { createLogView, logFormatFrom, pipeLines, viewDestination, type LogFormat } from './log-view';
import { resolveTemporalBinary, TEMPORAL_CLI } from './temporal-binaries';

const ROOT = resolve(__dirname, '..');
const logFormat = ((): LogFormat => {
  try {
    return logFormatFrom(process.env);
  } catch (err) {
    // the format asked for is unknown: production still gets a JSON line
    if (process.env.NODE_ENV === 'production') exitFatal('start', err);
    process.stderr.write(`start: ${(err as Error).message}\n`);
    process.exit(1);
  }
})();
const view = createLogView(logFormat);
// DATABASE_URL's password (and any URL's) is masked in every line this script writes
const redact = redactorFor(process.env);
const log = pino(
  { name: 'start', level: process.env.LOG_LEVEL ?? 'info' },
  redactingDestination(redact, logFormat === 'pretty' ? viewDestination(view, 'start', process.stdout) : undefined),
);
const startedAt = Date.now();

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

const children: Child[] = [];
let devServer: DevServer | undefined;
let shuttingDown: Promise<void> | undefined;

async function preferredPort(port: number, what: string): Promise<number> {
  if (await isPortFree(port)) return port;
  const other = await findFreePort();
  log.warn(`${what} port ${port} is taken; using ${other}`);
  return other;
}

function spawnChild(name: string, script: string, env: NodeJS.ProcessEnv): Child {
  // detached = own process group: Ctrl-C in the terminal does not hit it directly
  // `node --import tsx` (not the tsx CLI) keeps it to one process per child
  const output = logFormat === 'pretty' ? 'pipe' : 'inherit';
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, detached: true, stdio: ['ignore', output, output] });
  // the children redact their own logs; what they print otherwise (a crash on stderr) is redacted here
  if (proc.stdout) void pipeLines(view, name, proc.stdout, redactingDestination(redact, process.stdout));
  if (proc.stderr) void pipeLines(view, name, proc.stderr, redactingDestination(redact, process.stderr));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const child = { name, proc, exited };
  void exited.then((code) => {
    if (shuttingDown) return;
    log.error(`${name} exited unexpectedly (code ${code}, signal ${proc.signalCode}); stopping the stack`);
    void shutdown(1);
  });
  children.push(child);
  return child;
}

/** SIGTERM to the child's group, SIGKILL after a grace period; resolves when it is gone. */
async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => {
    log.warn(`${child.name} did not stop in ${graceMs} ms; killing it`);
    signal('SIGKILL');
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
  signal('SIGKILL'); // anything the child left in its group
}

function shutdown(exitCode: number): Promise<void> {
  shuttingDown ??= (async () => {
    log.info('stopping: api, then worker, then Temporal dev server');
    for (const name of ['api', 'worker']) {
      const child = children.find((c) => c.name === name);
      if (child) await stopChild(child);
    }
    if (devServer) await devServer.stop();
    log.info('stopped');
    process.exit(exitCode);
  })();
  return shuttingDown;
}

/** Polls the API's /readyz until it answers 200 (Temporal and PostgreSQL reachable); false if we are stopping. */
async function waitForApi(url: string, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (shuttingDown) return false;
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`API at ${url} not ready after ${timeoutMs} ms`);
}


/** Waits until a worker polls the task queue (bundling the workflows takes it a few seconds). */
async function waitForWorker(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<boolean> {
  const config = loadWorkerConfig(env);
  const connection = await Connection.connect(clientConnectionOptions(config));
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (shuttingDown) return false;
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if (pollers?.length) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no worker polled task queue ${config.TEMPORAL_TASK_QUEUE} within ${timeoutMs} ms`);
  } finally {
    await connection.close();
  }
}

function metricsUrl(env: NodeJS.ProcessEnv, port: string): string {
  if (port.toLowerCase() === 'off') return 'off';
  const host = env.METRICS_HOST ?? '127.0.0.1';
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`;
}

interface StackReady {
  seconds: number;
  api: string;
  docs: string;
  console: string;
  consoleBuilt: boolean;
  temporalUi: string | undefined;
  temporal: string;
  namespace: string;
  metrics: Record<string, string>;
}

function readyBanner(ready: StackReady): string {
  return [
    '',
    `  Stack ready in ${ready.seconds.toFixed(1)} s`,
    `  Console:      ${ready.console}${ready.consoleBuilt ? '' : '   (not built: npm run console:build)'}`,
    `  API:          ${ready.api}   (OpenAPI docs: ${ready.docs})`,
    `  Temporal UI:  ${ready.temporalUi ?? '(external Temporal server: use its own UI)'}`,
    `  Temporal:     ${ready.temporal}  namespace ${ready.namespace}`,
    `  Metrics:      ${Object.entries(ready.metrics).map(([what, url]) => `${what} ${url}`).join(', ')}`,
    `  Token:        npm run token -- --role leader --sub u1 --name "Li Lei"`,
    '  Stop:         Ctrl-C',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const env: NodeJS.ProcessEnv = { ...process.env };
  let uiUrl: string | undefined;
  if (!env.TEMPORAL_ADDRESS) {
    env.TEMPORAL_CLI_PATH = resolveTemporalBinary(TEMPORAL_CLI);
    const port = await preferredPort(7233, 'Temporal gRPC');
    const uiPort = await preferredPort(8233, 'Temporal UI');
    log.info(`starting Temporal dev server on 127.0.0.1:${port} (data: .data/temporal.sqlite)`);
    devServer = await startDevServer({
      dbFile: join(DATA_DIR, 'temporal.sqlite'),
      port,
      uiPort,
      namespace: env.TEMPORAL_NAMESPACE,
      logFile: join(DATA_DIR, 'temporal-dev-server.log'),
      readyTimeoutMs: 90_000,
    });
    env.TEMPORAL_ADDRESS = devServer.address;
    uiUrl = devServer.uiUrl;
  } else {
    log.info('using the Temporal server at TEMPORAL_ADDRESS');
  }

  env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
  await ensureDatabaseExists(env.DATABASE_URL);
  const pool = createPool({ DATABASE_URL: env.DATABASE_URL, DATABASE_POOL_MAX: 2 }, log);
  try {
    const { applied } = await migrate(pool);
    log.info(applied.length ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await pool.end();
  }

  const apiPort = env.API_PORT ? Number(env.API_PORT) : await preferredPort(3000, 'API');
  env.API_PORT = String(apiPort);
  const apiHost = env.API_HOST ?? '127.0.0.1';
  // each process serves its metrics on a port of its own (README: Operations); taken ones are replaced
  const metricsPorts: Array<[string, number, string]> = [
    ['WORKER_METRICS_PORT', 9464, 'worker metrics'],
    ['TEMPORAL_SDK_METRICS_PORT', 9465, 'Temporal SDK metrics'],
    ['API_METRICS_PORT', 9466, 'API metrics'],
  ];
  for (const [key, port, what] of metricsPorts) env[key] ||= String(await preferredPort(port, what));
  if (shuttingDown) return;
  spawnChild('worker', 'worker/main.ts', env);
  spawnChild('api', 'api/main.ts', env);

  const apiUrl = `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`;
  if (!(await waitForApi(apiUrl)) || !(await waitForWorker(env))) return;
  const ready = {
    seconds: Number(((Date.now() - startedAt) / 1000).toFixed(1)),
    api: apiUrl,
    docs: `${apiUrl}/docs`,
    console: `${apiUrl}/console/`,
    consoleBuilt: existsSync(join(ROOT, 'console', 'dist', 'index.html')),
    temporalUi: uiUrl,
    temporal: env.TEMPORAL_ADDRESS!,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    metrics: Object.fromEntries(metricsPorts.map(([key, , what]) => [what, metricsUrl(env, env[key]!)])),
  };
  // for a log collector one record like every other line; for a person the banner
  if (logFormat === 'json') log.info(ready, 'stack ready');
  else process.stdout.write(readyBanner(ready));
}

main().catch(async (err: unknown) => {
  log.error({ err }, 'start failed');
  await shutdown(1);
});
