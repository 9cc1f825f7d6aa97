/** Recognises "PostgreSQL cannot be reached" among the errors `pg` throws, so the API answers 503, not 500. */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** SQLSTATE classes: 08 connection exception, 57P0x operator intervention (shutdown), 53 insufficient resources. */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300';
}

/**
 * Duck-typed rather than `instanceof Error`: socket errors are made by Node's
 * own realm, which is not the caller's inside a VM context (jest's, for one).
 */
function errorParts(err: unknown): { code?: unknown; message?: unknown } | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown; message?: unknown }) : undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const parts = errorParts(err);
  if (!parts) return false;
  if (typeof parts.code === 'string' && (NETWORK_CODES.has(parts.code) || isUnavailableSqlState(parts.code))) return true;
  // pg-pool's own wording when no connection could be had in time, or the server went away mid-query
  return typeof parts.message === 'string' && /timeout exceeded when trying to connect|Connection terminated unexpectedly/i.test(parts.message);
}

/** SQLSTATE class 22 (data exception): a value from the request that PostgreSQL cannot take, e.g. a forged cursor. */
export function isDatabaseDataError(err: unknown): boolean {
  const code = errorParts(err)?.code;
  return typeof code === 'string' && code.startsWith('22');
}
