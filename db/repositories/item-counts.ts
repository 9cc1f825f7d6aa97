/**
 * How many items the read side holds, by status and light: what the API's
 * `rect_items` gauge reports. One GROUP BY over `items`, bounded by a
 * statement timeout so a scrape never holds a pooled connection for long.
 */
import type { Pool } from 'pg';
import { withTransaction } from '../pool';

export interface ItemCount {
  status: string;
  light: string;
  count: number;
}

const COUNT_TIMEOUT = '2s';

export async function countItemsByStatusAndLight(pool: Pool): Promise<ItemCount[]> {
  return withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL statement_timeout = '${COUNT_TIMEOUT}'`);
    const { rows } = await client.query<ItemCount>(
      'SELECT status, light, count(*) AS count FROM items GROUP BY status, light ORDER BY status, light',
    );
    return rows;
  });
}
