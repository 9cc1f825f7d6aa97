/**
 * Reads, 8 at a time, each against its floor in alternating blocks: one item
 * (`GET /items/:id` against an indexed PostgreSQL row read) and a page of 50
 * (`GET /items` against the very SELECT it runs, straight on PostgreSQL).
 *
 * Both are driven from a thread of their own (read-client.ts), as clients on
 * another machine would: the API's event loop serves requests and does not
 * also run the client's fetches. The floor's queries come from that thread too.
 */
import { Worker } from 'node:worker_threads';
import type { SpeedSystem } from '../speed-system';
import type { ReadClientJob, ReadClientResult } from './read-client';
import { merge } from './starts';

function inThread(job: ReadClientJob): Promise<ReadClientResult> {
  // tsx registers in the thread itself: a worker thread does not inherit the loader
  const script = `require('tsx/cjs'); require(${JSON.stringify(require.resolve('./read-client'))});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { eval: true, workerData: job });
    worker.once('message', (m: { ok: true; result: ReadClientResult } | { ok: false; error: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new Error(`the read client failed: ${m.error}`));
    });
    worker.once('error', reject);
  });
}

async function measure(kind: ReadClientJob['kind'], sys: SpeedSystem, ids: string[], o: { perBlock: number; blocks: number; concurrency: number }) {
  const { raw, bare, api } = await inThread({ kind, base: sys.base, databaseUrl: sys.databaseUrl, token: sys.tokens.supervisor, ids, ...o });
  return { raw: merge(raw), bare: merge(bare), api: merge(api) };
}

export const measureItemReads = (sys: SpeedSystem, ids: string[], o = { perBlock: 500, blocks: 6, concurrency: 8 }) =>
  measure('item', sys, ids, o);

export const measurePageReads = (sys: SpeedSystem, o = { perBlock: 200, blocks: 6, concurrency: 8 }) => measure('page', sys, [], o);
