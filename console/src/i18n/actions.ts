/** The audit's action names in words; an action not listed shows its name. */
import type { Lang } from './I18n';

const WORDS: Record<string, [zh: string, en: string]> = {
  itemCreated: ['创建事项', 'Item created'], itemCancelled: ['撤销事项', 'Item cancelled'],
  problemAdded: ['添加问题', 'Problem added'], problemReopened: ['问题重新整改', 'Problem reopened'], taskAdded: ['添加任务', 'Task added'],
  progressReported: ['报送进展', 'Progress reported'], taskSubmitted: ['提交验收', 'Submitted'], taskAccepted: ['验收销号', 'Accepted'],
  taskSentBack: ['退回整改', 'Sent back'], extensionRequested: ['申请延期', 'Extension requested'], extensionDecided: ['延期决定', 'Extension decided'],
  extensionApproved: ['同意延期', 'Extension approved'], extensionDenied: ['不同意延期', 'Extension denied'],
  taskReassigned: ['改派', 'Reassigned'], taskCancelled: ['撤销任务', 'Task cancelled'], taskPaused: ['中止计时', 'Clock paused'],
  taskResumed: ['恢复计时', 'Clock resumed'], followUpConfirmed: ['回头看确认', 'Follow-up confirmed'], calendarUpdated: ['节假日更新', 'Calendar updated'],
};

export function actionWord(action: string, lang: Lang): string {
  const words = WORDS[action];
  return words ? words[lang === 'en' ? 1 : 0] : action;
}
