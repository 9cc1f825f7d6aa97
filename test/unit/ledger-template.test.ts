import ExcelJS from 'exceljs';
import { IMPORT_COLUMNS } from '../../api/ledger/import-columns';
import { buildImportTemplate } from '../../api/ledger/template';
import { UNITS } from '../support/ledger-fixtures';

async function load(file: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb;
}

type Validations = { model: Record<string, ExcelJS.DataValidation | undefined> };
const validations = (ws: ExcelJS.Worksheet) => (ws as unknown as { dataValidations: Validations }).dataValidations.model;

const HEADERS = [
  '序号',
  '事项编号',
  '事项名称',
  '问题编号',
  '问题描述',
  '问题类别',
  '严重程度',
  '整改任务编号',
  '整改任务',
  '整改措施',
  '责任单位',
  '责任人',
  '配合单位',
  '完成时限',
  '督战级别',
  '牵头领导',
];

describe('the import template', () => {
  let wb: ExcelJS.Workbook;
  let ws: ExcelJS.Worksheet;
  beforeAll(async () => {
    wb = await load(await buildImportTemplate({ maxRows: 500 }));
    ws = wb.getWorksheet('整改台账') as ExcelJS.Worksheet;
  });

  it('has the Chinese headers in order on the first row, and the guide sheet after it', () => {
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['整改台账', '说明']);
  });

  it('explains every column in a note on its header', () => {
    HEADERS.forEach((h, i) => {
      const note = ws.getRow(1).getCell(i + 1).note;
      expect(typeof note === 'string' ? note : JSON.stringify(note)).toBe(IMPORT_COLUMNS[i]?.note);
    });
    expect(ws.getCell('N1').note).toContain('N个工作日');
  });

  it('puts dropdowns on 严重程度 and 督战级别 for every row up to the row limit', () => {
    const dv = validations(ws);
    for (const address of ['G2', 'G501']) {
      expect(dv[address]).toMatchObject({ type: 'list', formulae: ['"低,中,高,严重"'], showErrorMessage: true, errorStyle: 'stop' });
    }
    for (const address of ['O2', 'O501']) expect(dv[address]).toMatchObject({ type: 'list', formulae: ['"省级,市级,县级,无"'] });
    expect(dv.G502).toBeUndefined();
    expect(dv.G1).toBeUndefined();
    expect(dv.K2).toBeUndefined(); // no unit directory given
  });

  it('freezes the header row, sizes the columns and keeps id columns as text', () => {
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(5).width).toBe(36); // 问题描述
    expect(ws.getColumn(1).width).toBe(6);
    expect(ws.getColumn(2).numFmt).toBe('@');
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, printTitlesRow: '1:1' });
  });

  it('the 说明 sheet states the rules, each column, and an example row under the headers', () => {
    const guide = wb.getWorksheet('说明') as ExcelJS.Worksheet;
    const texts: string[] = [];
    guide.eachRow((r) => {
      const parts: string[] = [];
      // a merged range reads its value in every cell: take it once, from the master
      r.eachCell((c) => {
        if (c.master === c) parts.push(String(c.value));
      });
      texts.push(parts.join('|'));
    });
    expect(texts[0]).toBe('整改台账导入说明');
    expect(texts.some((t) => t.includes('N个工作日'))).toBe(true);
    expect(texts).toContain(`严重程度|必填|${IMPORT_COLUMNS[6]?.note}`);
    const headerAt = texts.indexOf(HEADERS.join('|'));
    expect(headerAt).toBeGreaterThan(0);
    expect(texts[headerAt + 1]).toContain('SX-2027-001|农村道路通行条件整改|P1');
  });

  it('with a unit directory: a hidden 单位名录 sheet and a warning-style dropdown of names on 责任单位', async () => {
    const withUnits = await load(await buildImportTemplate({ units: UNITS, maxRows: 100 }));
    const units = withUnits.getWorksheet('单位名录') as ExcelJS.Worksheet;
    expect(units.state).toBe('hidden');
    expect((units.getRow(3).values as unknown[]).slice(1)).toEqual(['SL', '县水利局']);
    const dv = validations(withUnits.getWorksheet('整改台账') as ExcelJS.Worksheet);
    expect(dv.K2).toMatchObject({ type: 'list', formulae: ["'单位名录'!$B$2:$B$5"], errorStyle: 'warning' });
    expect(dv.K101).toBeDefined();
  });
});
