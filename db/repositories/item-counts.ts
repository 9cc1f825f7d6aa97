/**
 * How many items the read side holds, by status and light: what the API's
 * `rect_items` gauge reports. One GROUP BY over `items`, bounded twice: a
 * statement timeout for the server, and a deadline of our own for a server
 * that accepted the connection and then says nothing (a statement timeout is
 * the server's to enforce, so it cannot help there). Past the deadline the
 * connection is destroyed, not returned to the pool, and the count fails.
 */
import type { Pool, PoolClient } from 'pg';

export interface ItemCount {
  status: string;
  light: string;
  count: number;
}

const STATEMENT_TIMEOUT = '2s';
export const DEFAULT_COUNT_DEADLINE_MS = 3_000;

// one round trip; the SET LOCAL ends with the transaction
const COUNT_SQL = `BEGIN; SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}';
  SELECT status, light, count(*) AS count FROM items GROUP BY status, light ORDER BY status, light;
  COMMIT`;

export async function countItemsByStatusAndLight(pool: Pool, deadlineMs = DEFAULT_COUNT_DEADLINE_MS): Promise<ItemCount[]> {
  let late = false;
  let client: PoolClient | undefined;
  const work = (async () => {
    const connected = await pool.connect();
    if (late) {
      connected.release(); // nobody waits for it any more; the connection itself is fine
      throw new Error('connected after the deadline');
    }
    client = connected;
    try {
      const results = (await connected.query(COUNT_SQL)) as unknown as Array<{ rows: ItemCount[] }>;
      connected.release();
      return results[2]!.rows;
    } catch (err) {
      // whatever state the transaction was left in, this connection goes
      if (!late) connected.release(err as Error);
      throw err;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      late = true;
      // a silent server never answers: drop the connection so the pool does not keep it
      client?.release(new Error('counting items timed out'));
      reject(new Error(`counting items got no answer within ${deadlineMs} ms`));
    }, deadlineMs);
  });
  work.catch(() => undefined); // after the deadline its failure is nobody's
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
