/**
 * The API's pino logger. Authorization headers and tokens are redacted, and so
 * is any credential in a URL (config/log-redaction.ts): none reaches a log line.
 */
import pino from 'pino';
import { redactingDestination, redactorFor, type Redactor } from '../config/log-redaction';

export function createApiLogger(level: string, redact: Redactor = redactorFor(process.env)): pino.Logger {
  return pino(
    {
      name: 'api',
      level,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    redactingDestination(redact),
  );
}
