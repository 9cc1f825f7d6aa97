/**
 * A client built with clientConnectionOptions reads a history past 4 MiB
 * (grpc-js' default for a received message, which the SDK means to raise but
 * names without its `grpc.` prefix). Real dev server; no worker needed: the
 * workflow only collects signals until it is terminated.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { clientConnectionOptions } from '../../config/temporal-connection';
import { testTemporalAddress } from '../support/stack';

const MiB = 1024 * 1024;

test('a 5 MiB history reads whole through the product\'s client options, and not through the SDK\'s defaults', async () => {
  const ours = await Connection.connect(clientConnectionOptions({ TEMPORAL_ADDRESS: testTemporalAddress(), TEMPORAL_TLS: false }));
  const plain = await Connection.connect({ address: testTemporalAddress() });
  try {
    const client = new Client({ connection: ours });
    const handle = await client.workflow.start('nobodyRunsThis', { taskQueue: `nobody-${randomUUID()}`, workflowId: `big-history-${randomUUID()}` });
    try {
      // each signal stays under the server's 2 MiB payload limit; together they pass 4 MiB
      for (let i = 0; i < 4; i++) await handle.signal('bulk', 'x'.repeat(1.25 * MiB));
      const history = await handle.fetchHistory();
      expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(4);
      await expect(new Client({ connection: plain }).workflow.getHandle(handle.workflowId).fetchHistory()).rejects.toThrow(/RESOURCE_EXHAUSTED|larger than max/i);
    } finally {
      await handle.terminate('test over');
    }
  } finally {
    await plain.close();
    await ours.close();
  }
});
