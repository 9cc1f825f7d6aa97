/**
 * Builders for the ledger tests: a unit directory, a valid plan, hand-made
 * import sheets (with exceljs' full in-memory workbook, so a test can put
 * Dates, numbers or formulas exactly where it wants), and a tiny ZIP writer
 * for files exceljs would never produce (bombs, lying sizes, encrypted flags).
 */
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { IMPORT_COLUMNS, IMPORT_SHEET_NAME } from '../../api/ledger/import-columns';
import type { ImportedPlan, ResolveUnit, UnitRef } from '../../api/ledger/types';

/** 2026-06-01 10:00 in Shanghai. */
export const NOW = new Date('2026-06-01T02:00:00.000Z');

export const UNITS: UnitRef[] = [
  { code: 'JT', name: '县交通运输局' },
  { code: 'SL', name: '县水利局' },
  { code: 'CZ', name: '县财政局' },
  { code: 'XW', name: '小王乡人民政府' },
];

export const resolveUnit: ResolveUnit = (text) => UNITS.find((u) => u.code === text || u.name === text);

const unit = (code: string): UnitRef => UNITS.find((u) => u.code === code) as UnitRef;

/** Two items, three problems, four tasks; every field the import knows is used somewhere. */
export function samplePlan(): ImportedPlan {
  return {
    items: [
      {
        key: 'SX-001',
        title: '农村道路通行条件整改',
        category: '基础设施',
        supervisionLevel: 'county',
        leaderName: '李雷',
        problems: [
          { id: 'P1', description: '小王村通村道路雨天无法通行', severity: 'high' },
          { id: 'P2', description: '路灯缺失', severity: 'medium' },
        ],
        tasks: [
          {
            id: 'T1',
            problemIds: ['P1'],
            description: '硬化路面2公里',
            measures: '6月底前完成招标，9月底前完工验收',
            ownerUnit: unit('JT'),
            ownerPerson: '张三',
            coOwners: [unit('XW')],
            deadline: { kind: 'instant', at: '2026-09-30T23:59:59+08:00' },
          },
          {
            id: 'T2',
            problemIds: ['P1'],
            description: '疏通排水沟渠',
            measures: '汛期前清淤，砌筑边沟',
            ownerUnit: unit('SL'),
            ownerPerson: '王五',
            coOwners: [unit('XW'), unit('CZ')],
            deadline: { kind: 'workingDays', days: 20 },
          },
          {
            id: 'T3',
            problemIds: ['P2'],
            description: '安装路灯40盏',
            measures: '纳入年度亮化工程',
            ownerUnit: unit('JT'),
            ownerPerson: '张三',
            coOwners: [],
            deadline: { kind: 'instant', at: '2026-12-31T23:59:59+08:00' },
          },
        ],
      },
      {
        key: 'SX-002',
        title: '惠民资金发放不及时',
        category: '惠民资金',
        supervisionLevel: 'none',
        leaderName: '韩梅梅',
        problems: [{ id: 'P1', description: '=2023年度补贴迟发', severity: 'critical' }],
        tasks: [
          {
            id: 'T1',
            problemIds: ['P1'],
            description: '-逐户核对并补发',
            measures: '@财政局牵头',
            ownerUnit: unit('CZ'),
            ownerPerson: '赵六',
            coOwners: [],
            deadline: { kind: 'workingDays', days: 5 },
          },
        ],
      },
    ],
  };
}

export type SheetRow = Record<string, unknown>;

/**
 * An import workbook written by exceljs' in-memory writer, with the given
 * headers (all template headers by default) and rows keyed by header.
 */
