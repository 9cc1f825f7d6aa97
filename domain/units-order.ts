/**
 * The parent chains of many units at once, in linear time: an import of
 * 10,000 units orders them parents first and finds loops without walking a
 * chain once per unit. Each unit's depth is computed once (walking up only to
 * the first unit already known) and units are then bucketed by depth. Pure.
 */

export interface ParentLink {
  code: string;
  parentCode?: string | null;
}

const IN_LOOP = -1;

/**
 * Depth of each unit among `links` (0: no parent among them), or IN_LOOP for a
 * unit on or above a parent loop. A parent not among the links counts as a root.
 */
function depths(links: readonly ParentLink[]): Map<string, number> {
  const parentOf = new Map<string, string | null | undefined>();
  for (const l of links) if (!parentOf.has(l.code)) parentOf.set(l.code, l.parentCode);
  const depth = new Map<string, number>();
  for (const start of parentOf.keys()) {
    if (depth.has(start)) continue;
    // walk up until a root, a unit already known, or a unit met on this walk (a loop)
    const path: string[] = [];
    const onPath = new Set<string>();
    let at: string | null | undefined = start;
    let base: number | undefined; // depth of the known unit above the path, if the walk met one
    let loopFrom: string | undefined;
    while (at !== null && at !== undefined && parentOf.has(at)) {
      const known = depth.get(at);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (onPath.has(at)) {
        loopFrom = at;
        break;
      }
      onPath.add(at);
      path.push(at);
      at = parentOf.get(at);
    }
    if (loopFrom !== undefined || base === IN_LOOP) {
      // every unit on this walk is in the loop or hangs below it
      for (const code of path) depth.set(code, IN_LOOP);
      continue;
    }
    for (let i = path.length - 1, d = (base ?? -1) + 1; i >= 0; i--, d++) depth.set(path[i]!, d);
  }
  return depth;
}

/** The entries, each after its parent when the parent is among them (stable otherwise); units in a loop last. */
export function parentsFirst<T>(entries: readonly T[], linkOf: (e: T) => ParentLink): T[] {
  const depth = depths(entries.map(linkOf));
  const buckets: T[][] = [];
  const looped: T[] = [];
  for (const e of entries) {
    const d = depth.get(linkOf(e).code)!;
    if (d === IN_LOOP) looped.push(e);
    else (buckets[d] ??= []).push(e);
  }
  return [...buckets.flatMap((b) => b ?? []), ...looped];
}

/** The codes of units that are their own ancestor, or hang below a loop, among `links`. */
export function unitsInLoops(links: readonly ParentLink[]): Set<string> {
  const out = new Set<string>();
  for (const [code, d] of depths(links)) if (d === IN_LOOP) out.add(code);
  return out;
}
