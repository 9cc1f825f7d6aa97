/** Stops the dev server that global-setup.ts started (kills its whole process group) and removes the bundle. */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DevServer } from '../../scripts/dev-server';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __TEMPORAL_DEV_SERVER__?: DevServer };
  const server = holder.__TEMPORAL_DEV_SERVER__;
  holder.__TEMPORAL_DEV_SERVER__ = undefined;
  const bundle = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
  if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
  if (server) await server.stop();
}
