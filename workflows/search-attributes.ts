/** Keeps the item's typed search attributes in step with its state, upserting only what changed. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { boundedUnitList } from '../domain/item-figures';
import { searchAttributeValues, type SearchAttributeValues } from '../domain/item-views';
import type { ItemState } from '../domain/types';
import {
  SA_ESCALATION_LEVEL,
  SA_NEXT_DEADLINE,
  SA_OVERDUE_COUNT,
  SA_OWNER_UNITS,
  SA_PLAN_ID,
  SA_STATUS,
  SA_SUPERVISION_LEVEL,
} from './messages';

function pairs(v: SearchAttributeValues): SearchAttributeUpdatePair[] {
  return [
    { key: SA_STATUS, value: v.status },
    // bounded: Temporal terminates a workflow that upserts a value over 2 KiB
    { key: SA_OWNER_UNITS, value: boundedUnitList(v.ownerUnits) },
    { key: SA_NEXT_DEADLINE, value: v.nextDeadline ? new Date(v.nextDeadline) : null },
    { key: SA_OVERDUE_COUNT, value: v.overdueCount },
    { key: SA_ESCALATION_LEVEL, value: v.escalationLevel },
    { key: SA_PLAN_ID, value: v.planId ?? null },
    { key: SA_SUPERVISION_LEVEL, value: v.supervisionLevel },
  ];
}

export class SearchAttributeSync {
  private last = '';

  sync(state: ItemState, nowMs: number): void {
    const values = searchAttributeValues(state, nowMs);
    const fingerprint = JSON.stringify(values);
    if (fingerprint === this.last) return;
    this.last = fingerprint;
    upsertSearchAttributes(pairs(values));
  }
}
