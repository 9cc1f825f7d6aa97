/**
 * Installs the Temporal runtime with warnings-only logging (or TEST_SDK_LOG_LEVEL),
 * so test output shows test results rather than worker state chatter. Import it
 * before anything creates a connection or a worker.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as LogLevel | undefined) ?? 'WARN') });
} catch {
  // already installed in this process by another test module
}
