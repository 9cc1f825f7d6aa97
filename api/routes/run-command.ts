/** The path every item and task action takes: the envelope, the update, and what the caller is told. */
import { answersForPlan } from '../../db/repositories/plans';
import { rolesAllowed } from '../../domain/authorization';
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

/**
 * A leader acts with the plan they answer for, when they answer for the plan of
 * the item at hand: the workflow decides with it whether they may act. The
 * item's plan is read from the workflow itself, so a fresh item's plan counts too.
 */
export async function withPlanOf(actor: Actor, planId: string | undefined, deps: Pick<HandlerContext<unknown, unknown, unknown>['deps'], 'pool'>): Promise<Actor> {
  if (actor.role !== 'leader' || planId === undefined) return actor;
  return (await answersForPlan(deps.pool, planId, actor.id)) ? { ...actor, plans: [planId] } : actor;
}

/** An item's plan never changes: the read side knows it, and the workflow does for an item just started. */
async function itemPlan(itemId: string, deps: HandlerContext<unknown, unknown, unknown>['deps']): Promise<string | undefined> {
  const { rows } = await deps.pool.query('SELECT plan_id FROM items WHERE id = $1', [itemId]);
  if (rows[0]) return rows[0].plan_id ?? undefined;
  return (await deps.items.state(itemId))?.planId;
}

export async function runCommand(
  ctx: HandlerContext<unknown, unknown, unknown>,
  itemId: string,
  command: Command,
): Promise<CommandResult> {
  const { deps } = ctx;
  // No pre-check here: the update's validator runs the real rule (rights included) before
  // anything reaches history, and a read first would cost a second round trip.
  // leaders only: owners and admins need no plan to act
  const actor = ctx.actor.role === 'leader' ? await withPlanOf(ctx.actor, await itemPlan(itemId, deps), deps) : ctx.actor;
  const requestId = requestIdFor(actor.id, ctx.idempotencyKey);
  const fingerprint = fingerprintOf(itemId, command);
  const result = await deps.items.execute(itemId, { requestId, fingerprint, actor, command });
  ctx.log.info({ itemId, command: command.type, requestId, version: result.version, duplicate: result.duplicate }, 'command applied');
  return result;
}
