/**
 * What `npm start` prints. The worker and the API always log JSON lines
 * (pino); for a person at a terminal each becomes one readable line: time,
 * level, the process's name in its own colour, the message, then the other
 * fields as compact JSON. A message or a stack of several lines stays on one
 * line too. With NODE_ENV=production (or LOG_FORMAT=json) the JSON lines pass
 * through untouched, for a log collector.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createColors, isColorSupported } from 'colorette';
import { prettyFactory } from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';

/** LOG_FORMAT when given (pretty | json); otherwise JSON in production, pretty elsewhere. */
export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked === 'pretty' || asked === 'json') return asked;
  if (asked) throw new Error(`LOG_FORMAT must be pretty or json, not ${JSON.stringify(env.LOG_FORMAT)}`);
  return env.NODE_ENV === 'production' ? 'json' : 'pretty';
}

type Paint = (text: string) => string;
const NAME_WIDTH = 6;

function oneLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} (+${lines.length - 1} more lines)`;
}

export interface LogView {
  /** the line as it should be printed, newline included */
  format(processName: string, line: string): string;
}

export function createLogView(format: LogFormat, options: { colors?: boolean } = {}): LogView {
  if (format === 'json') return { format: (_name, line) => `${line}\n` };
  const useColor = options.colors ?? isColorSupported;
  const c = createColors({ useColor });
  const painters: Record<string, Paint> = { start: c.green, worker: c.cyan, api: c.magenta };
  const label = (name: string) => (painters[name] ?? c.yellow)(name.padEnd(NAME_WIDTH));
  const prettifiers = new Map<string, (record: object) => string>();
  const prettifierFor = (name: string) => {
    let pretty = prettifiers.get(name);
    if (!pretty) {
      pretty = prettyFactory({
        colorize: useColor,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        singleLine: true,
        // errors as plain fields: on the line as JSON rather than a stack over many lines
        errorLikeObjectKeys: [],
        messageFormat: (log, messageKey) => `${label(name)} ${oneLine(String(log[messageKey] ?? ''))}`,
      });
      prettifiers.set(name, pretty);
    }
    return pretty;
  };
  return {
    format(name, line) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        record = undefined;
      }
      if (typeof record !== 'object' || record === null || !('level' in record)) return `${label(name)} ${line}\n`;
      return prettifierFor(name)(record);
    },
  };
}

/** Prints each line of `from` through the view; resolves when `from` ends. */
export function pipeLines(view: LogView, name: string, from: Readable, to: { write(chunk: string): unknown }): Promise<void> {
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() !== '') to.write(view.format(name, line));
  });
  return new Promise((resolve) => lines.once('close', resolve));
}

/** A destination for pino that prints through the view (the start script's own logger). */
export function viewDestination(view: LogView, name: string, to: Writable): { write(chunk: string): void } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) if (line.trim() !== '') to.write(view.format(name, line));
    },
  };
}
