/** Recognises "PostgreSQL cannot be reached" among the errors `pg` throws, so the API answers 503, not 500. */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** SQLSTATE classes: 08 connection exception, 57P0x operator intervention (shutdown), 53 insufficient resources. */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300';
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) return true;
  // pg-pool's own wording when no connection could be had in time, or the server went away mid-query
  return /timeout exceeded when trying to connect|Connection terminated unexpectedly/i.test(err.message);
}

/** SQLSTATE class 22 (data exception): a value from the request that PostgreSQL cannot take, e.g. a forged cursor. */
export function isDatabaseDataError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}
