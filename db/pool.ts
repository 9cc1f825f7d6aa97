/**
 * The one connection pool per process, a transaction helper and a health ping.
 *
 * Rows from this pool follow the project's boundary rule (see README "Architecture": dates
 * cross every boundary as ISO-8601 strings): timestamptz columns arrive as ISO
 * strings, not Date objects, and int8 (what count(*) and sum(int) return)
 * arrives as a number, not a string. Repositories rely on both.
 */
import { Pool, types, type CustomTypesConfig, type PoolClient } from 'pg';
import pino from 'pino';

export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
}

/** Where pool errors are reported; a pino logger fits. */
export interface PoolErrorLog {
  warn(obj: object, msg: string): void;
}

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

const parseDate = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;

/** Per-pool parsers (not the process-global `types.setTypeParser`), so other pg users are unaffected. */
const rowTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMPTZ_OID && format !== 'binary') {
      return (value: string) => {
        const date: unknown = parseDate(value);
        // '±infinity' has no ISO form (pg-types gives a number for it): hand back PostgreSQL's own text
        return date instanceof Date && Number.isFinite(date.getTime()) ? date.toISOString() : value;
      };
    }
    // counts never approach 2^53; a number is what every caller wants
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};

export function createPool(config: DatabaseConfig, log: PoolErrorLog = pino({ name: 'db-pool' })): Pool {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    types: rowTypes,
    // fail a request quickly rather than queueing forever when the database is unreachable
    connectionTimeoutMillis: 10_000,
  });
  // An idle client can die (server restart, network blip). Without a listener the
  // 'error' event would crash the process; the pool already discards that client.
  pool.on('error', (err) => {
    log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle database client failed');
  });
  return pool;
}

/**
 * Runs `fn` inside BEGIN … COMMIT on one client; rolls back and rethrows on any
 * error. `fn` may start with `SET TRANSACTION …` to pick an isolation level.
 * `opening` (statements without parameters: literals already escaped) runs in
 * the same round trip as BEGIN: settings and locks a hot path takes first.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, opening?: string): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(opening ? `BEGIN; ${opening}` : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // the connection itself is gone: do not return it to the pool
      broken = rollbackErr as Error;
    }
    // its prepared statements no longer fit the schema: a new connection prepares them afresh
    if (staleStatement(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * A statement this connection prepared (db/prepared.ts) no longer fits: a
 * migration changed the type of a column it returns, or the statement is gone.
 * PostgreSQL keeps refusing it on this connection, so the connection must go.
 * (`pool.query` already discards a connection on any error.)
 */
function staleStatement(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(message ?? ''));
}

/** Resolves when the database answers a trivial query; rejects otherwise (for health checks and start-up). */
export async function pingDatabase(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}
