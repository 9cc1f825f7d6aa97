/**
 * What `npm start` prints (scripts/log-view.ts): one readable line per event
 * with the process's name in development, the JSON lines untouched in
 * production.
 */
import { PassThrough } from 'node:stream';
import { createLogView, logFormatFrom, pipeLines } from '../../scripts/log-view';

const workerLine = JSON.stringify({
  level: 30, time: Date.parse('2026-03-01T08:00:00Z'), pid: 7, hostname: 'h', name: 'worker',
  taskQueue: 'rectification', msg: 'worker started',
});

describe('log format', () => {
  test('pretty in development and test, JSON in production, LOG_FORMAT decides when given', () => {
    expect(logFormatFrom({})).toBe('pretty');
    expect(logFormatFrom({ NODE_ENV: 'development' })).toBe('pretty');
    expect(logFormatFrom({ NODE_ENV: 'production' })).toBe('json');
    expect(logFormatFrom({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormatFrom({ LOG_FORMAT: 'JSON' })).toBe('json');
    expect(() => logFormatFrom({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('pretty view', () => {
  const view = createLogView('pretty', { colors: false });

  test('a JSON event becomes one line: time, level, process name, message, the other fields', () => {
    const out = view.format('worker', workerLine);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd()).not.toContain('\n');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: worker +worker started \{"taskQueue":"rectification"\}\n$/);
    expect(out).not.toMatch(/"pid"|"hostname"/);
  });

  test('a message of many lines and an error with its stack stay on one line', () => {
    const multi = JSON.stringify({ level: 30, time: 0, name: 'worker', msg: 'asset bundle.js 2 MiB\nmodules 80\nwebpack compiled' });
    expect(view.format('worker', multi).trimEnd().split('\n')).toEqual([expect.stringContaining('asset bundle.js 2 MiB (+2 more lines)')]);
    const failed = JSON.stringify({ level: 50, time: 0, name: 'api', msg: 'request failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1)' } });
    const line = view.format('api', failed);
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line).toContain('ERROR: api    request failed');
    expect(line).toContain('at f (a.ts:1)');
  });

  test('what is not a log record (a fatal message on stderr) is printed with the process name', () => {
    expect(view.format('api', 'api: fatal: listen EADDRINUSE')).toBe('api    api: fatal: listen EADDRINUSE\n');
  });

  test('with colours, each process has its own', () => {
    const coloured = createLogView('pretty', { colors: true });
    const colourOf = (name: string) => new RegExp(`\u001b\\[(\\d+)m${name}`).exec(coloured.format(name, workerLine))?.[1];
    const colours = ['start', 'worker', 'api'].map(colourOf);
    expect(colours.every((c) => c !== undefined)).toBe(true);
    expect(new Set(colours).size).toBe(3);
  });
});

describe('JSON view', () => {
  test('lines pass through unchanged, for a log collector', () => {
    expect(createLogView('json').format('worker', workerLine)).toBe(`${workerLine}\n`);
  });
});

describe('pipeLines', () => {
  test('prints every line of a child stream through the view, in order, skipping blank ones', async () => {
    const from = new PassThrough();
    const to = new PassThrough();
    const printed: string[] = [];
    to.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    const done = pipeLines(createLogView('json'), 'api', from, to);
    from.end('{"level":30,"msg":"a"}\n\n{"level":30,"msg":"b"}\n');
    await done;
    expect(printed.join('')).toBe('{"level":30,"msg":"a"}\n{"level":30,"msg":"b"}\n');
  });
});
