/**
 * In production every line a process writes is JSON, start-up failures
 * included: a bad configuration (all its problems in one record), a crash
 * before or after the logger exists, a bad LOG_FORMAT given to `npm start`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], { env: { ...process.env, NODE_ENV: 'production', ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.once('exit', (code) => resolve({ code, lines: output.split('\n').filter((l) => l.trim() !== '') }));
  });
}

/** Every line parsed as a JSON record; a line that is not JSON fails the test with the line in view. */
function records(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { notJson: line };
    }
  });
}

describe('production start-up failures are JSON lines', () => {
  test('the worker with a bad configuration: one fatal record naming every bad variable, never its value', async () => {
    const { code, lines } = await run('worker/main.ts', { WORKER_METRICS_PORT: 'abc', DATABASE_POOL_MAX: '0' });
    expect(code).toBe(1);
    const all = records(lines);
    expect(all).toEqual([expect.objectContaining({ level: 60, name: 'worker', msg: 'invalid configuration' })]);
    expect(all[0]!.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^WORKER_METRICS_PORT: /), expect.stringMatching(/^DATABASE_POOL_MAX: /)]));
    expect(lines.join('\n')).not.toContain('abc');
  });

  test('the API with a bad configuration, likewise', async () => {
    const { code, lines } = await run('api/main.ts', { API_PORT: 'port', RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    expect(code).toBe(1);
    const all = records(lines);
    expect(all).toEqual([expect.objectContaining({ level: 60, name: 'api', msg: 'invalid configuration' })]);
    expect(all[0]!.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^API_PORT: /), expect.stringMatching(/^RATE_LIMIT_WRITES_PER_MINUTE: /)]));
  });

  test('a worker that crashes at start (Temporal refuses the connection): its error and stack inside one JSON record', async () => {
    const { code, lines } = await run('worker/main.ts', {
      TEMPORAL_ADDRESS: '127.0.0.1:1', WORKER_METRICS_PORT: 'off', TEMPORAL_SDK_METRICS_PORT: 'off',
      DATABASE_URL: 'postgres://app:Zq81-hidden-pw@127.0.0.1:1/rect',
    });
    expect(code).toBe(1);
    const all = records(lines);
    expect(all.filter((r) => 'notJson' in r)).toEqual([]);
    const fatal = all.find((r) => r.level === 60)!;
    expect(fatal).toMatchObject({ name: 'worker', msg: 'fatal', err: { message: expect.stringMatching(/connect|refused/i), stack: expect.any(String) } });
    expect(lines.join('\n')).not.toContain('Zq81-hidden-pw');
  });

  test('npm start with a LOG_FORMAT it does not know, in production: a JSON line', async () => {
    const { code, lines } = await run('scripts/start-stack.ts', { LOG_FORMAT: 'fancy' });
    expect(code).toBe(1);
    expect(records(lines)).toEqual([expect.objectContaining({ level: 60, name: 'start', err: expect.objectContaining({ message: expect.stringMatching(/LOG_FORMAT must be pretty or json/) }) })]);
  });
});

describe('a crash after start-up', () => {
  test.each([
    ['an exception nothing caught', "setTimeout(() => { throw new Error('boom after start'); }, 10);"],
    ['a rejection nothing handled', "setTimeout(() => { void Promise.reject(new Error('boom after start')); }, 10);"],
  ])('%s: exit 1 with one fatal JSON record, not a plain stack', async (_what, crash) => {
    const script = `require(${JSON.stringify(join(ROOT, 'config/fatal-line.ts'))}).exitFatalOnUncaught('worker'); ${crash}`;
    const { code, lines } = await new Promise<{ code: number | null; lines: string[] }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, NODE_ENV: 'production' } });
      let output = '';
      child.stdout.on('data', (d) => (output += String(d)));
      child.stderr.on('data', (d) => (output += String(d)));
      child.once('exit', (c) => resolve({ code: c, lines: output.split('\n').filter((l) => l.trim() !== '') }));
    });
    expect(code).toBe(1);
    expect(records(lines)).toEqual([expect.objectContaining({ level: 60, name: 'worker', msg: 'fatal', err: expect.objectContaining({ message: 'boom after start' }) })]);
  });
});
