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
import { xmlSafeText } from './safe-text';

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
  wb.title = xmlSafeText(title);
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

/** The parts of exceljs' worksheet writer that show how far behind the compressor is (not in its types). */
interface PipedSheet {
  stream?: { pipes?: Array<{ _writableState?: { length: number; needDrain: boolean }; once(event: 'drain', cb: () => void): unknown }> };
}

/** Rows between two looks at the compressor; a row is a few hundred bytes of XML. */
const CHECK_EVERY = 200;

/**
 * Backpressure exceljs does not apply. Its worksheet writer pushes the sheet
 * XML into the ZIP's deflate stream without waiting, so on a busy machine
 * the XML piles up ahead of zlib: measured, ~55 MiB outside the heap after
 * 200,000 rows. Every few hundred rows this waits for that stream to drain
 * when it asks to, which keeps the backlog at about one buffer. Should
 * exceljs' internals ever differ, it still yields to the event loop.
 */
export async function letZipCatchUp(ws: unknown, rowIndex: number): Promise<void> {
  if (rowIndex % CHECK_EVERY !== 0) return;
  const pipe = (ws as PipedSheet).stream?.pipes?.[0];
  if (pipe?._writableState?.needDrain) {
    await new Promise<void>((resolve) => pipe.once('drain', resolve));
  } else {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
