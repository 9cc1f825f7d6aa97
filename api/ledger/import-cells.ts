/**
 * Reads one row's cells into typed values, writing a Chinese error for each
 * cell that is wrong and carrying on, so one pass over the sheet lists every
 * problem at once.
 */
import { cellText } from './cell-values';
import { parseDeadlineCell, type DeadlineContext } from './deadline-cell';
import { headerOf, type ImportColumnKey } from './import-columns';
import type { LedgerRow } from './import-parse';
import type { ImportError, LedgerDeadline, LedgerLimits, ResolveUnit, UnitRef } from './types';
import { codeOfLabel } from './vocabulary';

/**
 * A cell's outcome. `present` is true whenever the cell had content, even
 * invalid content: "missing" is only said of a truly empty cell, so one
 * mistake never produces two messages.
 */
export interface Cell<T> {
  present: boolean;
  value?: T;
}

const ABSENT: Cell<never> = { present: false };

export interface CellContext {
  limits: LedgerLimits;
  idPattern: RegExp;
  resolveUnit: ResolveUnit;
  deadline: DeadlineContext;
}

/** C0 controls other than tab and line breaks: invisible, and NUL cannot be stored in PostgreSQL text or jsonb. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** 、 is what the template asks for; people also type , ， ; ； and line breaks. */
const UNIT_SEPARATORS = /[、,，;；\n]+/;

export class RowCells {
  constructor(
    private readonly row: LedgerRow,
    private readonly ctx: CellContext,
    private readonly errors: ImportError[],
  ) {}

  get rowNumber(): number {
    return this.row.row;
  }

  error(key: ImportColumnKey, message: string): void {
    this.errors.push({ row: this.row.row, column: headerOf(key), message });
  }

  has(key: ImportColumnKey): boolean {
    return this.row.cells[key] !== undefined;
  }

  /** Text of at most `max` characters (counted as people count them: code points). */
  text(key: ImportColumnKey, max: number, required = false): Cell<string> {
    const raw = this.row.cells[key];
    if (!raw) {
      if (required) this.error(key, `“${headerOf(key)}”不能为空`);
      return ABSENT;
    }
    if (raw.kind === 'error') {
      this.error(key, `单元格为错误值 ${raw.code}，请填写内容`);
      return { present: true };
    }
    const text = cellText(raw) ?? '';
    if (CONTROL.test(text)) {
      this.error(key, `“${headerOf(key)}”含有不可见的控制字符，请删除后重新填写`);
      return { present: true };
    }
    const length = [...text].length;
    if (length > max) {
      this.error(key, `“${headerOf(key)}”不能超过 ${max} 个字（现为 ${length} 个字）`);
      return { present: true };
    }
    return { present: true, value: text };
  }

  id(key: ImportColumnKey, required = true): Cell<string> {
    const cell = this.text(key, this.ctx.limits.id, required);
    if (cell.value !== undefined && !this.ctx.idPattern.test(cell.value)) {
      this.error(key, `“${headerOf(key)}”“${cell.value}”无效：只能使用字母、数字和 . _ : -，且以字母或数字开头`);
      return { present: true };
    }
    return cell;
  }

  /** A word of a fixed vocabulary: its Chinese label, or the code itself. */
  choice<C extends string>(key: ImportColumnKey, labels: Record<C, string>, required: boolean): Cell<C> {
    const cell = this.text(key, this.ctx.limits.shortText, required);
    if (cell.value === undefined) return cell as Cell<never>;
    const codes = Object.keys(labels) as C[];
    const code = codes.find((c) => c === cell.value) ?? codeOfLabel(labels, cell.value);
    if (!code) {
      this.error(key, `无法识别的${headerOf(key)}“${cell.value}”，应为 ${codes.map((c) => labels[c]).join('、')} 之一`);
      return { present: true };
    }
    return { present: true, value: code };
  }

  unit(key: ImportColumnKey, required: boolean): Cell<UnitRef> {
    const cell = this.text(key, this.ctx.limits.shortText, required);
    if (cell.value === undefined) return cell as Cell<never>;
    return this.resolve(key, cell.value);
  }

  units(key: ImportColumnKey): Cell<UnitRef[]> {
    const raw = this.row.cells[key];
    if (!raw) return ABSENT;
    const cell = this.text(key, this.ctx.limits.shortText * this.ctx.limits.coOwners, false);
    if (cell.value === undefined) return { present: true };
    const parts = cell.value.split(UNIT_SEPARATORS).map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length > this.ctx.limits.coOwners) {
      this.error(key, `“${headerOf(key)}”最多 ${this.ctx.limits.coOwners} 个（现为 ${parts.length} 个）`);
      return { present: true };
    }
    const units: UnitRef[] = [];
    let ok = true;
    for (const part of parts) {
      if ([...part].length > this.ctx.limits.shortText) {
        this.error(key, `单位名称“${part.slice(0, 20)}…”超过 ${this.ctx.limits.shortText} 个字`);
        ok = false;
        continue;
      }
      const unit = this.resolve(key, part);
      if (!unit.value) ok = false;
      else if (!units.some((u) => u.code === unit.value?.code)) units.push(unit.value);
    }
    return ok ? { present: true, value: units } : { present: true };
  }

  /** `pastAllowed`: a day already gone is no mistake (a task of an item imported before, not started again) */
  deadline(key: ImportColumnKey, pastAllowed = false): Cell<LedgerDeadline> {
    const raw = this.row.cells[key];
    if (!raw) {
      this.error(key, `“${headerOf(key)}”不能为空`);
      return ABSENT;
    }
    const parsed = parseDeadlineCell(raw, pastAllowed ? { ...this.ctx.deadline, nowMs: Number.NEGATIVE_INFINITY } : this.ctx.deadline);
    if (!parsed.ok) {
      this.error(key, parsed.message);
      return { present: true };
    }
    return { present: true, value: parsed.deadline };
  }

  private resolve(key: ImportColumnKey, text: string): Cell<UnitRef> {
    const unit = this.ctx.resolveUnit(text);
    if (!unit) {
      this.error(key, `单位“${text}”不在单位名录中，请填写单位编码或单位全称`);
      return { present: true };
    }
    return { present: true, value: unit };
  }
}
