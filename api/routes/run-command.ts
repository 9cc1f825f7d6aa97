/** The path every item and task action takes: envelope, update, the caller's view of the result. */
import type { Command } from '../../domain/commands';
import { rolesAllowed } from '../../domain/authorization';
import type { ItemSnapshot } from '../../domain/types';
import { TOKEN_ROLES, type TokenRole } from '../auth';
import type { HandlerContext } from '../http/route';
import { itemViewFor } from '../owner-view';

/** Roles that may send a command: the domain's rule, so the API's fast 403 and the workflow agree. */
export function commandRoles(type: Command['type']): TokenRole[] {
  const allowed = rolesAllowed(type);
  return TOKEN_ROLES.filter((r) => allowed.includes(r));
}

export async function runCommand(
  ctx: HandlerContext<unknown, unknown, unknown>,
  itemId: string,
  command: Command,
): Promise<ItemSnapshot> {
  const { actor, deps } = ctx;
  // No pre-check of the owner's unit here: the update's validator refuses another unit's task
  // (403) before anything reaches history, and a query first would cost a second round trip.
  // Keys are scoped to the caller: two users who pick the same key never collide.
  const requestId = `${actor.id}/${ctx.idempotencyKey}`;
  const state = await deps.items.execute(itemId, { requestId, actor, command });
  ctx.log.info({ itemId, command: command.type, requestId }, 'command applied');
  return itemViewFor(actor, state);
}
