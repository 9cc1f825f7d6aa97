/**
 * The columns of the import sheet, in template order. The template writes
 * them, the parser finds them by header text (so a user may reorder columns
 * or add their own), and errors name them by the same header.
 */
import { LEVEL_LABELS, SEVERITY_LABELS, labelsOf } from './vocabulary';

export type ImportColumnKey =
  | 'seq'
  | 'itemKey'
  | 'itemTitle'
  | 'problemId'
  | 'problemDescription'
  | 'problemCategory'
  | 'severity'
  | 'taskId'
  | 'taskDescription'
  | 'measures'
  | 'ownerUnit'
  | 'ownerPerson'
  | 'coOwners'
  | 'deadline'
  | 'supervisionLevel'
  | 'leader';

export interface ImportColumn {
  key: ImportColumnKey;
  header: string;
  /** the header row must have it (the cell may still be blank on rows that inherit it) */
  required: boolean;
  width: number;
  note: string;
  /** a fixed vocabulary: becomes a dropdown in the template */
  list?: string[];
}

export const IMPORT_SHEET_NAME = '整改台账';
export const GUIDE_SHEET_NAME = '说明';

export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'seq', header: '序号', required: false, width: 6, note: '选填，仅便于核对，导入时不使用。' },
  {
    key: 'itemKey',
    header: '事项编号',
    required: true,
    width: 14,
    note: '必填。事项编号相同的各行合为一个整改事项。只能用字母、数字和 . _ : -，以字母或数字开头。',
  },
  {
    key: 'itemTitle',
    header: '事项名称',
    required: true,
    width: 28,
    note: '必填，不超过200字。同一事项的各行须一致，后续行可留空。',
  },
  { key: 'problemId', header: '问题编号', required: true, width: 10, note: '必填。同一事项内，问题编号相同的行是同一个问题。' },
  {
    key: 'problemDescription',
    header: '问题描述',
    required: true,
    width: 36,
    note: '必填，不超过2000字。同一问题的各行须一致，后续行可留空。',
  },
  { key: 'problemCategory', header: '问题类别', required: false, width: 12, note: '选填，如“基础设施”“惠民资金”。系统按事项归类：同一事项的各行须一致，后续行可留空。' },
  { key: 'severity', header: '严重程度', required: true, width: 10, note: '必填，从下拉列表选择：低、中、高、严重。', list: labelsOf(SEVERITY_LABELS) },
  {
    key: 'taskId',
    header: '整改任务编号',
    required: true,
    width: 12,
    note: '必填。每行一项整改任务，同一事项内不得重复。每个问题至少要有一项整改任务。',
  },
  { key: 'taskDescription', header: '整改任务', required: true, width: 36, note: '必填，不超过2000字。' },
  { key: 'measures', header: '整改措施', required: true, width: 36, note: '必填，不超过2000字：这项任务怎么改，如时间节点、具体做法。' },
  { key: 'ownerUnit', header: '责任单位', required: true, width: 18, note: '必填，填写单位编码或单位全称，须为单位名录中的单位。' },
  { key: 'ownerPerson', header: '责任人', required: true, width: 10, note: '必填，责任单位的具体责任人。' },
  {
    key: 'coOwners',
    header: '配合单位',
    required: false,
    width: 24,
    note: '选填，多个单位用“、”或“,”分隔（双包保），最多20个。',
  },
  {
    key: 'deadline',
    header: '完成时限',
    required: true,
    width: 14,
    note: '必填。填写日期（如 2027-03-31，按当日23:59:59计），或“N个工作日”（从交办次日起按法定工作日计算）。日期不得早于导入当天。',
  },
  {
    key: 'supervisionLevel',
    header: '督战级别',
    required: false,
    width: 10,
    note: '选填，从下拉列表选择：省级、市级、县级、无；不填按“无”。同一事项的各行须一致。',
    list: labelsOf(LEVEL_LABELS),
  },
  { key: 'leader', header: '牵头领导', required: true, width: 12, note: '必填，事项的牵头领导姓名。同一事项的各行须一致，后续行可留空。' },
];

export function columnByKey(key: ImportColumnKey): ImportColumn {
  const column = IMPORT_COLUMNS.find((c) => c.key === key);
  if (!column) throw new Error(`no import column ${key}`);
  return column;
}

export function headerOf(key: ImportColumnKey): string {
  return columnByKey(key).header;
}

/** Header text as users type it: spaces, line breaks and a "required" asterisk are not part of the name. */
export function normalizeHeader(text: string): string {
  return text.replace(/\s+/g, '').replace(/^[*＊]+/, '');
}
