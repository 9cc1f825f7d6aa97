/**
 * The three periodic notices as workbooks: the weekly dispatch notice
 * (调度通报), the monthly review report (研判报告) and the unit ranking notice
 * (排名通报). Each takes its lines once, in the order the caller wants them
 * shown (worst first is customary), and streams them out. A malformed
 * period (weekStart, month) rejects with a RangeError before anything is written.
 */
import type { Writable } from 'node:stream';
import { writeNotice } from './notice-writer';
import {
  dispatchNoticeSpec,
  rankingNoticeSpec,
  reviewReportSpec,
  type DispatchNoticeOptions,
  type RankingNoticeOptions,
  type ReviewReportOptions,
} from './notice-specs';
import type { DispatchNoticeLine, RankingLine, ReviewReportLine, RowSource } from './types';
import { collectBuffer } from './workbook-output';

export type { DispatchNoticeOptions, NoticeOptions, RankingNoticeOptions, ReviewReportOptions } from './notice-specs';

export async function exportDispatchNotice(lines: RowSource<DispatchNoticeLine>, out: Writable, options: DispatchNoticeOptions): Promise<{ rows: number }> {
  return writeNotice(lines, out, dispatchNoticeSpec(options), options.now);
}

export async function exportReviewReport(lines: RowSource<ReviewReportLine>, out: Writable, options: ReviewReportOptions): Promise<{ rows: number }> {
  return writeNotice(lines, out, reviewReportSpec(options), options.now);
}

export async function exportRankingNotice(lines: RowSource<RankingLine>, out: Writable, options: RankingNoticeOptions): Promise<{ rows: number }> {
  return writeNotice(lines, out, rankingNoticeSpec(options), options.now);
}

export const exportDispatchNoticeToBuffer = (lines: RowSource<DispatchNoticeLine>, options: DispatchNoticeOptions) =>
  collectBuffer(async (out) => void (await exportDispatchNotice(lines, out, options)));
export const exportReviewReportToBuffer = (lines: RowSource<ReviewReportLine>, options: ReviewReportOptions) =>
  collectBuffer(async (out) => void (await exportReviewReport(lines, out, options)));
export const exportRankingNoticeToBuffer = (lines: RowSource<RankingLine>, options: RankingNoticeOptions) =>
  collectBuffer(async (out) => void (await exportRankingNotice(lines, out, options)));
