/**
 * The copy of an upload that the spreadsheet parser reads: the same entries,
 * compressed bytes untouched, behind local headers rebuilt from the central
 * directory the guard judged. exceljs (through unzipper) reads local headers
 * front to back and never the directory; handing it this copy means it
 * inflates exactly the entries, methods and sizes the guard counted, whatever
 * the original local headers or data descriptors claimed.
 *
 * The copy also puts the workbook's relationships, workbook, styles and
 * shared strings first (adding empty relationships or shared strings when the
 * file has none): exceljs then reads every worksheet as it streams by, instead of
 * parking the worksheets that precede those parts in temp files.
 */
import { LedgerFileError } from './ledger-file-error';
import type { ZipEntry } from './zip-directory';

const FIRST = ['[Content_Types].xml', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/sharedStrings.xml'];
/** exceljs parks worksheets until it has seen both of these: a file without one gets an empty one */
const REQUIRED_PARTS: Record<string, string> = {
  'xl/_rels/workbook.xml.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
  'xl/sharedStrings.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
};
const FLAG_UTF8_NAME = 0x800;
const MAX32 = 0xffffffff;
const STORED = 0;

interface Part {
  name: Buffer;
  method: number;
  crc32: number;
  uncompressedSize: number;
  data: Buffer;
}

/** Part names as exceljs matches them: some writers store them with a leading slash. */
const canonicalName = (name: string) => name.replace(/^\/+/, '');

function rank(name: string): number {
  const i = FIRST.indexOf(name);
  return i < 0 ? FIRST.length : i;
}

export function repackForParser(buffer: Buffer, entries: ZipEntry[]): Buffer {
  const parts: Part[] = entries
    .map((e, order) => ({ e, order, name: canonicalName(e.name) }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.order - b.order)
    .map(({ e, name }) => {
      if (e.compressedSize >= MAX32 || e.uncompressedSize >= MAX32) {
        throw new LedgerFileError('ZIP_BOMB', 413, '工作簿中的单个文件过大，不予导入', { entry: e.name });
      }
      return {
        name: Buffer.from(name, 'utf8'),
        method: e.method,
        crc32: e.crc32,
        uncompressedSize: e.uncompressedSize,
        data: buffer.subarray(e.dataOffset, e.dataOffset + e.compressedSize),
      };
    });
  for (const [name, xml] of Object.entries(REQUIRED_PARTS)) {
    if (parts.some((p) => p.name.toString('utf8') === name)) continue;
    const data = Buffer.from(xml, 'utf8');
    // exceljs checks no CRC; 0 is as good as any for a part we made
    const at = parts.findIndex((p) => rank(p.name.toString('utf8')) > rank(name));
    parts.splice(at < 0 ? parts.length : at, 0, { name: Buffer.from(name), method: STORED, crc32: 0, uncompressedSize: data.length, data });
  }
  return writeZip(parts);
}

function writeZip(parts: Part[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8_NAME, 6);
    local.writeUInt16LE(p.method, 8);
    local.writeUInt32LE(p.crc32, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(p.uncompressedSize, 22);
    local.writeUInt16LE(p.name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(FLAG_UTF8_NAME, 8);
    dir.writeUInt16LE(p.method, 10);
    dir.writeUInt32LE(p.crc32, 16);
    dir.writeUInt32LE(p.data.length, 20);
    dir.writeUInt32LE(p.uncompressedSize, 24);
    dir.writeUInt16LE(p.name.length, 28);
    dir.writeUInt32LE(offset, 42);
    out.push(local, p.name, p.data);
    central.push(dir, p.name);
    offset += 30 + p.name.length + p.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, directory, end]);
}