export async function sheetWith(rows: SheetRow[], options: { headers?: string[]; sheetName?: string; extra?: (wb: ExcelJS.Workbook) => void } = {}): Promise<Buffer> {
  const headers = options.headers ?? IMPORT_COLUMNS.map((c) => c.header);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(options.sheetName ?? IMPORT_SHEET_NAME);
  ws.addRow(headers);
  for (const row of rows) ws.addRow(headers.map((h) => (row[h] === undefined ? null : row[h])));
  options.extra?.(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A complete valid row; override any header. */
export function row(over: SheetRow = {}): SheetRow {
  return {
    事项编号: 'SX-001',
    事项名称: '农村道路通行条件整改',
    问题编号: 'P1',
    问题描述: '道路雨天无法通行',
    严重程度: '高',
    整改任务编号: 'T1',
    整改任务: '硬化路面',
    整改措施: '分段施工，9月底前完工',
    责任单位: '县交通运输局',
    责任人: '张三',
    完成时限: '2026-09-30',
    督战级别: '县级',
    牵头领导: '李雷',
    ...over,
  };
}

// ---------------------------------------------------------------- raw ZIP

export interface ZipPart {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (default) */
  method?: 0 | 8;
  /** a lie to put in the directory instead of the real inflated size */
  declaredSize?: number;
  flags?: number;
  /** the compression method the local header claims instead of `method` (the parser reads local headers, the guard the directory) */
  localMethod?: 0 | 8;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A plain ZIP (no data descriptors), the way the simplest writers make them;
 * with zip64, every size lives in a zip64 extra field and the directory is
 * found through the zip64 end records, as large-file writers do.
 */
export function zipOf(parts: ZipPart[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const method = p.method ?? 8;
    const body = method === 8 ? deflateRawSync(p.data) : p.data;
    const name = Buffer.from(p.name, 'utf8');
    const size = p.declaredSize ?? p.data.length;
    const crc = crc32(p.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(p.flags ?? 0, 6);
    local.writeUInt16LE(p.localMethod ?? method, 8);
    local.writeUInt32LE(crc, 14);
    // (a zip64 writer would put the sizes in a local extra field; the guard reads only the directory's)
    local.writeUInt32LE(options.zip64 ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(options.zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(p.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : body.length, 20);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 42);
    const extra = Buffer.alloc(options.zip64 ? 28 : 0);
    if (options.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      central.writeUInt16LE(extra.length, 30);
    }
    locals.push(local, name, body);
    centrals.push(central, name, extra);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64 ? 0xffff : parts.length, 8);
  end.writeUInt16LE(options.zip64 ? 0xffff : parts.length, 10);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 16);
  if (!options.zip64) return Buffer.concat([...locals, directory, end]);
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeUInt16LE(45, 12);
  end64.writeUInt16LE(45, 14);
  end64.writeBigUInt64LE(BigInt(parts.length), 24);
  end64.writeBigUInt64LE(BigInt(parts.length), 32);
  end64.writeBigUInt64LE(BigInt(directory.length), 40);
  end64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, directory, end64, locator, end]);
}

/** The two parts every OOXML workbook has; enough to pass the format check. */
export function workbookSkeleton(): ZipPart[] {
  return [
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from('<?xml version="1.0"?><workbook/>') },
  ];
}

// ---------------------------------------------------------------- OLE2

/**
 * A minimal OLE2 compound file (512-byte sectors): header, one FAT sector,
 * one directory sector naming a root entry and the given streams. That is
 * all the guard reads; no stream data is needed.
 */
export function ole2With(streamNames: string[]): Buffer {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x3e, 24); // minor version
  header.writeUInt16LE(3, 26); // major version 3: 512-byte sectors
  header.writeUInt16LE(0xfffe, 28); // little-endian
  header.writeUInt16LE(9, 30); // sector shift
  header.writeUInt16LE(6, 32); // mini sector shift
  header.writeUInt32LE(1, 44); // one FAT sector
  header.writeUInt32LE(1, 48); // directory starts at sector 1
  header.writeUInt32LE(0xfffffffe, 60); // no mini FAT
  header.writeUInt32LE(0xfffffffe, 68); // no DIFAT sectors
  header.writeUInt32LE(0, 76); // FAT is sector 0
  for (let i = 1; i < 109; i++) header.writeUInt32LE(0xffffffff, 76 + 4 * i);

  const fat = Buffer.alloc(512, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0); // sector 0: the FAT itself
  fat.writeUInt32LE(0xfffffffe, 4); // sector 1: directory, end of chain

  const dir = Buffer.alloc(512);
  ['Root Entry', ...streamNames].slice(0, 4).forEach((name, i) => {
    const at = i * 128;
    const encoded = Buffer.from(`${name}\0`, 'utf16le');
    encoded.copy(dir, at);
    dir.writeUInt16LE(encoded.length, at + 64);
    dir.writeUInt8(i === 0 ? 5 : 2, at + 66);
  });
  return Buffer.concat([header, fat, dir]);
}
