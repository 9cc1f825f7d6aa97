/**
 * What a process says when it cannot go on before its logger exists (a bad
 * configuration) or after it gave up on it (a crash): one JSON line shaped
 * like the process's pino records (level 60, `fatal`), never plain text or a
 * bare stack, so a log collector reads every line it writes. Credentials are
 * masked as in every other line (config/log-redaction.ts).
 */
import { hostname } from 'node:os';
import pino from 'pino';
import { ConfigError } from './env';
import { redactorFor } from './log-redaction';

const FATAL = 60;

export function fatalLine(name: string, err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const fields =
    err instanceof ConfigError
      ? { problems: err.problems, msg: 'invalid configuration' }
      : { err: err instanceof Error ? pino.stdSerializers.err(err) : { message: String(err) }, msg: 'fatal' };
  const record = { level: FATAL, time: Date.now(), pid: process.pid, hostname: hostname(), name, ...fields };
  return `${redactorFor(env)(JSON.stringify(record))}\n`;
}

/** Writes the fatal line on stderr (synchronous on Linux for files, pipes and terminals) and exits 1. */
export function exitFatal(name: string, err: unknown): never {
  process.stderr.write(fatalLine(name, err));
  return process.exit(1);
}

/**
 * A crash after start-up (an exception nothing caught, a rejection nothing
 * handled) ends the process as Node would, exit code 1, but with the fatal
 * JSON line instead of Node's plain stack.
 */
export function exitFatalOnUncaught(name: string): void {
  // unhandled rejections reach this handler too (Node's default mode turns them into uncaught exceptions)
  process.on('uncaughtException', (err) => exitFatal(name, err));
}
