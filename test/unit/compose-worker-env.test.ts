/** The worker knobs the README documents reach the compose deployment's workers from the operator's environment. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

test('docker-compose passes WORKER_STICKY_QUEUE_TIMEOUT_SECONDS to the worker, as it does WORKER_MAX_CACHED_WORKFLOWS', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true });
  const env = compose.services.worker.environment as Record<string, string>;
  expect(env.WORKER_MAX_CACHED_WORKFLOWS).toBe('${WORKER_MAX_CACHED_WORKFLOWS:-500}');
  expect(env.WORKER_STICKY_QUEUE_TIMEOUT_SECONDS).toBe('${WORKER_STICKY_QUEUE_TIMEOUT_SECONDS:-60}');
});
