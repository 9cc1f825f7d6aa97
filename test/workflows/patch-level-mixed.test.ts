/**
 * Mixed deploys: an item started with `patchLevel` whose first tasks ran on a worker that predates
 * levels (it ignores the field and asks `patched()`, recording markers) must still replay on
 * today's code, which takes the level's patches without asking.
 */
import '../support/quiet-runtime';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { PATCH_LEVEL } from '../../workflows/patches';

const dir = join(__dirname, '..', 'histories');

function withLevel(file: string, level: unknown): temporal.api.history.v1.History {
  const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
  const started = history.events[0]!.workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<Record<string, unknown>>(started.input!.payloads![0]!);
  expect(input.format).toBe(2);
  expect(input.patchLevel).toBeUndefined();
  started.input!.payloads![0] = defaultPayloadConverter.toPayload({ ...input, patchLevel: level }) as temporal.api.common.v1.IPayload as never;
  return history;
}

test.each(['lifecycle-v9.history.bin', 'every-command-v9.history.bin'])(
  '%s, started at the level but run by code that asks patched(), replays', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, withLevel(file, PATCH_LEVEL), file),
    ).resolves.toBeUndefined();
  });
