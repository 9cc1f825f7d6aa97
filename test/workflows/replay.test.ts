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
import { msToTs, tsToMs } from '@temporalio/common/lib/time';

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

// The item times its timers by the worker's clock as its task runs (workflows/timer-timing.ts): a replay
// computes other durations than the ones recorded. Temporal matches a timer by its id, not its duration;
// an SDK that began to compare durations would fail every replay of a running item, and fails here first.
test('a timer recorded with another duration than the replay computes replays without non-determinism', async () => {
  const file = files.find((f) => {
    const h = temporal.api.history.v1.History.decode(readFileSync(join(dir, f)));
    return (h.events ?? []).some((e) => e.timerStartedEventAttributes);
  });
  if (!file) throw new Error('no recorded history starts a timer');
  const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
  let changed = 0;
  for (const e of history.events ?? []) {
    const timer = e.timerStartedEventAttributes;
    if (!timer?.startToFireTimeout) continue;
    timer.startToFireTimeout = msToTs(tsToMs(timer.startToFireTimeout) + 1_234);
    changed++;
  }
  expect(changed).toBeGreaterThan(0);
  await expect(
    Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, `${file} (timers re-timed)`),
  ).resolves.toBeUndefined();
});
