/** The worker's own knobs: defaults, overrides, refusals. */
import { DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS, loadWorkerConfig } from '../../worker/config';

test("a wake waits 60 s for the worker caching its item by default (Temporal's 10 s sends a large wave to full replays)", () => {
  expect(DEFAULT_STICKY_QUEUE_TIMEOUT_SECONDS).toBe(60);
  expect(loadWorkerConfig({}).WORKER_STICKY_QUEUE_TIMEOUT_SECONDS).toBe(60);
  expect(loadWorkerConfig({ WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '10' }).WORKER_STICKY_QUEUE_TIMEOUT_SECONDS).toBe(10);
  for (const bad of ['0', '-5', '1.5', 'soon', '3601']) {
    expect(() => loadWorkerConfig({ WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: bad })).toThrow(/WORKER_STICKY_QUEUE_TIMEOUT_SECONDS/);
  }
});
