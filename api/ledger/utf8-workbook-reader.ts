/**
 * exceljs' streaming reader with UTF-8 decoded across chunk boundaries.
 *
 * exceljs 4.4.0 decodes every inflated chunk (16 KiB) on its own before the
 * XML parser sees it, so a Chinese character whose three bytes straddle two
 * chunks turns into "��" — about one cell in a few hundred in a real ledger,
 * silently (exceljs issues #2063, #2084, #2316; the fixes are unmerged).
 * Here every part the reader parses is decoded as one continuous UTF-8
 * stream instead: shared strings, workbook, relationships and styles through
 * the entry's own decoder (setEncoding), worksheets (which may come from a
 * temp file) through a StringDecoder. exceljs passes strings straight on.
 *
 * This wraps methods exceljs does not publish; the version is pinned, the
 * wrapper refuses to build a reader if they are missing, and a test with
 * thousands of Chinese cells fails if decoding ever breaks again.
 *
 * The same wrappers count every byte the parser inflates against a budget
 * and stop the read the moment it is spent (413 ZIP_BOMB): whatever sizes a
 * file declares, the parser never inflates more than the limit. And they
 * bound each cell's text before the XML parser can buffer it
 * (markup-limits.ts).
 */
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { LedgerFileError } from './ledger-file-error';
import { MarkupScanner, type MarkupLimits } from './markup-limits';

type Entry = Readable;
type Chunks = AsyncIterable<Buffer | string>;

interface ReaderInternals {
  _parseRels(entry: Entry): Promise<void>;
  _parseWorkbook(entry: Entry): Promise<void>;
  _parseStyles(entry: Entry): Promise<void>;
  _parseSharedStrings(entry: Entry): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: Chunks, sheetNo: string): Generator<unknown>;
}

const ENTRY_PARSERS = ['_parseRels', '_parseWorkbook', '_parseStyles', '_parseSharedStrings'] as const;

/** Bytes the parser has inflated so far, across every part of one workbook. */
export class InflateBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.maxBytes) {
      throw new LedgerFileError('ZIP_BOMB', 413, `工作簿解压后过大（超过 ${(this.maxBytes / 1024 / 1024).toFixed(1)} MiB），不予导入`, {
        maxUncompressedBytes: this.maxBytes,
      });
    }
  }
}

const byteLength = (chunk: Buffer | string) => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);

/** What every part goes through on its way to the parser: counted, decoded across chunks, its cells bounded. */
export interface ReaderGuards {
  budget: InflateBudget;
  markup: MarkupLimits;
}

/** The entry as a counted, bounded stream of strings. */
function guardedText(entry: Entry, part: string, guards: ReaderGuards): Readable {
  const decoder = new StringDecoder('utf8');
  const scanner = new MarkupScanner(guards.markup, part);
  const guarded = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      try {
        guards.budget.take(byteLength(chunk));
        done(null, scanner.scan(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        done(null, scanner.scan(decoder.end()));
      } catch (err) {
        done(err as Error);
      }
    },
  });
  guarded.setEncoding('utf8');
  entry.on('error', (err) => guarded.destroy(err));
  return entry.pipe(guarded);
}

async function* guardedChunks(chunks: Chunks, part: string, guards: ReaderGuards): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const scanner = new MarkupScanner(guards.markup, part);
  for await (const chunk of chunks) {
    guards.budget.take(byteLength(chunk));
    const text = scanner.scan(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (text) yield text;
  }
  const rest = scanner.scan(decoder.end());
  if (rest) yield rest;
}

export function createWorkbookReader(
  input: Readable,
  options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>,
  guards: ReaderGuards,
): ExcelJS.stream.xlsx.WorkbookReader {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, options);
  const internals = reader as unknown as ReaderInternals;
  for (const name of [...ENTRY_PARSERS, '_parseWorksheet'] as const) {
    if (typeof internals[name] !== 'function') throw new Error(`exceljs WorkbookReader has no ${name}: re-check utf8-workbook-reader against this exceljs version`);
  }
  for (const name of ENTRY_PARSERS) {
    const original = internals[name].bind(reader) as (entry: Entry) => unknown;
    (internals as unknown as Record<string, unknown>)[name] = (entry: Entry) => original(guardedText(entry, name.slice('_parse'.length), guards));
  }
  const parseWorksheet = internals._parseWorksheet.bind(reader);
  internals._parseWorksheet = (iterator, sheetNo) => parseWorksheet(guardedChunks(iterator, `sheet${sheetNo}`, guards), sheetNo);
  return reader;
}
