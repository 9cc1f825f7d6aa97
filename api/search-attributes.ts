/**
 * Search attributes set at start, so an item is findable in the Temporal UI from
 * its first second; the workflow upserts them (deadline, overdue, level) as it runs.
 */
import type { SearchAttributePair } from '@temporalio/common';
import type { ItemInput } from '../domain/types';
import {
  SA_ESCALATION_LEVEL,
  SA_OVERDUE_COUNT,
  SA_OWNER_UNITS,
  SA_PLAN_ID,
  SA_STATUS,
  SA_SUPERVISION_LEVEL,
} from '../workflows/messages';

export function initialSearchAttributes(item: ItemInput): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: SA_STATUS, value: 'active' },
    { key: SA_SUPERVISION_LEVEL, value: item.supervisionLevel },
    { key: SA_OWNER_UNITS, value: [...new Set(item.tasks.map((t) => t.ownerUnit))].sort() },
    { key: SA_OVERDUE_COUNT, value: 0 },
    { key: SA_ESCALATION_LEVEL, value: 0 },
  ];
  if (item.planId) pairs.push({ key: SA_PLAN_ID, value: item.planId });
  return pairs;
}
