/**
 * Starts `temporal server start-dev` ourselves and waits until its frontend
 * answers gRPC. The SDK's `createLocal` gives the server only a few seconds,
 * which is not enough on a loaded 2-core machine with a cold SQLite file.
 *
 * The server runs in its own process group so `stop()` can kill the group and
 * leave no orphan (the CLI forks the UI server and other helpers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/messages';
import { resolveTemporalBinary, TEMPORAL_CLI } from './temporal-binaries';

export const DATA_DIR = resolve(__dirname, '..', '.data');

export interface DevServerOptions {
  /** SQLite file to persist to; undefined = in-memory (state dies with the process) */
  dbFile?: string;
  /** gRPC port; undefined = a free one */
  port?: number;
  /** Web UI port; undefined = headless (no UI) */
  uiPort?: number;
  /** extra namespace to create besides `default` */
  namespace?: string;
  /** where the server's output goes; default .data/temporal-dev-server-<port>.log */
  logFile?: string;
  /** give up waiting for readiness after this long */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the gRPC frontend */
  address: string;
  uiUrl?: string;
  logFile: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the OS picks it when binding port 0). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** True when nothing listens on `port` (so it can be used as a default). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolveFree(false));
    srv.listen(port, host, () => srv.close(() => resolveFree(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the frontend with backoff until getSystemInfo answers, the process dies, or the deadline passes. */
async function waitUntilReady(address: string, child: ChildProcess, timeoutMs: number, logFile: string) {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal dev server exited (code ${child.exitCode}, signal ${child.signalCode}); see ${logFile}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
  const why = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`temporal dev server at ${address} not ready after ${timeoutMs} ms (${why}); see ${logFile}`);
}

/** Kills the whole process group and waits for the leader to exit (SIGKILL after a grace period). */
async function killGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* group already gone */
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL'); // stragglers the CLI may have left in the group
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const binary = resolveTemporalBinary(TEMPORAL_CLI);
  const port = options.port ?? (await findFreePort());
  const address = `127.0.0.1:${port}`;
  const logFile = options.logFile ?? join(DATA_DIR, `temporal-dev-server-${port}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true });

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  // Write-ahead logging: a commit appends to the log instead of rewriting and syncing a rollback
  // journal, and readers stop blocking the writer. Commits stay synced (synchronous=FULL, SQLite's
  // default), so nothing committed is lost even on power loss. Measured on a wave of 2,000 due
  // timers: about 1.6 times the throughput and half the p99 lateness of the default journal.
  if (options.dbFile) args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal');
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const [name, type] of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', `${name}=${type}`);

  // a persistent server keeps its log across restarts; an in-memory one starts a fresh log
  const log = createWriteStream(logFile, { flags: options.dbFile ? 'a' : 'w' });
  await new Promise<void>((r) => log.once('open', () => r()));
  // detached: own process group, so stop() reaches every helper the CLI starts
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
  // our own exit must not leave the server behind (e.g. a crash before stop())
  const onExit = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= killGroup(child).finally(() => {
      process.removeListener('exit', onExit);
      log.end();
    });
    return stopped;
  };

  try {
    await waitUntilReady(address, child, options.readyTimeoutMs ?? 60_000, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    logFile,
    pid: child.pid!,
    stop,
  };
}
