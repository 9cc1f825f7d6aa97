/**
 * Refuses an upload that must not reach the spreadsheet parser, before any
 * of it is inflated: wrong format, password protection, too big, or built to
 * explode when decompressed. Formulas and too many rows are refused by the
 * parser (it has to read cells to see them) with the same error type.
 *
 * Status choices, for the route: 413 when the file or what it inflates to is
 * too large; 415 when it is not an .xlsx at all; 422 when it is one we
 * cannot or will not read. A password-protected workbook is 422, not 415: it
 * IS the right kind of file, and the person can fix it (remove the password)
 * without converting anything.
 */
import { createInflateRaw } from 'node:zlib';
import { LedgerFileError } from './ledger-file-error';
import { isOle2, ole2EntryNames } from './ole2';
import { isEncryptedEntry, readZipDirectory, type ZipEntry } from './zip-directory';

export { LedgerFileError, isLedgerFileError, type LedgerFileErrorCode } from './ledger-file-error';

export interface UploadLimits {
  /** bytes of the upload itself */
  maxBytes: number;
  /** files inside the ZIP */
  maxEntries: number;
  /** all entries inflated together */
  maxUncompressedBytes: number;
  /** inflated ÷ compressed of one entry… */
  maxEntryRatio: number;
  /** …judged only for entries inflating to more than this (tiny files compress absurdly well and harm nobody) */
  ratioFloorBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 10 * MiB,
  maxEntries: 500,
  maxUncompressedBytes: 200 * MiB,
  // Excel's sheet XML deflates 10–40×; a deflate bomb reaches ~1000×
  maxEntryRatio: 200,
  ratioFloorBytes: 1 * MiB,
};

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const STORED = 0;
const DEFLATED = 8;

function notAWorkbook(message: string, reason: string): LedgerFileError {
  return new LedgerFileError('NOT_A_WORKBOOK', 415, message, { reason });
}

/** Throws a LedgerFileError for any refusal; returns the ZIP's entries when the file may be parsed. */
export async function guardUpload(buffer: Buffer, limits: Partial<UploadLimits> = {}): Promise<ZipEntry[]> {
  const lim = { ...DEFAULT_UPLOAD_LIMITS, ...limits };
  if (buffer.length > lim.maxBytes) {
    throw new LedgerFileError('FILE_TOO_LARGE', 413, `文件过大（${mib(buffer.length)}），上限为 ${mib(lim.maxBytes)}`, {
      bytes: buffer.length,
      maxBytes: lim.maxBytes,
    });
  }
  if (isOle2(buffer)) throw ole2Refusal(buffer);
  if (buffer.length < 4 || !buffer.subarray(0, 4).equals(ZIP_MAGIC)) {
    throw notAWorkbook('文件不是 Excel 工作簿（.xlsx），请使用导入模板填写后上传（不支持 .xls、.csv 等格式）', 'no ZIP signature');
  }
  const entries = readZipDirectory(buffer, lim.maxEntries);
  checkOoxml(entries);
  checkEntries(entries, lim);
  for (const e of entries) await checkInflatedSize(buffer, e);
  return entries;
}

function ole2Refusal(buffer: Buffer): LedgerFileError {
  const names = ole2EntryNames(buffer) ?? [];
  if (names.includes('EncryptedPackage')) {
    return new LedgerFileError('ENCRYPTED_WORKBOOK', 422, '工作簿设置了打开密码（已加密），请取消密码后重新上传', {
      reason: 'OLE2 EncryptedPackage',
    });
  }
  return notAWorkbook('这是旧版 Excel（.xls）或其他 Office 文件，请另存为 .xlsx 格式后上传', 'OLE2 compound file');
}

function checkOoxml(entries: ZipEntry[]): void {
  // some writers (exceljs among them) store names with a leading slash
  const names = new Set(entries.map((e) => e.name.replace(/^\/+/, '')));
  if (names.has('xl/workbook.bin')) {
    throw notAWorkbook('不支持 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 格式后上传', 'xlsb');
  }
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    throw notAWorkbook('文件不是 Excel 工作簿（.xlsx），请使用导入模板填写后上传', 'ZIP without an OOXML workbook part');
  }
}

function checkEntries(entries: ZipEntry[], lim: UploadLimits): void {
  let total = 0;
  for (const e of entries) {
    if (isEncryptedEntry(e)) {
      throw new LedgerFileError('ENCRYPTED_WORKBOOK', 422, '工作簿中有加密的内容，请取消密码后重新上传', { entry: e.name });
    }
    if (e.method !== STORED && e.method !== DEFLATED) {
      throw new LedgerFileError('CORRUPT_WORKBOOK', 422, '工作簿使用了不支持的压缩方式，请用 Excel 或 WPS 另存为 .xlsx 后上传', {
        entry: e.name,
        method: e.method,
      });
    }
    if (e.method === STORED && e.compressedSize !== e.uncompressedSize) {
      throw new LedgerFileError('CORRUPT_WORKBOOK', 422, '文件已损坏或不是有效的 Excel 工作簿（.xlsx）', { entry: e.name });
    }
    const ratio = e.uncompressedSize / Math.max(e.compressedSize, 1);
    if (e.uncompressedSize > lim.ratioFloorBytes && ratio > lim.maxEntryRatio) {
      throw new LedgerFileError('ZIP_BOMB', 422, '文件压缩比异常，疑似压缩炸弹，不予导入', {
        entry: e.name,
        ratio: Math.round(ratio),
        maxEntryRatio: lim.maxEntryRatio,
      });
    }
    total += e.uncompressedSize;
  }
  if (total > lim.maxUncompressedBytes) {
    throw new LedgerFileError('ZIP_BOMB', 413, `工作簿解压后过大（${mib(total)}），上限为 ${mib(lim.maxUncompressedBytes)}`, {
      uncompressedBytes: total,
      maxUncompressedBytes: lim.maxUncompressedBytes,
    });
  }
}

/**
 * The directory's sizes are claims. Inflate each entry once, counting and
 * discarding the output, and stop the moment it passes its claim: memory
 * stays at one zlib window whatever the entry holds.
 */
function checkInflatedSize(buffer: Buffer, e: ZipEntry): Promise<void> {
  if (e.method !== DEFLATED) return Promise.resolve();
  const lying = () =>
    new LedgerFileError('ZIP_BOMB', 422, '工作簿内容与其声明的大小不符，疑似压缩炸弹，不予导入', { entry: e.name, declared: e.uncompressedSize });
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    let seen = 0;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    inflate.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > e.uncompressedSize) {
        inflate.destroy();
        settle(lying());
      }
    });
    inflate.on('end', () => settle(seen === e.uncompressedSize ? undefined : lying()));
    inflate.on('error', () =>
      settle(new LedgerFileError('CORRUPT_WORKBOOK', 422, '文件已损坏或不是有效的 Excel 工作簿（.xlsx）', { entry: e.name })),
    );
    inflate.end(buffer.subarray(e.dataOffset, e.dataOffset + e.compressedSize));
  });
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}
