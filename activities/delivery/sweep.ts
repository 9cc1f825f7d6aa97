/**
 * The safety net under wakes. Every delivery is in PostgreSQL before anyone is
 * woken for it, so a lost wake (Temporal unreachable when a resend or a save
 * wanted to signal the endpoint's workflow) loses nothing, but an idle
 * endpoint workflow sleeps until it is signalled. A sweep signals the
 * endpoints that have a delivery due for longer than the grace and in no
 * sender's hands; the sweep workflow (workflows/delivery-sweep.ts) runs one
 * every minute. Waking a live endpoint early costs one round that finds
 * nothing due; waking one too often is harmless, never waking it is not.
 */
import type { Pool } from 'pg';
import { overdueEndpoints, type Endpoint } from '../../db/repositories/deliveries';

export const SWEEP_GRACE_MS = 60_000;

/** Wakes the forgotten endpoints once; returns them. */
export async function sweepOverdueEndpoints(o: {
  pool: Pool;
  wake: (endpoints: Endpoint[]) => Promise<void>;
  /** how long a delivery may be due before its endpoint counts as forgotten; default 60 s */
  graceMs?: number;
  nowMs?: number;
}): Promise<Endpoint[]> {
  const endpoints = await overdueEndpoints(o.pool, { nowMs: o.nowMs ?? Date.now(), graceMs: o.graceMs ?? SWEEP_GRACE_MS });
  if (endpoints.length) await o.wake(endpoints);
  return endpoints;
}
