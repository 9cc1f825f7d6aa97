/**
 * The pure part of a large units import: ordering 10,000 rows parents first
 * and checking their parent chains (5,000 of them in one chain), rows shuffled.
 * Before: a sort whose comparator walked each chain (and rebuilt a map) per
 * comparison, and a walk up per unit for loops; now each chain is walked once.
 *
 *   npx tsx bench/units-import-order.ts [units]
 */
import { importProblems, type DirectoryEntry } from '../api/units-import-check';
import { parentsFirst } from '../domain/units-order';

const n = Number(process.argv[2] ?? 10_000);
const chain = Math.floor(n / 2);
const rows: DirectoryEntry[] = [];
for (let i = 0; i < chain; i++) rows.push({ code: `c${i}`, kind: 'other', active: true, ...(i ? { parentCode: `c${i - 1}` } : {}) });
for (let i = chain; i < n; i++) rows.push({ code: `t${i}`, kind: 'other', active: true, ...(i > chain ? { parentCode: `t${chain + Math.floor((i - chain) / 2)}` } : {}) });
let seed = 7;
for (let i = rows.length - 1; i > 0; i--) {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  const j = seed % (i + 1);
  [rows[i], rows[j]] = [rows[j]!, rows[i]!];
}

function timed<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  console.log(`${label}: ${(performance.now() - t0).toFixed(0)} ms`);
  return out;
}

timed(`parentsFirst, ${n} units`, () => parentsFirst(rows, (r) => r));
const problems = timed(`importProblems, ${n} units`, () => importProblems(rows, []));
if (problems.length) throw new Error('the bench import should be sound');

// the old order, for comparison (a comparator that walks both chains, rebuilding the code map each time)
function oldDepth(unit: DirectoryEntry, all: DirectoryEntry[]): number {
  const byCode = new Map(all.map((e) => [e.code, e]));
  let d = 0;
  for (let u: DirectoryEntry | undefined = unit; u?.parentCode && d < all.length; u = byCode.get(u.parentCode)) d += 1;
  return d;
}
const oldN = Number(process.env.OLD_N ?? 1_000);
const sample = rows.slice(0, oldN);
timed(`old sort, ${oldN} units`, () => [...sample].sort((a, b) => oldDepth(a, sample) - oldDepth(b, sample)));
