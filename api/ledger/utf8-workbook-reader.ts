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
 * file declares, the parser never inflates more than the limit.
 */
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { LedgerFileError } from './ledger-file-error';

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

/** The entry as a counted stream of strings, decoded across chunks. */
function countedText(entry: Entry, budget: InflateBudget): Readable {
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        budget.take(byteLength(chunk));
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
  });
  counted.setEncoding('utf8');
  entry.on('error', (err) => counted.destroy(err));
  return entry.pipe(counted);
}

async function* decodeUtf8(chunks: Chunks, budget: InflateBudget): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    budget.take(byteLength(chunk));
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

export function createWorkbookReader(
  input: Readable,
  options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>,
  budget: InflateBudget,
): ExcelJS.stream.xlsx.WorkbookReader {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, options);
  const internals = reader as unknown as ReaderInternals;
  for (const name of [...ENTRY_PARSERS, '_parseWorksheet'] as const) {
    if (typeof internals[name] !== 'function') throw new Error(`exceljs WorkbookReader has no ${name}: re-check utf8-workbook-reader against this exceljs version`);
  }
  for (const name of ENTRY_PARSERS) {
    const original = internals[name].bind(reader) as (entry: Entry) => unknown;
    (internals as unknown as Record<string, unknown>)[name] = (entry: Entry) => original(countedText(entry, budget));
  }
  const parseWorksheet = internals._parseWorksheet.bind(reader);
  internals._parseWorksheet = (iterator, sheetNo) => parseWorksheet(decodeUtf8(iterator, budget), sheetNo);
  return reader;
}
