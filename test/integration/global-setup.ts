/**
 * Jest globalSetup of the integration project: ONE in-memory, headless dev
 * server for every test file (starting one per file would cost seconds each on
 * 2 cores), and ONE workflow bundle (webpack takes seconds too). Test workers
 * are forked after this runs, so they inherit the env vars set here.
 * Binaries are resolved here once so parallel test files never race to pip install.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { DATA_DIR, startDevServer, type DevServer } from '../../scripts/dev-server';
import { resolveTemporalBinary, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from '../../scripts/temporal-binaries';

/** Jest runs setup and teardown in the same parent process: the handle travels on globalThis. */
export const devServerHolder = globalThis as { __TEMPORAL_DEV_SERVER__?: DevServer };

export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_CLI_PATH = resolveTemporalBinary(TEMPORAL_CLI);
  process.env.TEMPORAL_TEST_SERVER_PATH = resolveTemporalBinary(TEMPORAL_TEST_SERVER);

  const [started, bundled] = await Promise.allSettled([
    process.env.TEMPORAL_TEST_ADDRESS
      ? undefined
      : startDevServer({ readyTimeoutMs: 90_000, logFile: join(DATA_DIR, 'temporal-dev-server-test.log') }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') }),
  ]);
  if (started.status === 'rejected' || bundled.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value?.stop();
    throw started.status === 'rejected' ? started.reason : (bundled as PromiseRejectedResult).reason;
  }
  const server = started.value;
  const bundle = bundled.value;
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'rect-bundle-')), 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE = bundlePath;
  if (server) {
    devServerHolder.__TEMPORAL_DEV_SERVER__ = server;
    process.env.TEMPORAL_TEST_ADDRESS = server.address;
  }
}
