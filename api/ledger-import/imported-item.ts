/**
 * Whether an item that already exists is the one a ledger import started:
 * after a runner died between starting an item and recording it, the next
 * start of that id is refused as a duplicate, and this tells "ours, started
 * before the crash" (count it as created) from "someone else's" (a failure).
 * Ours means: in the import's plan, created by the uploader, with the title
 * the import gave it.
 */
import type { Pool } from 'pg';
import type { Actor, ItemInput } from '../../domain/types';
import type { ItemGateway } from '../item-gateway';

export function createImportedItemCheck(pool: Pool, items: Pick<ItemGateway, 'state'>): (input: ItemInput, actor: Actor) => Promise<boolean> {
  return async (input, actor) => {
    const mine = (found: { planId?: string | null; createdBy?: string | null; title?: string | null }) =>
      found.planId === input.planId && found.createdBy === actor.id && found.title === input.title;
    const live = await items.state(input.id);
    if (live) return mine(live);
    // Temporal forgets a closed item once its retention ends; the read side remembers it
    const { rows } = await pool.query(`SELECT plan_id, title, state->>'createdBy' AS created_by FROM items WHERE id = $1`, [input.id]);
    return rows[0] ? mine({ planId: rows[0].plan_id, createdBy: rows[0].created_by, title: rows[0].title }) : false;
  };
}
