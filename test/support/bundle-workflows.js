/**
 * Bundles workflow code the way the worker does, in a process of its own, and
 * prints one JSON line: { code } on success, { error, complaints } otherwise.
 *
 * Why a separate process: the worker bundles in plain Node. Inside a jest
 * worker, webpack and its native loader run in a module registry jest builds
 * per test file, after other files (which also bundle) ran in the same
 * process; a failure there would say nothing about the product.
 */
const { bundleWorkflowCode } = require('@temporalio/worker');

async function main() {
  const complaints = [];
  const collect = (message) => complaints.push(String(message));
  const logger = { log: (_level, m) => collect(m), trace() {}, debug() {}, info() {}, warn: collect, error: collect };
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: process.argv[2], logger });
    process.stdout.write(JSON.stringify({ code }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err), complaints }) + '\n');
  }
}

void main();
