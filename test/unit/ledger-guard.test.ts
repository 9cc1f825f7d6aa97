import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import { guardUpload, LedgerFileError, type LedgerFileErrorCode } from '../../api/ledger/file-guard';
import { importLedger, type ImportOptions } from '../../api/ledger/import-ledger';
import { readLedgerSheet } from '../../api/ledger/import-parse';
import { MarkupScanner, OVERSIZED_MARK } from '../../api/ledger/markup-limits';
import { ole2EntryNames } from '../../api/ledger/ole2';
import { NOW, ole2With, resolveUnit, row, sheetWith, workbookSkeleton, zipOf } from '../support/ledger-fixtures';

const MiB = 1024 * 1024;

async function refusal(promise: Promise<unknown>): Promise<{ code: LedgerFileErrorCode; status: number; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LedgerFileError) return { code: err.code, status: err.status, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a LedgerFileError');
}

const importOf = (file: Buffer, extra: Partial<ImportOptions> = {}) => importLedger(file, { now: NOW, resolveUnit, ...extra });

describe('not a spreadsheet → 415', () => {
  it.each([
    ['random bytes', Buffer.from('8f2a77c1e09b4d3355aa', 'hex')],
    ['a CSV file', Buffer.from('事项编号,事项名称\nSX-001,道路\n', 'utf8')],
    ['an empty file', Buffer.alloc(0)],
    ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n')],
  ])('%s', async (_name, file) => {
    expect(await refusal(guardUpload(file))).toMatchObject({ code: 'NOT_A_WORKBOOK', status: 415 });
  });

  it('a ZIP that is not an OOXML workbook (a .docx, an .odt) → 415', async () => {
    const docx = zipOf([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'word/document.xml', data: Buffer.from('<w:document/>') },
    ]);
    const r = await refusal(guardUpload(docx));
    expect(r).toMatchObject({ code: 'NOT_A_WORKBOOK', status: 415 });
    expect(r.message).toContain('.xlsx');
  });

  it('a legacy .xls (OLE2 with a Workbook stream) → 415, asking for .xlsx', async () => {
    const xls = ole2With(['Workbook', '\u0005SummaryInformation']);
    expect(ole2EntryNames(xls)).toEqual(['Root Entry', 'Workbook', '\u0005SummaryInformation']);
    expect(await refusal(guardUpload(xls))).toMatchObject({
      code: 'NOT_A_WORKBOOK',
      status: 415,
      message: '这是旧版 Excel（.xls）或其他 Office 文件，请另存为 .xlsx 格式后上传',
    });
  });
});

describe('password-protected → 422', () => {
  it('an encrypted OOXML workbook (OLE2 with EncryptionInfo and EncryptedPackage)', async () => {
    const encrypted = ole2With(['EncryptionInfo', 'EncryptedPackage', '\u0006DataSpaces']);
    expect(await refusal(guardUpload(encrypted))).toMatchObject({
      code: 'ENCRYPTED_WORKBOOK',
      status: 422,
      message: '工作簿设置了打开密码（已加密），请取消密码后重新上传',
    });
  });

  it('a ZIP whose entries carry the encryption flag', async () => {
    const parts = workbookSkeleton().map((p) => ({ ...p, flags: 0x1 }));
    expect(await refusal(guardUpload(zipOf(parts)))).toMatchObject({ code: 'ENCRYPTED_WORKBOOK', status: 422 });
  });
});

describe('size limits', () => {
  it('an upload over the byte limit → 413, before anything else is looked at', async () => {
    const file = await sheetWith([row()]);
    expect(await refusal(guardUpload(file, { maxBytes: file.length - 1 }))).toMatchObject({ code: 'FILE_TOO_LARGE', status: 413 });
    await expect(guardUpload(file, { maxBytes: file.length })).resolves.toBeDefined();
    // the default is 10 MiB
    expect(await refusal(guardUpload(Buffer.concat([file, Buffer.alloc(10 * MiB)])))).toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('too many data rows → 413, and the count is of rows with content', async () => {
    const file = await sheetWith([row({ 整改任务编号: 'T1' }), row({ 整改任务编号: 'T2' }), row({ 整改任务编号: 'T3' })]);
    expect(await refusal(importOf(file, { maxRows: 2 }))).toMatchObject({
      code: 'TOO_MANY_ROWS',
      status: 413,
      message: '“整改台账”表的数据行超过上限 2 行，请分批导入',
    });
    expect((await importOf(file, { maxRows: 3 })).ok).toBe(true);
  });
});

describe('temp files', () => {
  // exceljs parks a worksheet that comes before the shared strings in a temp file named
  // tmp-<pid>-…; a read it does not finish never removes it, so every refusal must let it finish
  const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));

  it('none is left behind by imports, refused or not', async () => {
    const file = await sheetWith(Array.from({ length: 30 }, (_, i) => row({ 整改任务编号: `T${i}` })));
    const before = ours();
    for (let i = 0; i < 3; i++) {
      expect(await refusal(importOf(file, { maxRows: 5 }))).toMatchObject({ code: 'TOO_MANY_ROWS' });
      expect((await importOf(file)).ok).toBe(true);
    }
    // removal is asynchronous, and a busy machine delays it: look again for a while before judging
    for (let waited = 0; waited < 5_000 && ours().length > before.length; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ours()).toEqual(before);
  });
});

