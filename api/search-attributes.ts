/**
 * Search attributes set at start, so an item is findable in the Temporal UI from
 * its first second: those the workflow keeps (workflows/search-attributes.ts),
 * with the same values and bounds, so its first task has nothing to upsert.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { boundedUnitList } from '../domain/item-figures';
import { stableSearchAttributeValues } from '../domain/item-views';
import type { ItemState } from '../domain/types';
import { SA_OWNER_UNITS, SA_PLAN_ID, SA_STATUS, SA_SUPERVISION_LEVEL } from '../workflows/messages';

export function initialSearchAttributes(state: ItemState): SearchAttributePair[] {
  const v = stableSearchAttributeValues(state);
  const pairs: SearchAttributePair[] = [
    { key: SA_STATUS, value: v.status },
    { key: SA_SUPERVISION_LEVEL, value: v.supervisionLevel },
  ];
  if (v.ownerUnits.length) pairs.push({ key: SA_OWNER_UNITS, value: boundedUnitList(v.ownerUnits) });
  if (v.planId) pairs.push({ key: SA_PLAN_ID, value: v.planId });
  return pairs;
}
