/**
 * The API's Prometheus metrics (prom-client), one registry per app:
 *
 * - HTTP latency by route template (`/items/:id`, never the raw path, so ids
 *   do not become series), method and status;
 * - items by status and light, read from the read side when scraped, at most
 *   once per `itemCountTtlMs` whatever the number of scrapers (one GROUP BY),
 *   within a deadline: a silent database costs that gauge (and sets
 *   `rect_items_count_error`), never the scrape.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import { countItemsByStatusAndLight, type ItemCount } from '../db/repositories/item-counts';
import type { ItemStatus, Light } from '../domain/types';

export const UNMATCHED_ROUTE = 'unmatched';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUSES: ItemStatus[] = ['active', 'completed', 'cancelled'];
const LIGHTS: Light[] = ['green', 'yellow', 'red', 'none'];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ApiMetricsOptions {
  pool: Pool;
  /** how long one count of the items serves scrapes (default 15 s) */
  itemCountTtlMs?: number;
  /** how long one count may take, connecting included, before the scrape answers without it (default 3 s) */
  itemCountDeadlineMs?: number;
  /** told when the count fails (the gauge then has no series until it works again) */
  onCountError?: (err: unknown) => void;
}

export function createApiMetrics(options: ApiMetricsOptions) {
  const ttlMs = options.itemCountTtlMs ?? 15_000;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'rect_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, from the first byte in to the last byte out',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });

  let counted: { atMs: number; counts: Promise<ItemCount[]> } | undefined;
  const countItems = (): Promise<ItemCount[]> => {
    const nowMs = Date.now();
    if (!counted || nowMs - counted.atMs >= ttlMs) {
      const counts = countItemsByStatusAndLight(options.pool, options.itemCountDeadlineMs);
      counted = { atMs: nowMs, counts };
      // a failed count is not cached: the next scrape asks again
      counts.catch(() => {
        if (counted?.counts === counts) counted = undefined;
      });
    }
    return counted.counts;
  };
  new Gauge({
    name: 'rect_items_count_error',
    help: '1 when the items count behind rect_items failed or timed out (the database refused or did not answer), else 0',
    registers,
    // collected alongside rect_items from the same count (one query), so both tell of the same scrape
    async collect() {
      this.set(await countItems().then(() => 0, () => 1));
    },
  });
  new Gauge({
    name: 'rect_items',
    help: 'Items on the read side by status and light (counted at most every METRICS_ITEM_COUNT_INTERVAL_SECONDS)',
    labelNames: ['status', 'light'] as const,
    registers,
    async collect() {
      this.reset();
      let counts: ItemCount[];
      try {
        counts = await countItems();
      } catch (err) {
        options.onCountError?.(err);
        return; // no series rather than stale ones; the scrape itself still answers, with the error gauge
      }
      for (const status of STATUSES) for (const light of LIGHTS) this.set({ status, light }, 0);
      for (const c of counts) this.set({ status: c.status, light: c.light }, c.count);
    },
  });

  return {
    registry,
    /** call when a request finished; `route` is the template it matched, or undefined */
    observeRequest(method: string, route: string | undefined, status: number, seconds: number) {
      httpDuration.observe(
        { method: METHODS.has(method) ? method : 'OTHER', route: route ?? UNMATCHED_ROUTE, status: String(status) },
        seconds,
      );
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** The usual `onCountError`: a warn line naming the failure, never failing the scrape. */
export function countErrorLog(log: { warn(obj: object, msg: string): void }) {
  return (err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'counting items for metrics failed');
}
