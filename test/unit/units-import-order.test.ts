/**
 * A large units import (10,000 units, a 5,000-deep chain among them, rows
 * shuffled): ordered parents first and checked for loops in linear time
 * (domain/units-order.ts). Correctness here; speed is in README (Units import).
 */
import { importProblems, type DirectoryEntry } from '../../api/units-import-check';
import { parentsFirst, unitsInLoops } from '../../domain/units-order';

/** a small seeded generator: the same shuffle every run */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const unit = (code: string, parentCode?: string): DirectoryEntry => ({ code, kind: 'countyDepartment', active: true, ...(parentCode ? { parentCode } : {}) });

/** 5,000 in one chain (chain-0 at the top), 4,990 in a random forest under 10 roots */
function bigImport(random: () => number): DirectoryEntry[] {
  const chain = Array.from({ length: 5_000 }, (_, i) => unit(`chain-${i}`, i === 0 ? undefined : `chain-${i - 1}`));
  const roots = Array.from({ length: 10 }, (_, i) => unit(`root-${i}`));
  const forest: DirectoryEntry[] = [];
  for (let i = 0; i < 4_990; i++) {
    const pool = [...roots, ...forest];
    const parent = i < 10 ? roots[i]! : (random() < 0.5 ? pool[Math.floor(random() * pool.length)]! : forest[forest.length - 1]!);
    forest.push(unit(`forest-${i}`, parent.code));
  }
  return shuffled([...chain, ...roots, ...forest], random);
}

describe('a 10,000-unit import, rows in random order', () => {
  const random = lcg(20261130);
  const rows = bigImport(random);

  it('is ordered with every unit after its parent, each unit once', () => {
    expect(rows).toHaveLength(10_000);
    const order = parentsFirst(rows, (u) => u);
    expect(order).toHaveLength(10_000);
    expect(new Set(order.map((u) => u.code)).size).toBe(10_000);
    const at = new Map(order.map((u, i) => [u.code, i]));
    const misplaced = order.filter((u) => u.parentCode != null && at.get(u.parentCode)! > at.get(u.code)!);
    expect(misplaced).toEqual([]);
    expect(order[0]!.parentCode ?? null).toBeNull();
  });

  it('passes the directory\'s rules when it is sound', () => {
    expect(importProblems(rows, [])).toEqual([]);
  });

  it('a loop closed at the top of the chain is found, at the rows in it, and nowhere else', () => {
    const looped = rows.map((u) => (u.code === 'chain-0' ? unit('chain-0', 'chain-4999') : u));
    const errors = importProblems(looped, []);
    expect(errors).toHaveLength(5_000);
    const codes = new Set(errors.map((e) => looped[Number(/^units\.(\d+)/.exec(e.path)![1])]!.code));
    expect([...codes].every((c) => c.startsWith('chain-'))).toBe(true);
    expect(errors.every((e) => e.path.endsWith('.parentCode') && e.message.includes('its own ancestor'))).toBe(true);
    // the order still holds everyone, the loop last
    const order = parentsFirst(looped, (u) => u);
    expect(order).toHaveLength(10_000);
    expect(order.slice(-5_000).every((u) => u.code.startsWith('chain-'))).toBe(true);
  });
});

describe('small cases', () => {
  it('a unit below a loop counts as in it; a parent outside the import is a root', () => {
    const links = [{ code: 'a', parentCode: 'b' }, { code: 'b', parentCode: 'a' }, { code: 'c', parentCode: 'a' }, { code: 'd', parentCode: 'elsewhere' }];
    expect([...unitsInLoops(links)].sort()).toEqual(['a', 'b', 'c']);
    expect(parentsFirst(links, (l) => l).map((l) => l.code)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('a unit that is its own parent is a loop', () => {
    expect([...unitsInLoops([{ code: 'x', parentCode: 'x' }])]).toEqual(['x']);
  });

  it('keeps the given order among units of the same depth', () => {
    const links = [{ code: 'k2', parentCode: 'p' }, { code: 'p' }, { code: 'k1', parentCode: 'p' }, { code: 'q' }];
    expect(parentsFirst(links, (l) => l).map((l) => l.code)).toEqual(['p', 'q', 'k2', 'k1']);
  });
});
