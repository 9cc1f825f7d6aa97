/**
 * The API as production runs it: a process of its own (`npm run api`), so its
 * event loop serves requests only, not also the worker the benchmark runs.
 * Resolves once it answers /healthz; `stop` sends SIGTERM and waits for it.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startApiProcess(env: Record<string, string>): Promise<{ base: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const root = join(__dirname, '..');
  // SPEED_API_NODE_ARGS: node options for the API alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/api` to see where its time goes
  const nodeArgs = process.env.SPEED_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, 'api/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, API_PORT: String(port), API_HOST: '127.0.0.1', API_METRICS_PORT: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`the API process exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) return { base, pid: child.pid!, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the API process did not answer /healthz within 60 s: ${stderr}`);
}
