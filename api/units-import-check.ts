/**
 * The rules an import must keep across its rows and the directory it lands in,
 * checked before anything is written so that every bad row is reported at
 * once: each code once, every parent known (in the import or the directory),
 * no unit its own ancestor, one active supervision office per level. Pure.
 */
import { unitsInLoops } from '../domain/units-order';
import type { FieldError } from './http/api-problem';

export interface DirectoryEntry {
  code: string;
  parentCode?: string | null;
  kind: string;
  level?: string | null;
  active: boolean;
}

export function importProblems(units: readonly DirectoryEntry[], existing: readonly DirectoryEntry[]): FieldError[] {
  const errors: FieldError[] = [];
  const firstAt = new Map<string, number>();
  units.forEach((u, i) => {
    const first = firstAt.get(u.code);
    if (first === undefined) firstAt.set(u.code, i);
    else errors.push({ path: `units.${i}.code`, message: `unit '${u.code}' appears twice (also units.${first})` });
  });
  // the directory as it would be after the import: imported rows replace existing ones
  const after = new Map(existing.map((e) => [e.code, e]));
  units.forEach((u, i) => {
    if (firstAt.get(u.code) === i) after.set(u.code, u);
  });

  // every chain walked once in all, not once per unit: an import of 10,000 units stays linear
  const inLoops = unitsInLoops([...after.values()]);
  units.forEach((u, i) => {
    if (!u.parentCode) return;
    if (!after.has(u.parentCode)) {
      errors.push({ path: `units.${i}.parentCode`, message: `unit '${u.code}': no parent unit '${u.parentCode}' in the import or the directory` });
      return;
    }
    if (inLoops.has(u.code)) {
      errors.push({ path: `units.${i}.parentCode`, message: `unit '${u.code}': its parent chain loops back (a unit would be its own ancestor)` });
    }
  });

  const offices = new Map<string, string[]>();
  for (const e of after.values()) {
    if (e.kind === 'supervisionOffice' && e.active && e.level) offices.set(e.level, [...(offices.get(e.level) ?? []), e.code]);
  }
  units.forEach((u, i) => {
    const same = u.kind === 'supervisionOffice' && u.active && u.level ? (offices.get(u.level) ?? []) : [];
    if (same.length > 1) {
      errors.push({
        path: `units.${i}.level`,
        message: `one active supervision office per level: '${u.level}' would have ${same.map((c) => `'${c}'`).join(', ')}`,
      });
    }
  });
  return errors.sort((a, b) => indexOf(a.path) - indexOf(b.path));
}

function indexOf(path: string): number {
  return Number(/^units\.(\d+)/.exec(path)?.[1] ?? 0);
}
