import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { exportLedger, exportLedgerToBuffer, LEDGER_COLUMNS } from '../../api/ledger/export-ledger';
import { exportDispatchNoticeToBuffer, exportRankingNoticeToBuffer, exportReviewReportToBuffer } from '../../api/ledger/export-notices';
import { guardUpload } from '../../api/ledger/file-guard';
import { safeCellText, unescapeCellText, xmlSafeText } from '../../api/ledger/safe-text';
import { buildImportTemplate } from '../../api/ledger/template';
import type { DispatchNoticeLine, LedgerTaskRow, RankingLine, ReviewReportLine } from '../../api/ledger/types';
import { letZipCatchUp } from '../../api/ledger/workbook-output';
import { NOW, samplePlan } from '../support/ledger-fixtures';

async function load(file: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb;
}

/** The raw XML of every worksheet part, inflated by hand: what a spreadsheet program would see. */
async function sheetXml(file: Buffer): Promise<string> {
  const entries = await guardUpload(file);
  return entries
    .filter((e) => /xl\/worksheets\/sheet\d+\.xml$/.test(e.name))
    .map((e) => inflateRawSync(file.subarray(e.dataOffset, e.dataOffset + e.compressedSize)).toString('utf8'))
    .join('\n');
}

const values = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as unknown[]).slice(1);

function taskRow(over: Partial<LedgerTaskRow> = {}): LedgerTaskRow {
  return {
    itemKey: 'SX-001',
    itemTitle: '农村道路通行条件整改',
    problemId: 'P1',
    problemDescription: '道路雨天无法通行',
    taskId: 'T1',
    taskDescription: '硬化路面2公里',
    measures: '分段施工',
    ownerUnit: '县交通运输局',
    ownerPerson: '张三',
    coOwners: ['小王乡人民政府', '县财政局'],
    status: 'inProgress',
    light: 'red',
    lastProgressText: '已完成0.5公里',
    lastProgressAt: '2026-05-28T02:30:00.000Z',
    dueAt: '2026-05-30T23:59:59+08:00',
    originalDueAt: '2026-05-15T23:59:59+08:00',
    escalationLevel: 2,
    extensionCount: 1,
    reworkCount: 0,
    ...over,
  };
}

describe('the plan ledger export', () => {
  let ws: ExcelJS.Worksheet;
  beforeAll(async () => {
    const rows = [
      taskRow(),
      taskRow({ taskId: 'T2', status: 'submitted', light: 'yellow', dueAt: '2026-06-03T23:59:59+08:00', lastProgressText: undefined, lastProgressAt: undefined, coOwners: [], escalationLevel: 0 }),
      taskRow({ taskId: 'T3', status: 'accepted', light: 'none' }),
    ];
    ws = (await load(await exportLedgerToBuffer(rows, { now: NOW }))).getWorksheet('整改台账') as ExcelJS.Worksheet;
  });

  it('has a title, the header row and one row per task with Chinese labels', () => {
    expect(ws.getCell('A1').value).toBe('整改台账（四项清单）（截至 2026-06-01 10:00）');
    expect(values(ws, 2)).toEqual(LEDGER_COLUMNS.map((c) => c.header));
    expect(values(ws, 3)).toEqual([
      1,
      'SX-001',
      '农村道路通行条件整改',
      'P1',
      '道路雨天无法通行',
      'T1',
      '硬化路面2公里',
      '分段施工',
      '县交通运输局',
      '张三',
      '小王乡人民政府、县财政局',
      '整改中',
      '红灯',
      '已完成0.5公里',
      '2026-05-28 10:30',
      -2,
      '2026-05-30',
      '2026-05-15',
      '2级',
      1,
      0,
    ]);
    expect(ws.getCell('L4').value).toBe('待验收');
    expect(ws.getCell('P4').value).toBe(3); // due in 2 days 14 hours: 3 days to go
    expect(ws.getCell('S4').value).toBe('无');
    expect(ws.getCell('L5').value).toBe('已销号');
    expect(ws.getCell('P5').value).toBeNull(); // closed tasks have no days to go
  });

  it('fills the light cell red / yellow / none', () => {
    expect(ws.getCell('M3').fill).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } });
    expect(ws.getCell('M4').fill).toMatchObject({ fgColor: { argb: 'FFFFEB9C' } });
    expect(ws.getCell('M5').value).toBe('—');
    expect((ws.getCell('M5').fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb).toBeUndefined();
  });

  it('freezes and filters the header, prints A4 landscape with the header on every page', () => {
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.autoFilter).toBe('A2:U2');
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '2:2' });
    expect(ws.getColumn(5).width).toBe(30);
  });

  it('streams from an async source into a Writable', async () => {
    async function* rows() {
      for (let i = 1; i <= 1200; i++) yield taskRow({ taskId: `T${i}` });
    }
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const finished = new Promise((resolve) => out.on('finish', resolve));
    expect(await exportLedger(rows(), out, { now: NOW })).toEqual({ rows: 1200 });
    await finished;
    const sheet = (await load(Buffer.concat(chunks))).getWorksheet('整改台账') as ExcelJS.Worksheet;
    expect(sheet.getCell('F1202').value).toBe('T1200');
    expect(sheet.getCell('A1202').value).toBe(1200);
  });
});

