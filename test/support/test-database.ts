/**
 * A fresh, migrated database per test file, on the server named by
 * TEST_DATABASE_ADMIN_URL, dropped (even with open connections) by `drop()`.
 * Unique names let test files and parallel jest workers run side by side.
 */
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, type Pool } from 'pg';
import { z } from 'zod';
import { parseEnv } from '../../config/env';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';

const TestDatabaseEnvSchema = z.object({
  TEST_DATABASE_ADMIN_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
});

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

async function onAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { TEST_DATABASE_ADMIN_URL: adminUrl } = parseEnv(TestDatabaseEnvSchema);
  const name = `rect_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // names are generated here, never taken from input; quoting is belt and braces
  await onAdmin(adminUrl, `CREATE DATABASE ${escapeIdentifier(name)}`);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const pool = createPool({ DATABASE_URL: url, DATABASE_POOL_MAX: 5 });
  const drop = async () => {
    await pool.end().catch(() => undefined);
    await onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  };
  try {
    await migrate(pool);
  } catch (err) {
    await drop();
    throw err;
  }
  return { url, pool, drop };
}
