/**
 * Just enough of the OLE2 compound file format (MS-CFB) to list the streams
 * in its root: a password-protected .xlsx is an OLE2 file holding
 * "EncryptionInfo" and "EncryptedPackage", a legacy .xls one holding
 * "Workbook" (or "Book"). Telling the two apart lets the refusal say
 * "remove the password" instead of "wrong format".
 */

export const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const END_OF_CHAIN = 0xfffffffe;
const FREE = 0xffffffff;
const HEADER_DIFAT_ENTRIES = 109;
const DIR_ENTRY = 128;

export function isOle2(buf: Buffer): boolean {
  return buf.length >= 512 && buf.subarray(0, 8).equals(OLE2_MAGIC);
}

/**
 * Names of every directory entry (streams and storages). Undefined when the
 * structure is broken: the caller then treats the file as "not a workbook".
 */
export function ole2EntryNames(buf: Buffer): string[] | undefined {
  if (!isOle2(buf)) return undefined;
  const shift = buf.readUInt16LE(30);
  if (shift !== 9 && shift !== 12) return undefined;
  const sectorSize = 1 << shift;
  const sectorCount = Math.floor((buf.length - 512) / sectorSize);
  const sector = (n: number): Buffer | undefined => {
    const at = (n + 1) * sectorSize;
    return n < sectorCount && at + sectorSize <= buf.length ? buf.subarray(at, at + sectorSize) : undefined;
  };

  // the FAT's own sectors: 109 in the header, the rest on a chain of DIFAT sectors
  const fatSectors: number[] = [];
  for (let i = 0; i < HEADER_DIFAT_ENTRIES; i++) fatSectors.push(buf.readUInt32LE(76 + 4 * i));
  let difat = buf.readUInt32LE(68);
  for (let hops = 0; difat !== END_OF_CHAIN && difat !== FREE && hops < sectorCount; hops++) {
    const s = sector(difat);
    if (!s) return undefined;
    for (let i = 0; i < sectorSize / 4 - 1; i++) fatSectors.push(s.readUInt32LE(4 * i));
    difat = s.readUInt32LE(sectorSize - 4);
  }
  const fat: number[] = [];
  for (const n of fatSectors) {
    if (n === FREE || n === END_OF_CHAIN) continue;
    const s = sector(n);
    if (!s) return undefined;
    for (let i = 0; i < sectorSize / 4; i++) fat.push(s.readUInt32LE(4 * i));
  }

  const names: string[] = [];
  let dir = buf.readUInt32LE(48);
  // a chain longer than the file has sectors is a loop
  for (let hops = 0; dir !== END_OF_CHAIN; hops++) {
    const s = sector(dir);
    if (!s || hops > sectorCount) return undefined;
    for (let at = 0; at + DIR_ENTRY <= sectorSize; at += DIR_ENTRY) {
      const length = s.readUInt16LE(at + 64);
      const type = s.readUInt8(at + 66);
      if (type === 0 || length < 2 || length > 64) continue;
      names.push(s.toString('utf16le', at, at + length - 2));
    }
    const next = fat[dir];
    if (next === undefined) return undefined;
    dir = next;
  }
  return names;
}
