/** The API's pino logger. Authorization headers and tokens are redacted: they never reach a log line. */
import pino from 'pino';

export function createApiLogger(level: string): pino.Logger {
  return pino({
    name: 'api',
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
