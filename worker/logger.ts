/**
 * pino for the worker process, and an adapter so the Temporal SDK's own logs
 * (worker lifecycle, activity and workflow context loggers) come out as the
 * same JSON lines instead of the SDK's default stderr format.
 */
import pino, { type Logger as PinoLogger } from 'pino';
import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import { redactingDestination, redactorFor, type Redactor } from '../config/log-redaction';

/** JSON lines on stdout; a credential in a URL (DATABASE_URL's password) never reaches one. */
export function createLogger(level: string, name = 'worker', redact: Redactor = redactorFor(process.env)): PinoLogger {
  return pino({ name, level }, redactingDestination(redact));
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's Logger interface on top of a pino logger. */
export function temporalLoggerFrom(logger: PinoLogger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    // symbol keys (the SDK's internal markers) are not JSON: keep string keys only
    const fields = meta ? Object.fromEntries(Object.entries(meta)) : {};
    logger[LEVELS[level]](fields, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
