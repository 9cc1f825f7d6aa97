/**
 * An item of the sheet as POST /items would take it. The item's id is the
 * plan's id and the sheet's 事项编号 joined by a colon: deterministic (the same
 * row imported twice is the same item, never a second one) and scoped to the
 * plan (two plans may both number their items 1, 2, 3). 事项编号 itself has no
 * colon, so the id reads back unambiguously.
 */
import { LIMITS } from '../../domain/limits';
import type { ItemInput, PersonRef } from '../../domain/types';
import type { ImportedItem } from '../ledger/types';

/** 事项编号 as an import takes it: the id alphabet without the colon that joins it to the plan's id. */
export const ITEM_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function importedItemId(planId: string, key: string): string {
  return `${planId}:${key}`;
}

/** The 事项编号 of an item of `planId`: its id without the plan's prefix (an item started otherwise keeps its whole id). */
export function itemKeyOf(planId: string, itemId: string): string {
  const prefix = `${planId}:`;
  return itemId.startsWith(prefix) ? itemId.slice(prefix.length) : itemId;
}

/** How long 事项编号 may be in this plan, so that the item's id stays within the id limit. */
export function maxKeyLength(planId: string): number {
  return Math.max(1, LIMITS.idLength - planId.length - 1);
}

export interface PlanFacts {
  id: string;
  source: string | null;
}

export function toItemInput(plan: PlanFacts, item: ImportedItem, leader: PersonRef): ItemInput {
  return {
    id: importedItemId(plan.id, item.key),
    planId: plan.id,
    title: item.title,
    ...(plan.source ? { source: plan.source } : {}),
    ...(item.category !== undefined ? { category: item.category } : {}),
    supervisionLevel: item.supervisionLevel,
    leader,
    problems: item.problems.map((p) => ({ id: p.id, description: p.description, severity: p.severity })),
    tasks: item.tasks.map((t) => ({
      id: t.id,
      problemIds: t.problemIds,
      description: t.description,
      measures: t.measures,
      ownerUnit: t.ownerUnit.code,
      ownerPerson: t.ownerPerson,
      ...(t.coOwners.length > 0 ? { coOwners: t.coOwners.map((u) => u.code) } : {}),
      deadline: t.deadline,
    })),
  };
}
