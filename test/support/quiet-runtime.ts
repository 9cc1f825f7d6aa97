/**
 * Installs the Temporal runtime with warnings-only logging, so test output
 * shows test results rather than worker state chatter. Import it first.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process by another test module
}
