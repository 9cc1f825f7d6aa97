/**
 * Search attributes set at start, so an item is findable in the Temporal UI from
 * its first second; the workflow upserts them as it runs. Same values and
 * bounds as the workflow's own (domain/item-views.ts, domain/item-figures.ts).
 */
import type { SearchAttributePair } from '@temporalio/common';
import { boundedUnitList } from '../domain/item-figures';
import { searchAttributeValues } from '../domain/item-views';
import type { ItemState } from '../domain/types';
import {
  SA_ESCALATION_LEVEL,
  SA_NEXT_DEADLINE,
  SA_OVERDUE_COUNT,
  SA_OWNER_UNITS,
  SA_PLAN_ID,
  SA_STATUS,
  SA_SUPERVISION_LEVEL,
} from '../workflows/messages';

export function initialSearchAttributes(state: ItemState, nowMs: number): SearchAttributePair[] {
  const v = searchAttributeValues(state, nowMs);
  const pairs: SearchAttributePair[] = [
    { key: SA_STATUS, value: v.status },
    { key: SA_SUPERVISION_LEVEL, value: v.supervisionLevel },
    { key: SA_OWNER_UNITS, value: boundedUnitList(v.ownerUnits) },
    { key: SA_OVERDUE_COUNT, value: v.overdueCount },
    { key: SA_ESCALATION_LEVEL, value: v.escalationLevel },
  ];
  if (v.nextDeadline) pairs.push({ key: SA_NEXT_DEADLINE, value: new Date(v.nextDeadline) });
  if (v.planId) pairs.push({ key: SA_PLAN_ID, value: v.planId });
  return pairs;
}
