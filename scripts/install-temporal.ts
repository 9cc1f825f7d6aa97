/** `npm run temporal:install`: makes sure both Temporal binaries are present and prints their paths. */
import { resolveTemporalBinary, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from './temporal-binaries';

for (const spec of [TEMPORAL_CLI, TEMPORAL_TEST_SERVER]) {
  process.stdout.write(`${spec.name}: ${resolveTemporalBinary(spec)}\n`);
}
