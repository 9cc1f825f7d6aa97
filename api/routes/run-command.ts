/** The path every item and task action takes: the envelope, the update, and what the caller is told. */
import { plansLedBy } from '../../db/repositories/plans';
import { rolesAllowed } from '../../domain/authorization';
import { LIMITS } from '../../domain/limits';
import type { Command } from '../../domain/commands';
import type { CommandResult } from '../../domain/transitions';
import type { Actor } from '../../domain/types';
import type { Viewer } from '../../db/repositories/visibility';
import { TOKEN_ROLES, type TokenRole } from '../auth';
import type { HandlerContext } from '../http/route';
import { fingerprintOf, requestIdFor } from '../idempotency';

/** Roles that may send a command: the domain's rule, so the API's fast 403 and the workflow agree. */
export function commandRoles(type: Command['type']): TokenRole[] {
  const allowed = rolesAllowed(type);
  return TOKEN_ROLES.filter((r) => allowed.includes(r));
}

export function viewerOf(actor: Actor): Viewer {
  return { role: actor.role, unit: actor.unit };
}

/** A leader acts with the plans they answer for (the workflow decides with them whether they may act on an item). */
export async function withPlans(actor: Actor, deps: HandlerContext<unknown, unknown, unknown>['deps']): Promise<Actor> {
  if (actor.role !== 'leader') return actor;
  return { ...actor, plans: await plansLedBy(deps.pool, actor.id, LIMITS.plansPerLeader) };
}

export async function runCommand(
  ctx: HandlerContext<unknown, unknown, unknown>,
  itemId: string,
  command: Command,
): Promise<CommandResult> {
  const { deps } = ctx;
  // No pre-check here: the update's validator runs the real rule (rights included) before
  // anything reaches history, and a read first would cost a second round trip.
  const actor = await withPlans(ctx.actor, deps);
  const requestId = requestIdFor(actor.id, ctx.idempotencyKey);
  const fingerprint = fingerprintOf(itemId, command);
  const result = await deps.items.execute(itemId, { requestId, fingerprint, actor, command });
  ctx.log.info({ itemId, command: command.type, requestId, version: result.version, duplicate: result.duplicate }, 'command applied');
  return result;
}
