/**
 * Reads a ZIP's central directory from a Buffer without inflating anything,
 * so the guard can judge sizes and counts before any decompression runs.
 * It also checks that the local entries tile the file exactly as the
 * directory says: exceljs (through unzipper) reads local headers front to
 * back and never looks at the directory, so a file whose two views disagree
 * could show the guard one thing and the parser another.
 */
import { LedgerFileError } from './ledger-file-error';

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** where the compressed bytes start (after the local header) */
  dataOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX32 = 0xffffffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
/** a data descriptor: crc + sizes, with or without its signature, 32- or 64-bit sizes */
const DESCRIPTOR_LENGTHS = [12, 16, 20, 24];

function corrupt(reason: string): LedgerFileError {
  return new LedgerFileError('CORRUPT_WORKBOOK', 422, '文件已损坏或不是有效的 Excel 工作簿（.xlsx）', { reason });
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('64-bit size out of range');
  return Number(v);
}

function need(buf: Buffer, at: number, length: number): void {
  if (at < 0 || at + length > buf.length) throw corrupt('structure runs past the end of the file');
}

function findEndOfDirectory(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let at = buf.length - 22; at >= lowest; at--) {
    if (buf.readUInt32LE(at) === EOCD_SIG) return at;
  }
  throw corrupt('no end of central directory');
}

interface Directory {
  count: number;
  offset: number;
  size: number;
}

function directoryOf(buf: Buffer, eocd: number): Directory {
  const dir = { count: buf.readUInt16LE(eocd + 10), size: buf.readUInt32LE(eocd + 12), offset: buf.readUInt32LE(eocd + 16) };
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw corrupt('multi-disk archive');
  if (dir.count !== 0xffff && dir.size !== MAX32 && dir.offset !== MAX32) return dir;
  const locator = eocd - 20;
  need(buf, locator, 20);
  if (buf.readUInt32LE(locator) !== ZIP64_LOCATOR_SIG) throw corrupt('zip64 locator missing');
  const z = u64(buf, locator + 8);
  need(buf, z, 56);
  if (buf.readUInt32LE(z) !== ZIP64_EOCD_SIG) throw corrupt('zip64 end of directory missing');
  return { count: u64(buf, z + 32), size: u64(buf, z + 40), offset: u64(buf, z + 48) };
}

/** Sizes that did not fit 32 bits live in the zip64 extra field, in this order. */
function applyZip64Extra(buf: Buffer, extraStart: number, extraLength: number, e: ZipEntry): void {
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = buf.readUInt16LE(at);
    const size = buf.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let p = at + 4;
      const take = (): number => {
        if (p + 8 > at + 4 + size) throw corrupt('short zip64 extra field');
        const v = u64(buf, p);
        p += 8;
        return v;
      };
      if (e.uncompressedSize === MAX32) e.uncompressedSize = take();
      if (e.compressedSize === MAX32) e.compressedSize = take();
      if (e.localHeaderOffset === MAX32) e.localHeaderOffset = take();
      return;
    }
    at += 4 + size;
  }
}

export function readZipDirectory(buf: Buffer, maxEntries: number): ZipEntry[] {
  if (buf.length < 22) throw corrupt('too short');
  const eocd = findEndOfDirectory(buf);
  const dir = directoryOf(buf, eocd);
  if (dir.count > maxEntries) {
    throw new LedgerFileError('ZIP_BOMB', 422, `工作簿包含的文件过多（${dir.count} 个，上限 ${maxEntries} 个），不予导入`, {
      entries: dir.count,
      maxEntries,
    });
  }
  need(buf, dir.offset, dir.size);
  const entries: ZipEntry[] = [];
  let at = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    need(buf, at, 46);
    if (buf.readUInt32LE(at) !== CENTRAL_SIG) throw corrupt('bad central directory entry');
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    need(buf, at + 46, nameLength + extraLength + commentLength);
    const entry: ZipEntry = {
      flags: buf.readUInt16LE(at + 8),
      method: buf.readUInt16LE(at + 10),
      crc32: buf.readUInt32LE(at + 16),
      compressedSize: buf.readUInt32LE(at + 20),
      uncompressedSize: buf.readUInt32LE(at + 24),
      localHeaderOffset: buf.readUInt32LE(at + 42),
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      dataOffset: 0,
    };
    applyZip64Extra(buf, at + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  locateData(buf, entries, dir.offset);
  return entries;
}

/** Finds each entry's data and proves the local entries fill [0, directory) with no gap or overlap. */
function locateData(buf: Buffer, entries: ZipEntry[], directoryOffset: number): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let expected = 0;
  byOffset.forEach((e, i) => {
    if (e.localHeaderOffset !== expected) throw corrupt('local entries do not match the central directory');
    need(buf, e.localHeaderOffset, 30);
    if (buf.readUInt32LE(e.localHeaderOffset) !== LOCAL_SIG) throw corrupt('bad local header');
    const nameLength = buf.readUInt16LE(e.localHeaderOffset + 26);
    const extraLength = buf.readUInt16LE(e.localHeaderOffset + 28);
    if (buf.toString('utf8', e.localHeaderOffset + 30, e.localHeaderOffset + 30 + nameLength) !== e.name) {
      throw corrupt('local header names another file');
    }
    sameAsDirectory(buf, e);
    e.dataOffset = e.localHeaderOffset + 30 + nameLength + extraLength;
    const dataEnd = e.dataOffset + e.compressedSize;
    if (dataEnd > directoryOffset) throw corrupt('entry data overlaps the central directory');
    if (e.flags & FLAG_DATA_DESCRIPTOR) {
      const next = byOffset[i + 1]?.localHeaderOffset ?? directoryOffset;
      if (!DESCRIPTOR_LENGTHS.some((n) => dataEnd + n === next)) throw corrupt('data descriptor does not end where the next entry starts');
      expected = next;
    } else {
      expected = dataEnd;
    }
  });
  if (expected !== directoryOffset) throw corrupt('bytes between the entries and the central directory');
}

/**
 * The local header must say what the directory says: the guard judges the
 * directory, and a local header claiming deflate where the directory says
 * stored (or other sizes) would have the parser inflate what nobody counted.
 * (The parser is handed a copy rebuilt from the directory anyway, see
 * zip-repack.ts; this names the file as the broken one it is.)
 */
function sameAsDirectory(buf: Buffer, e: ZipEntry): void {
  const at = e.localHeaderOffset;
  const flags = buf.readUInt16LE(at + 6);
  if (buf.readUInt16LE(at + 8) !== e.method) throw corrupt('local header names another compression method than the directory');
  // (the data-descriptor bit is not compared: where the data ends was proven from the directory's sizes below)
  if ((flags & FLAG_ENCRYPTED) !== (e.flags & FLAG_ENCRYPTED)) throw corrupt('local header flags differ from the directory');
  const compressed = buf.readUInt32LE(at + 18);
  const uncompressed = buf.readUInt32LE(at + 22);
  // with a data descriptor the local sizes may be zero; 0xffffffff defers to a zip64 field
  const agrees = (local: number, central: number) => local === central || local === MAX32 || ((flags & FLAG_DATA_DESCRIPTOR) !== 0 && local === 0);
  if (!agrees(compressed, e.compressedSize) || !agrees(uncompressed, e.uncompressedSize)) throw corrupt('local header sizes differ from the directory');
}

export function isEncryptedEntry(e: ZipEntry): boolean {
  return (e.flags & FLAG_ENCRYPTED) !== 0;
}
