/**
 * The streaming writer every ledger workbook is written with, and the two
 * sinks: a caller's Writable (an HTTP response, a file) or a Buffer.
 *
 * Strings are written in their cells, not into the shared-string table: that
 * table lives in memory until the very end, so in-cell strings are what keeps
 * a large export's memory flat (at the price of a somewhat larger file).
 */
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';

export type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;

/** A writer into `out`, with the document properties people see under File → Info. */
export function newWorkbookWriter(out: Writable, title: string, createdAt: Date): WorkbookWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    // zlib's default level: the sheet XML is repetitive, higher levels buy little for the CPU
    zip: { zlib: { level: 6 } },
  });
  wb.creator = '督查督办整改系统';
  wb.lastModifiedBy = '督查督办整改系统';
  wb.created = createdAt;
  wb.modified = createdAt;
  wb.title = title;
  return wb;
}

/** Runs a writer into memory and returns the finished .xlsx. */
export async function collectBuffer(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  await write(sink);
  await ended;
  return Buffer.concat(chunks);
}

/**
 * exceljs hands rows to archiver without waiting for the output to drain;
 * giving the event loop a turn every few hundred rows lets zlib and the
 * destination catch up, so buffered output does not pile up in memory.
 */
export async function breathe(rowIndex: number): Promise<void> {
  if (rowIndex % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
