/**
 * What an upload changes against what earlier imports brought into the plan,
 * in the sheet's words. An import only ever adds items: an item imported
 * before is a running workflow, changed through its own commands (extension,
 * reassignment, new tasks), never by overwriting it from a file. So a changed
 * item is reported, not applied, and an item missing from the file is left
 * alone — the answer says so, item by item and field by field.
 */
import { diffImports, type ItemDiff } from '../ledger/import-fingerprint';
import type { ImportedItem } from '../ledger/types';

export interface ImportDiffView {
  /** one sentence in Chinese */
  summary: string;
  /** items this upload creates */
  itemsAdded: Array<{ key: string; title: string }>;
  /** imported before with the same content: nothing is created twice */
  itemsUnchanged: number;
  /** imported before with other content: the differences, not applied */
  itemsChanged: ItemDiff[];
  /** imported before and absent from this file: left as they are */
  itemsNotInFile: Array<{ key: string; title: string }>;
}

export function importDiff(earlier: ImportedItem[], next: ImportedItem[]): ImportDiffView {
  const diff = diffImports({ items: earlier }, { items: next });
  const earlierKeys = new Set(earlier.map((i) => i.key));
  const changedKeys = new Set(diff.itemsChanged.map((d) => d.key));
  const unchanged = next.filter((i) => earlierKeys.has(i.key) && !changedKeys.has(i.key)).length;
  const parts = [`新增事项 ${diff.itemsAdded.length} 个（将创建）`];
  if (unchanged > 0) parts.push(`与已导入内容相同 ${unchanged} 个（不重复创建）`);
  if (diff.itemsChanged.length > 0) {
    parts.push(`内容有变化 ${diff.itemsChanged.length} 个（未应用：已导入的事项请通过延期、改派、新增任务等操作修改）`);
  }
  if (diff.itemsRemoved.length > 0) parts.push(`已导入但本文件未列出 ${diff.itemsRemoved.length} 个（保持不变）`);
  return {
    summary: parts.join('；'),
    itemsAdded: diff.itemsAdded,
    itemsUnchanged: unchanged,
    itemsChanged: diff.itemsChanged,
    itemsNotInFile: diff.itemsRemoved,
  };
}
