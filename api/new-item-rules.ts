/**
 * The rules every new item starts under, whoever brings it: POST /items (the
 * item gateway) and the ledger import's admission check the same item, so a
 * file is refused up front for exactly what would refuse its items later.
 */
import { withOfficeRules } from '../domain/policy';
import type { ItemInput } from '../domain/types';

/** The item with the office rules (working days, a submission stops the owner's clock…): how every item starts. */
export function asStarted(input: ItemInput): ItemInput {
  return { ...input, policy: withOfficeRules(input.policy) };
}
