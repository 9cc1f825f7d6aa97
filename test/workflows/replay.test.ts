/**
 * Replays every history recorded in test/histories/ (binary protobuf, as the server stores them) against today's workflow
 * code. A change that would break items already running (a non-determinism
 * error) fails here; such a change belongs behind `patched()`.
 * Record a new history with: RECORD_HISTORIES=1 npx jest test/workflows/lifecycle.test.ts
 */
import '../support/quiet-runtime';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.history.bin'));

test('histories are recorded', () => {
  expect(files.length).toBeGreaterThan(0);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
  await expect(
    Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, file),
  ).resolves.toBeUndefined();
});
