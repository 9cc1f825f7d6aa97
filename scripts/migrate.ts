/**
 * `npm run migrate`: creates the database if it is missing (the local default
 * `rectification` usually is on a fresh machine), then applies pending migrations.
 */
import pino from 'pino';
import { z } from 'zod';
import { databaseEnv, loggingEnv, parseEnv } from '../config/env';
import { redactingDestination, redactorFor } from '../config/log-redaction';
import { ensureDatabaseExists, migrate } from '../db/migrate';
import { createPool } from '../db/pool';

const MigrateEnvSchema = z.object({ ...databaseEnv, ...loggingEnv });

async function main(): Promise<void> {
  const config = parseEnv(MigrateEnvSchema);
  const log = pino({ name: 'migrate', level: config.LOG_LEVEL }, redactingDestination(redactorFor(process.env)));
  await ensureDatabaseExists(config.DATABASE_URL);
  const pool = createPool(config, log);
  try {
    const { applied } = await migrate(pool);
    // the database name is useful and not secret; the full URL may carry a password
    const database = new URL(config.DATABASE_URL).pathname.slice(1);
    log.info({ database, applied }, applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  pino({ name: 'migrate' }, redactingDestination(redactorFor(process.env))).error({ err }, 'migration failed');
  process.exitCode = 1;
});
