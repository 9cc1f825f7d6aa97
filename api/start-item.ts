/**
 * Starting a new item, whoever asks: POST /items and the ledger import take
 * this one path, so an imported item passes exactly the checks a typed one
 * does (its plan exists, the caller may file into it, its units are active
 * units of the directory, the domain's rules and limits) before its workflow
 * starts.
 */
import { admissionFacts } from '../db/repositories/item-admission';
import { leadsItem } from '../domain/authorization';
import { DomainError } from '../domain/errors';
import type { Actor, ItemInput } from '../domain/types';
import type { RouteDeps } from './http/route';
import type { StartedItem } from './item-gateway';
import { refuseUnknownUnits, unitsOfTask } from './unit-check';

export interface AdmittedStart extends StartedItem {
  /** the names of the item's units, by code */
  unitNames: Map<string, string>;
}

export async function startNewItem(deps: Pick<RouteDeps, 'pool' | 'items'>, caller: Actor, item: ItemInput): Promise<AdmittedStart> {
  const unitRefs = item.tasks.flatMap((t, i) => unitsOfTask(t, `tasks.${i}`));
  // one round trip to the read side for every fact the checks below need
  const facts = await admissionFacts(deps.pool, {
    itemId: item.id, planId: item.planId, callerId: caller.id, unitCodes: unitRefs.map(([, code]) => code),
  });
  // an item filed under a plan changes that plan's report: the plan must exist, and only its leaders (or admins) file into it
  if (item.planId !== undefined && !facts.planExists) {
    throw new DomainError('VALIDATION_FAILED', `no plan '${item.planId}'`, { path: 'planId' });
  }
  const actor: Actor = caller.role === 'leader' && item.planId !== undefined && facts.answersForPlan
    ? { ...caller, plans: [item.planId] }
    : caller;
  const allowed = item.planId === undefined ? leadsItem(actor, item) : actor.role === 'admin' || (actor.plans ?? []).includes(item.planId);
  if (!allowed) {
    throw new DomainError('FORBIDDEN', item.planId === undefined
      ? 'a leader starts the items they lead (leader.id is theirs)'
      : `only the leaders who answer for plan '${item.planId}' file items into it`);
  }
  const unitNames = refuseUnknownUnits(unitRefs, facts.activeUnits);
  const started = await deps.items.start(item, actor, { idTaken: facts.idTaken });
  return { ...started, unitNames };
}