describe('temp files, when the read fails half-way', () => {
  const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));

  it('a worksheet ahead of broken shared strings leaves nothing behind', async () => {
    // exceljs would park the worksheet (it precedes the shared strings) and, failing on them, never remove it
    const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>';
    const file = zipOf([
      ...workbookSkeleton(),
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) },
      { name: 'xl/sharedStrings.xml', data: Buffer.from('<sst><si><t>事项编号</t></si><si><t>a&#0;b</t></si></sst>') },
    ]);
    // and a broken worksheet in a workbook without relationships, which exceljs would park too
    const brokenSheet = zipOf([
      ...workbookSkeleton(),
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a&#0;</t></is></c></row></sheetData></worksheet>') },
    ]);
    const before = ours();
    for (let i = 0; i < 3; i++) {
      expect(await refusal(importOf(file))).toMatchObject({ code: 'CORRUPT_WORKBOOK', status: 422 });
      expect(await refusal(importOf(brokenSheet))).toMatchObject({ code: 'CORRUPT_WORKBOOK', status: 422 });
    }
    for (let waited = 0; waited < 2_000 && ours().length > before.length; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ours()).toEqual(before);
  });
});

describe('zip bombs, judged before inflating', () => {
  const bomb = (bytes: number, declaredSize?: number) =>
    zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(bytes, 0x20), ...(declaredSize ? { declaredSize } : {}) }]);

  it('an entry that deflates 1000:1 → 422, from the directory alone', async () => {
    const file = bomb(64 * MiB);
    expect(file.length).toBeLessThan(100 * 1024);
    const r = await refusal(guardUpload(file));
    expect(r).toMatchObject({ code: 'ZIP_BOMB', status: 422, details: { entry: 'xl/worksheets/sheet1.xml' } });
    expect(r.details.ratio).toBeGreaterThan(200);
  });

  it('more inflated bytes in total than allowed → 413', async () => {
    const file = bomb(3 * MiB);
    expect(await refusal(guardUpload(file, { maxUncompressedBytes: 2 * MiB, maxEntryRatio: 1e6 }))).toMatchObject({ code: 'ZIP_BOMB', status: 413 });
  });

  it('more entries than allowed → 422', async () => {
    const many = zipOf([...workbookSkeleton(), ...Array.from({ length: 20 }, (_, i) => ({ name: `xl/media/x${i}.bin`, data: Buffer.from('x') }))]);
    expect(await refusal(guardUpload(many, { maxEntries: 10 }))).toMatchObject({ code: 'ZIP_BOMB', status: 422, details: { entries: 22 } });
  });

  it('a directory that understates an entry’s size is caught while counting its inflated bytes → 422', async () => {
    // claims 1 KiB, inflates to 4 MiB: the claim passes every directory check
    const file = bomb(4 * MiB, 1024);
    expect(await refusal(guardUpload(file))).toMatchObject({
      code: 'ZIP_BOMB',
      status: 422,
      message: '工作簿内容与其声明的大小不符，疑似压缩炸弹，不予导入',
    });
  });

  it('zip64 directories are read too: honest sizes pass, a 5 GiB claim is refused', async () => {
    const honest = await guardUpload(zipOf(workbookSkeleton(), { zip64: true }));
    expect(honest.map((e) => [e.name, e.uncompressedSize])).toEqual([
      ['[Content_Types].xml', 29],
      ['xl/workbook.xml', 32],
    ]);
    const claim = zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet/>'), declaredSize: 5 * 1024 * MiB }], { zip64: true });
    expect(await refusal(guardUpload(claim, { maxEntryRatio: 1e12 }))).toMatchObject({ code: 'ZIP_BOMB', status: 413, details: { uncompressedBytes: 5 * 1024 * MiB + 61 } });
  });

  it('local entries that do not match the directory → 422 corrupt', async () => {
    const file = zipOf(workbookSkeleton());
    // shift the directory's first offset: the parser would read another entry than the guard checked
    const dirAt = file.readUInt32LE(file.length - 6);
    file.writeUInt32LE(5, dirAt + 42);
    expect(await refusal(guardUpload(file))).toMatchObject({ code: 'CORRUPT_WORKBOOK', status: 422 });
  });

  it('a local header that claims deflate where the directory says stored is refused before the parser inflates it', async () => {
    // the guard judged the directory (stored: 1:1, a few KiB); the parser reads local headers and would inflate 8 MiB
    const padding = ' '.repeat(8 * MiB);
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>事项编号</t></is></c></row>${padding}</sheetData></worksheet>`;
    const hidden = { name: 'xl/worksheets/sheet1.xml', data: deflateRawSync(Buffer.from(sheet)), method: 0 as const, localMethod: 8 as const };
    const file = zipOf([...workbookSkeleton(), hidden]);
    const r = await refusal(importOf(file, { upload: { maxUncompressedBytes: 4 * MiB } }));
    expect(['ZIP_BOMB', 'CORRUPT_WORKBOOK']).toContain(r.code);
    expect(r.status).toBe(422);
  });

  it('a streamed entry whose directory claims 0 bytes (data descriptor) never reaches the parser', async () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>事项编号</t></is></c></row>${' '.repeat(4 * MiB)}</sheetData></worksheet>`;
    const file = zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet), flags: 0x8 }]);
    // the directory's last entry: sizes 0, as a streaming writer that never went back would leave them
    const dirAt = file.readUInt32LE(file.length - 6);
    let at = dirAt;
    for (let i = 0; i < 2; i++) at += 46 + file.readUInt16LE(at + 28) + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
    file.writeUInt32LE(0, at + 20);
    file.writeUInt32LE(0, at + 24);
    const r = await refusal(importOf(file, { upload: { maxUncompressedBytes: 2 * MiB } }));
    expect(['ZIP_BOMB', 'CORRUPT_WORKBOOK']).toContain(r.code);
  });

  it('the parser counts what it actually inflates and stops at the limit, whatever the sizes said', async () => {
    const file = await sheetWith(Array.from({ length: 200 }, (_, i) => row({ 整改任务编号: `T${i}` })));
    expect((await readLedgerSheet(file)).rows).toHaveLength(200);
    expect(await refusal(readLedgerSheet(file, { maxInflatedBytes: 20_000 }))).toMatchObject({ code: 'ZIP_BOMB', status: 413 });
  });

  it('a truncated workbook → 422 corrupt', async () => {
    const file = await sheetWith([row()]);
    expect(await refusal(guardUpload(file.subarray(0, file.length - 40)))).toMatchObject({ code: 'CORRUPT_WORKBOOK', status: 422 });
  });

  it('workbooks written by exceljs (data descriptors, leading-slash names) pass', async () => {
    const entries = await guardUpload(await sheetWith([row()]));
    expect(entries.map((e) => e.name.replace(/^\//, ''))).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml']));
  });
});

describe('formulas → 422 with the cell addresses, never evaluated', () => {
  it('lists every formula cell of every sheet, shared formulas included', async () => {
    const file = await sheetWith([row({ 责任人: { formula: 'CONCAT("张","三")', result: '张三' } }), row({ 整改任务编号: 'T2' })], {
      extra: (wb) => {
        const other = wb.addWorksheet('附表');
        other.getCell('B2').value = { formula: '1+1', result: 2 };
      },
    });
    const r = await refusal(importOf(file));
    expect(r).toMatchObject({ code: 'FORMULA_CELLS', status: 422, details: { cells: ['整改台账!L2', '附表!B2'], count: 2 } });
    expect(r.message).toBe('工作簿包含公式，出于安全考虑不予导入，请将公式转为数值后重新上传：整改台账!L2、附表!B2');
  });
});

describe('one huge cell → 422 naming it, never buffered whole', () => {
  const randomText = (chars: number) => randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);

  it('a shared string longer than Excel allows is refused by the cell that uses it', async () => {
    const file = await sheetWith([row(), row({ 整改任务编号: 'T2', 整改措施: 'x'.repeat(40_000) })]);
    const r = await refusal(importOf(file));
    expect(r).toMatchObject({ code: 'CELL_TOO_LONG', status: 422, details: { cells: ['整改台账!J3'], count: 1 } });
    expect(r.message).toContain('整改台账!J3');
  });

  it('an inline string of megabytes is cut while streaming and refused by its address', async () => {
    const huge = randomText(6 * MiB);
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>事项编号</t></is></c></row>` +
      `<row r="2"><c r="A2" t="inlineStr"><is><t>SX-1</t></is></c><c r="B2" t="inlineStr"><is><t>${huge}</t></is></c></row></sheetData></worksheet>`;
    const file = zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) }]);
    expect(file.length).toBeLessThan(10 * MiB);
    expect(await refusal(importOf(file))).toMatchObject({ code: 'CELL_TOO_LONG', status: 422, details: { cells: ['Sheet1!B2'] } });
  });

  it('a shared string of megabytes split into rich-text runs is cut too', async () => {
    const runs = Array.from({ length: 64 }, () => `<r><t>${randomText(64 * 1024)}</t></r>`).join('');
    const sst = `<sst><si><t>事项编号</t></si><si>${runs}</si></sst>`;
    const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="C2" t="s"><v>1</v></c></row></sheetData></worksheet>';
    const file = zipOf([...workbookSkeleton(), { name: 'xl/sharedStrings.xml', data: Buffer.from(sst) }, { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) }]);
    expect(await refusal(importOf(file))).toMatchObject({ code: 'CELL_TOO_LONG', status: 422, details: { cells: ['Sheet1!C2'] } });
  });

  it('the scanner hands the parser a bounded amount of any one cell, whatever the chunking', () => {
    const scanner = new MarkupScanner({ maxRawChars: 1_000, maxTextChars: 1e9 }, 'sheet1');
    let out = scanner.scan('<c r="D7" t="inlineStr"><is><t>');
    for (let i = 0; i < 1_000; i++) out += scanner.scan('&amp;字'.repeat(200));
    out += scanner.scan('</t></is></c><c r="E7"><v>1</v></c>');
    expect(out.length).toBeLessThan(1_200);
    expect(out).toContain(`${OVERSIZED_MARK}</t></is></c><c r="E7"><v>1</v></c>`);
    expect(out).not.toMatch(/&(?![a-z]+;)/);
  });

  it('the text a part may hold in all is bounded → 413', async () => {
    const file = await sheetWith(Array.from({ length: 50 }, (_, i) => row({ 整改任务编号: `T${i}`, 整改任务: `任务${'字'.repeat(100)}${i}` })));
    expect(await refusal(readLedgerSheet(file, { maxTextChars: 2_000 }))).toMatchObject({ code: 'TEXT_TOO_LARGE', status: 413 });
  });
});

describe('the sheet reader', () => {
  it('keeps Date cells as dates and numbers as numbers, row numbers as in the sheet', async () => {
    const file = await sheetWith([row({ 完成时限: new Date(Date.UTC(2027, 2, 31)) }), {}, row({ 完成时限: 46477 })]);
    const sheet = await readLedgerSheet(file);
    expect(sheet.rows.map((r) => [r.row, r.cells.deadline?.kind])).toEqual([
      [2, 'date'],
      [4, 'number'],
    ]);
  });

  it('a workbook without the import headers → 422 NO_LEDGER_SHEET', async () => {
    const file = await sheetWith([{ 名称: 'x' }], { headers: ['名称', '备注'] });
    expect(await refusal(importOf(file))).toMatchObject({ code: 'NO_LEDGER_SHEET', status: 422 });
  });
});

describe('broken XML inside a well-formed ZIP', () => {
  it('is a 422 corrupt workbook, not a server error', async () => {
    const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>事项编号</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a&#0;b</t></is></c></row></sheetData></worksheet>';
    const file = zipOf([...workbookSkeleton(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) }]);
    const r = await refusal(importOf(file));
    expect(r).toMatchObject({ code: 'CORRUPT_WORKBOOK', status: 422 });
    expect(String(r.details.reason)).toContain('malformed character entity');
  });
});
