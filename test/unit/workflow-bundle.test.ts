/**
 * The workflow sandbox rule (README "Architecture"): workflows/ and domain/ import no Node
 * built-ins, no pg, express, zod, pino or holiday data at run time. The SDK's bundler refuses
 * built-ins by itself; pure-JS packages such as zod bundle fine, so we also scan
 * the bundle for the packages we forbid. Each forbidden case below must fail
 * the check, or this test fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** npm packages that must never reach the sandbox (webpack keeps their node_modules paths in module ids). */
// chinese-days too: the holiday calendar reaches the workflow as input (recorded in history), never as code,
// so that updating the package cannot change how a running item replays.
const FORBIDDEN_PACKAGES = ['pg', 'pg-pool', 'pg-protocol', 'express', 'zod', 'pino', 'jose', 'chinese-days'];

const BUNDLER = join(__dirname, '..', 'support', 'bundle-workflows.js');

/** Bundles like the worker does (in plain Node); rejects with the bundler's complaints or the forbidden packages found. */
async function checkWorkflowBundle(workflowsPath: string): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [BUNDLER, workflowsPath], { maxBuffer: 256 * 1024 * 1024 });
  const answer = JSON.parse(stdout) as { code?: string; error?: string; complaints?: string[] };
  if (answer.code === undefined) {
    // links dropped: the bundler's advice URL says nothing about what failed, and some log viewers elide such lines
    const unlinked = (text: string) => text.replace(/https?:\/\/\S+/g, '<link>');
    throw new Error(`bundling failed: ${unlinked(answer.error ?? '')}\n${unlinked((answer.complaints ?? []).join('\n'))}`);
  }
  const code = answer.code;
  const found = FORBIDDEN_PACKAGES.filter((name) => new RegExp(`node_modules[\\\\/]${name}[\\\\/]`).test(code));
  if (found.length) throw new Error(`the workflow bundle contains forbidden packages: ${found.join(', ')}`);
}

describe('workflow bundle', () => {
  test('the real workflows bundle without forbidden modules', async () => {
    await expect(checkWorkflowBundle(require.resolve('../../workflows'))).resolves.toBeUndefined();
  });

  describe('a forbidden import fails the check', () => {
    // under test/ so that the probe resolves packages from the project's node_modules
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(__dirname, '..', '.bundle-probe-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** A workflow file that uses `specifier` at run time (an unused import would be elided). */
    function probe(specifier: string): string {
      const file = join(dir, `${specifier.replace(/\W/g, '_')}-workflow.ts`);
      writeFileSync(
        file,
        `import * as forbidden from '${specifier}';\n` +
          `export async function probeWorkflow(): Promise<string> { return typeof forbidden; }\n`,
      );
      return file;
    }

    test.each([
      // the SDK's bundler refuses Node built-ins, directly or through a package
      ['node:fs', /bundling failed[\s\S]*fs/],
      ['node:crypto', /bundling failed[\s\S]*crypto/],
      ['pg', /bundling failed[\s\S]*(disallowed|net)/],
      ['express', /bundling failed[\s\S]*(disallowed|events)/],
      // these bundle cleanly (browser builds / pure JS): only our scan stops them
      ['pino', /forbidden packages: pino/],
      ['zod', /forbidden packages: zod/],
      ['chinese-days/dist/chinese-days.json', /forbidden packages: chinese-days/],
    ])('%s', async (specifier, why) => {
      await expect(checkWorkflowBundle(probe(specifier))).rejects.toThrow(why);
    });

    test('a type-only import of zod is fine (it vanishes at compile time)', async () => {
      const file = join(dir, 'type-only-workflow.ts');
      writeFileSync(
        file,
        `import type { z } from 'zod';\n` +
          `export async function probeWorkflow(): Promise<z.ZodType | undefined> { return undefined; }\n`,
      );
      await expect(checkWorkflowBundle(file)).resolves.toBeUndefined();
    });
  });
});
