/**
 * A local save that outlives its 3 s but commits all the same, then the regular
 * activity saving the same batch again: real dev server, real PostgreSQL. The
 * database is slowed for the item's first save by another connection holding,
 * one after the other, the item's save lock (2.5 s) and its item_units row (2.5 s
 * more): each wait is under the save's 3 s lock timeout, together they pass the
 * local save's 3 s. Nothing may be written twice, and the read side must end
 * exactly as the workflow is.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { composeItemView, getItemView, WHOLE_ITEM } from '../../db/repositories/item-view';
import type { ItemInput } from '../../domain/types';
import { LOCAL_SAVE_TIMEOUT_MS } from '../../workflows/item-save';
import { itemStateQuery, itemWorkflowId, WORKFLOW_TYPE } from '../../workflows/messages';
import { createItemWorker } from '../../worker/create-worker';
import { newItemArgs } from '../support/item-start';
import { testTemporalAddress } from '../support/stack';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import '../support/quiet-runtime';

const leader = { id: 'leader-1', name: 'Leader', role: 'leader' as const };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TestDatabase;
let connection: Connection;
let nativeConnection: NativeConnection;
beforeAll(async () => {
  db = await createTestDatabase();
  connection = await Connection.connect({ address: testTemporalAddress() });
  nativeConnection = await NativeConnection.connect({ address: testTemporalAddress() });
});
afterAll(async () => {
  await nativeConnection?.close();
  await connection?.close();
  await db?.drop();
});

test('a local save that times out but commits, saved again by the regular activity, writes everything once', async () => {
  const pool = db.pool;
  const client = new Client({ connection });
  const taskQueue = `slow-save-${randomUUID()}`;
  const input: ItemInput = {
    id: `slow-${randomUUID()}`, title: 'Slow save', supervisionLevel: 'county', leader: { id: leader.id, name: leader.name },
    problems: [{ id: 'P1', description: 'Problem', severity: 'low' }],
    tasks: [{
      id: 'T1', problemIds: ['P1'], description: 'Task', ownerUnit: 'unit-a', ownerPerson: 'Zhang',
      deadline: { kind: 'instant', at: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    }],
  };
  const bundlePath = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
  const worker = await createItemWorker({
    connection: nativeConnection, namespace: 'default', taskQueue, pool,
    workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
  });
  const running = worker.run();
  const holder = await pool.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(7301, hashtext($1))', [input.id]);
    await holder.query('BEGIN');
    await holder.query('INSERT INTO item_units (unit, item_id) VALUES ($1, $2)', ['unit-a', input.id]);
    const started = Date.now();
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue, workflowId: itemWorkflowId(input.id), args: newItemArgs(input, leader, Date.now()),
    });
    await sleep(2_500);
    await holder.query('SELECT pg_advisory_unlock(7301, hashtext($1))', [input.id]);
    await sleep(2_500);
    await holder.query('COMMIT');
    expect(Date.now() - started).toBeGreaterThan(LOCAL_SAVE_TIMEOUT_MS);

    const state = await handle.query(itemStateQuery);
    const end = Date.now() + 30_000;
    for (;;) {
      const { rows } = await pool.query('SELECT version FROM items WHERE id = $1', [input.id]);
      if (rows[0] && rows[0].version >= state.counters.auditSeq) break;
      if (Date.now() > end) throw new Error('the save never landed');
      await sleep(200);
    }
    // the regular activity ran too (the local one had timed out): its history shows it
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(true);
    // ... and it changed nothing the local one wrote: one of each record
    const { rows: audit } = await pool.query('SELECT action FROM audit_events WHERE item_id = $1 ORDER BY seq', [input.id]);
    expect(audit.map((a) => a.action)).toEqual(['itemCreated']);
    const { rows: counts } = await pool.query(
      `SELECT (SELECT count(*)::int FROM tasks WHERE item_id = $1) AS tasks, (SELECT count(*)::int FROM problems WHERE item_id = $1) AS problems,
              (SELECT count(*)::int FROM item_units WHERE item_id = $1) AS units`,
      [input.id],
    );
    expect(counts[0]).toEqual({ tasks: 1, problems: 1, units: 1 });
    // the kept view is the item as it is
    const composed = await composeItemView(pool, input.id, WHOLE_ITEM);
    expect(await getItemView(pool, input.id, WHOLE_ITEM)).toEqual(composed);
    expect(composed!.version).toBe(state.counters.auditSeq);
    await handle.terminate('test over');
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    holder.release();
    worker.shutdown();
    await running;
  }
});
