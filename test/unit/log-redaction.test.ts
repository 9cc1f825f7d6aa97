/**
 * No log line carries a credential: the redactor every process logs through
 * masks URL passwords and the DATABASE_URL's password wherever it shows, and
 * `npm start` (scripts/start-stack.ts) given a DATABASE_URL with a password,
 * well-formed or not, prints it in neither of its formats.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { credentialRedactor, passwordOf, redactorFor } from '../../config/log-redaction';

const PASSWORD = 'S3cret-Pw_9x';

describe('credential redactor', () => {
  test('a URL password is masked wherever it is, the user and host kept; a JSON line stays JSON', () => {
    const redact = credentialRedactor();
    expect(redact('connecting to postgres://app:hunter2hunter@db:5432/rect')).toBe('connecting to postgres://app:[redacted]@db:5432/rect');
    expect(redact('postgresql://db/rect?user=app&password=hunter2hunter&ssl=true')).toBe('postgresql://db/rect?user=app&password=[redacted]&ssl=true');
    const line = JSON.stringify({ url: 'http://127.0.0.1:3000', to: 'a@b', db: 'postgres://u:p4ss@h/d' });
    expect(JSON.parse(redact(line))).toEqual({ url: 'http://127.0.0.1:3000', to: 'a@b', db: 'postgres://u:[redacted]@h/d' });
  });

  test("DATABASE_URL's password is masked even where no URL shows it: a malformed URL, its encoded or JSON-escaped form", () => {
    const url = `postgres://app:${PASSWORD}/"x@[bad/rect`;
    expect(passwordOf(url)).toBe(`${PASSWORD}/"x`);
    const redact = redactorFor({ DATABASE_URL: url });
    const line = JSON.stringify({ err: { code: 'ERR_INVALID_URL', input: url }, msg: 'start failed' });
    expect(redact(line)).not.toContain(PASSWORD);
    expect(JSON.parse(redact(line)).err.input).toBe('postgres://app:[redacted]@[bad/rect');
    expect(redact(`password ${encodeURIComponent(`${PASSWORD}/"x`)} here`)).toBe('password [redacted] here');
    // no password, nothing to mask
    expect(redactorFor({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/rectification' })('postgres://postgres@127.0.0.1:5432/x')).toBe(
      'postgres://postgres@127.0.0.1:5432/x',
    );
  });
});

function runStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // an unreachable Temporal address: the script uses it rather than starting a dev server, and fails at the database first
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/start-stack.ts')], {
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', NODE_ENV: 'development', ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm start', () => {
  test.each([
    ['a malformed DATABASE_URL (the error carries it whole)', `postgres://app:${PASSWORD}@[bad/rect`, 'json'],
    ['a malformed DATABASE_URL, pretty', `postgres://app:${PASSWORD}@[bad/rect`, 'pretty'],
    ['a refused DATABASE_URL', `postgres://app:${PASSWORD}@127.0.0.1:1/rect`, 'json'],
  ])('%s: start fails, and prints no password', async (_what, url, format) => {
    const { code, output } = await runStart({ DATABASE_URL: url, LOG_FORMAT: format });
    expect(code).toBe(1);
    expect(output).toMatch(/start failed/);
    expect(output).not.toContain(PASSWORD);
  });
});
