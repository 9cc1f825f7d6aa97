/**
 * The Chinese words of the sheets and the codes behind them. One table per
 * vocabulary, read both ways, so the template's dropdowns, the parser and the
 * exports can never disagree.
 */
import type { LedgerLight, LedgerRisk, LedgerSeverity, LedgerSupervisionLevel, LedgerTaskStatus } from './types';

export const SEVERITY_LABELS: Record<LedgerSeverity, string> = { low: '低', medium: '中', high: '高', critical: '严重' };

export const LEVEL_LABELS: Record<LedgerSupervisionLevel, string> = {
  province: '省级',
  city: '市级',
  county: '县级',
  none: '无',
};

export const STATUS_LABELS: Record<LedgerTaskStatus, string> = {
  assigned: '已交办',
  inProgress: '整改中',
  submitted: '待验收',
  accepted: '已销号',
  cancelled: '已撤销',
};

export const LIGHT_LABELS: Record<LedgerLight, string> = { green: '绿灯', yellow: '黄灯', red: '红灯', none: '—' };

export const RISK_LABELS: Record<LedgerRisk, string> = { low: '低', medium: '中', high: '高' };

/** ARGB fills: the usual traffic-light colours, light enough to print text on. */
export const LIGHT_FILLS: Record<LedgerLight, string | undefined> = {
  green: 'FFC6EFCE',
  yellow: 'FFFFEB9C',
  red: 'FFFFC7CE',
  none: undefined,
};

export const RISK_FILLS: Record<LedgerRisk, string> = { low: 'FFC6EFCE', medium: 'FFFFEB9C', high: 'FFFFC7CE' };

/** Reverse lookup: label → code. Undefined for anything not in the table. */
export function codeOfLabel<C extends string>(labels: Record<C, string>, label: string): C | undefined {
  for (const code of Object.keys(labels) as C[]) {
    if (labels[code] === label) return code;
  }
  return undefined;
}

/** The labels in table order, for dropdowns and messages. */
export function labelsOf<C extends string>(labels: Record<C, string>): string[] {
  return Object.values<string>(labels);
}
