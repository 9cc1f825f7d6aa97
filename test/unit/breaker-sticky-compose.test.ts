/**
 * Breaker: WORKER_STICKY_QUEUE_TIMEOUT_SECONDS is documented as an operator knob
 * (README: Configuration, Operations: "a lower value spreads a busy worker's
 * backlog to idle ones sooner"), but the compose deployment passes its sibling
 * worker knobs through from the operator's environment and not this one: set in
 * .env it never reaches the worker containers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

test('docker-compose passes WORKER_STICKY_QUEUE_TIMEOUT_SECONDS to the worker, as it does WORKER_MAX_CACHED_WORKFLOWS', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true });
  const env = compose.services.worker.environment as Record<string, string>;
  expect(env.WORKER_MAX_CACHED_WORKFLOWS).toBe('${WORKER_MAX_CACHED_WORKFLOWS:-500}');
  expect(env.WORKER_STICKY_QUEUE_TIMEOUT_SECONDS).toBe('${WORKER_STICKY_QUEUE_TIMEOUT_SECONDS:-60}');
});
