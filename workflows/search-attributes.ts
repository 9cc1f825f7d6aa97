/**
 * Keeps the item's typed search attributes in step with its state.
 *
 * Since the patch `stable-search-attributes` (workflows/patches.ts), an item keeps only the
 * attributes that commands change (status, owner units, plan, supervision
 * level) and upserts only those that differ from what the run already carries.
 * The next deadline, overdue count and escalation level moved with the clock:
 * upserting them cost a visibility write on every wake (a third of the
 * server's work in a deadline wave) for a question the read side answers
 * (`GET /items?overdue=true&sort=nextDeadline`). They are cleared once; runs
 * recorded before the patch replay their upserts as they were.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { boundedUnitList } from '../domain/item-figures';
import { searchAttributeValues, stableSearchAttributeValues, type SearchAttributeValues } from '../domain/item-views';
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
import { STABLE_SEARCH_ATTRIBUTES, type PatchGate } from './patches';

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

/** What the item carries now, by the patch's rule: the clock's attributes absent. */
function stablePairs(state: ItemState): SearchAttributeUpdatePair[] {
  const v = stableSearchAttributeValues(state);
  return [
    { key: SA_STATUS, value: v.status },
    // none left (every task ended): absent, as an empty list may be stored either way
    { key: SA_OWNER_UNITS, value: v.ownerUnits.length ? boundedUnitList(v.ownerUnits) : null },
    { key: SA_PLAN_ID, value: v.planId ?? null },
    { key: SA_SUPERVISION_LEVEL, value: v.supervisionLevel },
    { key: SA_NEXT_DEADLINE, value: null },
    { key: SA_OVERDUE_COUNT, value: null },
    { key: SA_ESCALATION_LEVEL, value: null },
  ];
}

function sameValue(carried: unknown, wanted: unknown): boolean {
  if (wanted === null || wanted === undefined) return carried === undefined || carried === null;
  if (Array.isArray(wanted)) {
    return Array.isArray(carried) && carried.length === wanted.length && wanted.every((v, i) => carried[i] === v);
  }
  return carried === wanted;
}

export class SearchAttributeSync {
  private last = '';

  constructor(private readonly patched: PatchGate) {}

  sync(state: ItemState, nowMs: number): void {
    if (this.patched(STABLE_SEARCH_ATTRIBUTES)) {
      // compared with the run's own attributes (those it started with, as upserted since): deterministic on replay
      const carried = workflowInfo().typedSearchAttributes;
      const changed = stablePairs(state).filter((p) => !sameValue(carried.get(p.key), p.value));
      if (changed.length) upsertSearchAttributes(changed);
      return;
    }
    const values = searchAttributeValues(state, nowMs);
    const fingerprint = JSON.stringify(values);
    if (fingerprint === this.last) return;
    this.last = fingerprint;
    upsertSearchAttributes(pairs(values));
  }
}