describe('formula injection', () => {
  const evil = ['=HYPERLINK("http://evil.example","点击")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'];

  it('escapes text that a spreadsheet could take for a formula, and undoes exactly that on import', () => {
    for (const text of evil) {
      expect(safeCellText(text)).toBe(`'${text}`);
      expect(unescapeCellText(safeCellText(text))).toBe(text);
    }
    expect(safeCellText('正常文本=不是公式')).toBe('正常文本=不是公式');
    expect(unescapeCellText("'单引号开头")).toBe("'单引号开头");
  });

  it('written cells hold no formula and read back as the escaped text', async () => {
    const rows = evil.map((text, i) => taskRow({ taskId: `T${i}`, itemTitle: text, lastProgressText: text, ownerPerson: text }));
    const file = await exportLedgerToBuffer(rows, { now: NOW });
    const xml = await sheetXml(file);
    expect(xml).not.toMatch(/<f[ >]/);
    // a string written in the cell (no shared-string table, no <f>), apostrophe in front
    expect(xml).toMatch(/<c r="C3" s="\d+" t="str"><v>&apos;=HYPERLINK\(&quot;http:\/\/evil\.example&quot;/);
    const ws = (await load(file)).getWorksheet('整改台账') as ExcelJS.Worksheet;
    evil.forEach((text, i) => {
      for (const col of ['C', 'J', 'N']) {
        const cell = ws.getCell(`${col}${i + 3}`);
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
        // XML turns a carriage return into a line feed whatever the writer does; the apostrophe stays first
        expect(cell.value).toBe(`'${text.replace(/\r/g, '\n')}`);
      }
    });
  });

  it('notices escape their texts too', async () => {
    const file = await exportRankingNoticeToBuffer([{ ...rankingLine(1), unit: '=cmd|" /C calc"!A0' }], { now: NOW });
    expect(await sheetXml(file)).not.toMatch(/<f[ >]/);
    const ws = (await load(file)).getWorksheet('排名通报') as ExcelJS.Worksheet;
    expect(ws.getCell('B4').value).toBe(`'=cmd|" /C calc"!A0`);
  });
});

describe('characters XML forbids never reach the file', () => {
  // U+FFFE and U+FFFF are not XML characters at all, nor C0 controls but tab, LF and CR, nor a lone surrogate:
  // a part holding one is a file Excel refuses to open ("we found a problem with some content")
  const bad = 'a\uFFFEb\uFFFFc\u0001d\u001Fe\uD800f\uDC00g\u000Bh';
  const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|&#x?0*(?:[0-8]|1[124-9]|2\d|3[01]|[bcef]|1[0-9a-f]|fffe|ffff|65534|65535);/i;

  /** every part of the file, inflated and decoded as a spreadsheet program would */
  async function everyPart(file: Buffer): Promise<string[]> {
    const entries = await guardUpload(file);
    return entries.map((e) => {
      const data = file.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
      return (e.method === 8 ? inflateRawSync(data) : data).toString('utf8');
    });
  }

  async function expectClean(file: Buffer): Promise<void> {
    for (const part of await everyPart(file)) expect(part).not.toMatch(FORBIDDEN);
    // and it reads back
    await load(file);
  }

  it('the ledger: cells and title', async () => {
    const rows = [taskRow({ itemTitle: bad, problemDescription: bad, lastProgressText: `=${bad}`, ownerPerson: bad, coOwners: [bad] })];
    const file = await exportLedgerToBuffer(rows, { now: NOW, title: `方案${bad}` });
    await expectClean(file);
    const ws = (await load(file)).getWorksheet('整改台账') as ExcelJS.Worksheet;
    expect(ws.getCell('C3').value).toBe('abcdefgh');
  });

  it('the notices: cells, titles and the printed header', async () => {
    await expectClean(await exportRankingNoticeToBuffer([{ ...rankingLine(1), unit: bad }], { now: NOW, title: `排名${bad}` }));
  });

  it('the template filled with a plan, and its unit list', async () => {
    const plan = samplePlan();
    plan.items[0]!.title = bad;
    plan.items[0]!.tasks[0]!.measures = bad;
    await expectClean(await buildImportTemplate({ plan, units: [{ code: 'JT', name: `县交通${bad}局` }] }));
  });

  it('the rule itself: strips what XML forbids, keeps tab, new lines and pairs', () => {
    expect(xmlSafeText(bad)).toBe('abcdefgh');
    expect(xmlSafeText('a\tb\nc\rd😀e')).toBe('a\tb\nc\rd😀e');
    expect(safeCellText('\uFFFE=1')).toBe("'=1");
  });
});

function rankingLine(rank: number): RankingLine {
  return { rank, unit: `单位${rank}`, totalTasks: 10, acceptedTasks: 10 - rank, completionRate: (10 - rank) / 10, overdueCount: rank - 1, escalations: rank, reworks: 0 };
}

describe('the notices', () => {
  it('weekly dispatch: the week in the subtitle, one line per open task, totals under the table', async () => {
    const line: DispatchNoticeLine = {
      itemKey: 'SX-001',
      itemTitle: '道路整改',
      taskId: 'T1',
      taskDescription: '硬化路面',
      ownerUnit: '县交通运输局',
      ownerPerson: '张三',
      status: 'inProgress',
      percent: 40,
      lastProgressText: '施工中',
      lastProgressAt: '2026-05-25T01:00:00Z',
      dueAt: '2026-05-30T23:59:59+08:00',
      light: 'red',
      stale: true,
      overdue: true,
    };
    const file = await exportDispatchNoticeToBuffer([line, { ...line, taskId: 'T2', light: 'green', stale: false, overdue: false, dueAt: '2026-07-01T23:59:59+08:00' }], {
      now: NOW,
      weekStart: '2026-05-25',
    });
    const ws = (await load(file)).getWorksheet('调度通报') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('整改工作调度通报');
    expect(ws.getCell('A2').value).toBe('调度周期：2026年5月25日—2026年5月31日　　制表时间：2026-06-01 10:00');
    expect(values(ws, 4)).toEqual([1, 'SX-001', '道路整改', 'T1', '硬化路面', '县交通运输局', '张三', '整改中', 0.4, '施工中', '2026-05-25 09:00', '2026-05-30', -2, '红灯', '是', '是']);
    expect(ws.getCell('I4').numFmt).toBe('0%');
    expect(ws.getCell('N4').fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
    expect(ws.getCell('N5').fill).toMatchObject({ fgColor: { argb: 'FFC6EFCE' } });
    expect(ws.getCell('A7').value).toBe('合计：在办整改任务 2 项，其中超期 1 项、本周无进展 1 项；红灯 1 项、黄灯 0 项、绿灯 1 项。');
    expect(ws.pageSetup.printTitlesRow).toBe('3:3');
  });

  it('weekly dispatch: a line taken at a dispatch counts its days from that dispatch, not from when the notice is drawn up', async () => {
    const line: DispatchNoticeLine = {
      itemKey: 'SX-001', itemTitle: '道路整改', taskId: 'T1', taskDescription: '硬化路面', ownerUnit: '县交通运输局', ownerPerson: '张三',
      status: 'assigned', percent: 0, dueAt: '2026-05-30T23:59:59+08:00', light: 'yellow', stale: false, overdue: false,
      // Monday 09:00 of that week: 5 days and 15 hours before the deadline
      asOf: '2026-05-25T01:00:00Z',
    };
    const file = await exportDispatchNoticeToBuffer([line], { now: NOW, weekStart: '2026-05-25' });
    const ws = (await load(file)).getWorksheet('调度通报') as ExcelJS.Worksheet;
    expect(ws.getCell('M4').value).toBe(6);
  });

  it('monthly review: per item figures, risk coloured, totals', async () => {
    const lines: ReviewReportLine[] = [
      { itemKey: 'SX-001', itemTitle: '道路整改', totalTasks: 4, acceptedTasks: 1, completionRate: 0.25, completionRateChange: -5, overdueCount: 2, escalations: 3, reworks: 1, risk: 'high' },
      { itemKey: 'SX-002', itemTitle: '资金发放', totalTasks: 2, acceptedTasks: 2, completionRate: 1, overdueCount: 0, escalations: 0, reworks: 0, risk: 'low' },
    ];
    const ws = (await load(await exportReviewReportToBuffer(lines, { now: NOW, month: '2026-05' }))).getWorksheet('研判报告') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('整改工作研判报告（2026年5月）');
    expect(values(ws, 4)).toEqual([1, 'SX-001', '道路整改', 4, 1, 0.25, -5, 2, 3, 1, '高']);
    expect(ws.getCell('G5').value).toBeNull();
    expect(ws.getCell('K4').fill).toMatchObject({ fgColor: { argb: 'FFFFC7CE' } });
    expect(ws.getCell('K5').fill).toMatchObject({ fgColor: { argb: 'FFC6EFCE' } });
    expect(ws.getCell('A7').value).toBe('合计：整改事项 2 个，高风险 1 个、中风险 0 个、低风险 1 个；整改任务 6 项，已销号 3 项（50.0%），超期 2 项。');
  });

  it('unit ranking over a period says which days it covers', async () => {
    const file = await exportRankingNoticeToBuffer([rankingLine(1)], { now: NOW, period: { first: '2026-05-01', last: '2026-05-31' } });
    const ws = (await load(file)).getWorksheet('排名通报') as ExcelJS.Worksheet;
    expect(ws.getCell('A2').value).toBe('统计周期：2026年5月1日—2026年5月31日　　统计截至：2026-06-01 10:00　　按完成率从高到低排名');
  });

  it('unit ranking: rank order as given, rates as percentages, totals', async () => {
    const ws = (await load(await exportRankingNoticeToBuffer([rankingLine(1), rankingLine(2)], { now: NOW }))).getWorksheet('排名通报') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('整改工作责任单位排名通报');
    expect(values(ws, 3)).toEqual(['名次', '责任单位', '任务总数', '已销号', '完成率', '超期任务', '升级次数', '退回次数']);
    expect(values(ws, 4)).toEqual([1, '单位1', 10, 9, 0.9, 0, 1, 0]);
    expect(ws.getCell('E4').numFmt).toBe('0.0%');
    expect(ws.getCell('A7').value).toBe('合计：参与排名单位 2 个，整改任务 20 项，已销号 17 项（85.0%），超期 1 项。');
  });

  it('refuses a malformed period instead of printing a wrong title', async () => {
    await expect(exportDispatchNoticeToBuffer([], { now: NOW, weekStart: '2026-02-30' })).rejects.toThrow(RangeError);
    await expect(exportReviewReportToBuffer([], { now: NOW, month: '2026-13' })).rejects.toThrow(RangeError);
  });
});

describe('backpressure towards the ZIP compressor', () => {
  it('waits for the deflate stream to drain when it asks to, and only then', async () => {
    const pipe = new EventEmitter() as EventEmitter & { _writableState: { length: number; needDrain: boolean } };
    pipe._writableState = { length: 5_000_000, needDrain: true };
    const ws = { stream: { pipes: [pipe] } };
    let done = false;
    const waiting = letZipCatchUp(ws, 200).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    pipe.emit('drain');
    await waiting;
    expect(done).toBe(true);
    // between checks, and when nothing is pending, it does not wait
    await expect(letZipCatchUp(ws, 201)).resolves.toBeUndefined();
    pipe._writableState.needDrain = false;
    await expect(letZipCatchUp(ws, 400)).resolves.toBeUndefined();
  });

  it('finds the deflate stream where exceljs 4.4.0 keeps it', async () => {
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true });
    const ws = wb.addWorksheet('x');
    for (let i = 0; i < 10; i++) ws.addRow([i, '文本']).commit();
    await new Promise((resolve) => setImmediate(resolve));
    const pipe = (ws as unknown as { stream: { pipes: Array<{ _writableState: { needDrain: unknown; length: unknown } }> } }).stream.pipes[0];
    expect(typeof pipe?._writableState.needDrain).toBe('boolean');
    expect(typeof pipe?._writableState.length).toBe('number');
    ws.commit();
    await wb.commit();
  });
});
