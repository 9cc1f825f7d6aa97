/**
 * The 说明 (guide) sheet of the import template: the rules in plain words,
 * every column with what to put in it, and a filled-in example. The parser
 * never reads data from this sheet.
 */
import type ExcelJS from 'exceljs';
import { GUIDE_SHEET_NAME, IMPORT_COLUMNS, type ImportColumnKey } from './import-columns';
import { BORDER, writeHeaderRow } from './sheet-style';
import type { WorkbookWriter } from './workbook-output';

export interface GuideFacts {
  maxRows: number;
  maxMiB: number;
}

const EXAMPLE: Array<Partial<Record<ImportColumnKey, string>>> = [
  {
    seq: '1',
    itemKey: 'SX-2027-001',
    itemTitle: '农村道路通行条件整改',
    problemId: 'P1',
    problemDescription: '小王村通村道路雨天无法通行',
    problemCategory: '基础设施',
    severity: '高',
    taskId: 'T1',
    taskDescription: '硬化路面2公里',
    measures: '6月底前完成招标，9月底前完工验收',
    ownerUnit: '县交通运输局',
    ownerPerson: '张三',
    coOwners: '小王乡人民政府',
    deadline: '2027-09-30',
    supervisionLevel: '县级',
    leader: '李雷',
  },
  {
    seq: '2',
    itemKey: 'SX-2027-001',
    problemId: 'P1',
    taskId: 'T2',
    taskDescription: '疏通排水沟渠',
    measures: '汛期前完成清淤，砌筑边沟',
    ownerUnit: '县水利局',
    ownerPerson: '王五',
    coOwners: '小王乡人民政府、县财政局',
    deadline: '20个工作日',
  },
];

function rules(facts: GuideFacts): string[] {
  return [
    '1. 在“整改台账”表中每行填写一项整改任务。事项编号相同的行属于同一个整改事项；同一事项内，问题编号相同的行属于同一个问题。',
    '2. 事项名称、问题类别、督战级别、牵头领导按事项填写，问题描述、严重程度按问题填写：可以每行都填，也可以只在第一行填；填了的必须一致。',
    '3. 每个问题至少要有一项整改任务，每项任务须写明整改措施；整改任务编号在同一事项内不得重复。',
    '4. 完成时限填写日期（如 2027-03-31，按当日 23:59:59 计，不得早于导入当天），或“N个工作日”（从交办次日起按法定工作日计算）。',
    '5. 责任单位、配合单位须为单位名录中的单位，可填写单位编码或全称；多个配合单位用“、”分隔。',
    '6. 严重程度、督战级别请从下拉列表中选择。',
    `7. 请勿使用公式，不要设置密码，请保存为 .xlsx 格式；文件不超过 ${facts.maxMiB} MiB，数据不超过 ${facts.maxRows} 行。`,
    '8. 导入时会一次列出全部错误（行号、列名和原因），请全部改正后重新上传。',
  ];
}

export function writeGuideSheet(wb: WorkbookWriter, facts: GuideFacts): void {
  const ws = wb.addWorksheet(GUIDE_SHEET_NAME);
  ws.columns = IMPORT_COLUMNS.map((c, i) => ({ width: i === 2 ? Math.max(c.width, 40) : c.width }));
  let r = 1;
  const line = (text: string, font?: Partial<ExcelJS.Font>) => {
    const row = ws.getRow(r);
    row.getCell(1).value = text;
    if (font) row.getCell(1).font = font;
    ws.mergeCells(r, 1, r, IMPORT_COLUMNS.length);
    row.commit();
    r++;
  };
  line('整改台账导入说明', { bold: true, size: 16 });
  for (const rule of rules(facts)) line(rule);
  r++;

  line('各列填写要求', { bold: true, size: 12 });
  const table = ws.getRow(r++);
  ['列名', '是否必填', '填写说明'].forEach((h, i) => {
    table.getCell(i + 1).value = h;
    table.getCell(i + 1).font = { bold: true };
    table.getCell(i + 1).border = BORDER;
  });
  table.commit();
  for (const c of IMPORT_COLUMNS) {
    const row = ws.getRow(r++);
    [c.header, c.required ? '必填' : '选填', c.note].forEach((v, i) => {
      row.getCell(i + 1).value = v;
      row.getCell(i + 1).border = BORDER;
      row.getCell(i + 1).alignment = { wrapText: true, vertical: 'top' };
    });
    row.commit();
  }
  r++;

  line('填写示例（同一事项的第二行省略了事项和问题的信息）', { bold: true, size: 12 });
  writeHeaderRow(ws, r++, IMPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width }))).commit();
  for (const example of EXAMPLE) {
    const row = ws.getRow(r++);
    IMPORT_COLUMNS.forEach((c, i) => {
      row.getCell(i + 1).value = example[c.key] ?? null;
      row.getCell(i + 1).border = BORDER;
    });
    row.commit();
  }
  ws.commit();
}
