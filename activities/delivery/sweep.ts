/**
 * The safety net under wakes. Every delivery is in PostgreSQL before anyone is
 * woken for it, so a lost wake (Temporal unreachable when a resend or a save
 * wanted to signal the endpoint's workflow) loses nothing, but an idle
 * endpoint workflow sleeps until it is signalled. This sweep signals, every
 * minute, the endpoints that have a delivery due for more than a minute and in
 * no sender's hands. Waking a live endpoint early costs one round that finds
 * nothing due; waking one too often is harmless, never waking it is not.
 */
import type { Pool } from 'pg';
import { overdueEndpoints, type Endpoint } from '../../db/repositories/deliveries';

export interface DeliverySweepOptions {
  pool: Pool;
  wake: (endpoints: Endpoint[]) => Promise<void>;
  /** how long a delivery may be due before its endpoint counts as forgotten; default 60 s */
  graceMs?: number;
  /** default 60 s */
  everyMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export interface DeliverySweep {
  /** wakes the forgotten endpoints once; returns them */
  sweep(): Promise<Endpoint[]>;
  start(): void;
  stop(): void;
}

export function createDeliverySweep(o: DeliverySweepOptions): DeliverySweep {
  const now = o.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  async function sweep(): Promise<Endpoint[]> {
    const endpoints = await overdueEndpoints(o.pool, { nowMs: now(), graceMs: o.graceMs ?? 60_000 });
    if (endpoints.length) await o.wake(endpoints);
    return endpoints;
  }
  return {
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => void sweep().catch((err) => o.onError?.(err)), o.everyMs ?? 60_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
