/**
 * Waiting for an item's save to reach the read side without asking the
 * database again and again: every write of an item's row notifies
 * `item_saved` with the item's id (migration 012), and one connection per
 * process listens. A waiter's check runs when it starts, after each save of its
 * item, and once more at its deadline; nothing runs in between.
 *
 * The listening connection is opened by the first waiter and kept. If it is
 * lost, waiters still get their check at the deadline and the next waiter
 * opens a new one, which checks every waiter again once it listens (a save
 * in between notified nobody): a database that is down delays an answer by
 * the wait's bound at most, never loses one. A wait that reaches its deadline asks the
 * listening connection for a `SELECT 1`: one that does not answer within
 * PROBE_MS is dropped, so a connection gone silent (a network dropping packets
 * closes nothing) is replaced instead of leaving every later wait to its
 * deadline. It does not keep the process alive.
 */
import { Client, type Pool } from 'pg';

export const ITEM_SAVED_CHANNEL = 'item_saved';
/** how long the listening connection has to answer the probe a deadline sends */
export const PROBE_MS = 1000;

export interface ItemSavedFeed {
  /**
   * Resolves true as soon as `check` holds (checked at once, after each save
   * of the item, and at the deadline), false if it still does not after `timeoutMs`.
   */
  waitUntil(itemId: string, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Waiter {
  recheck(): void;
  /** a check has begun: saves since may have gone unheard if the listening was lost */
  started: boolean;
}

/** Where a lost listening connection is reported; a pino logger fits. */
export interface FeedLog {
  warn(obj: object, msg: string): void;
}

/** The client's socket: pg exposes no API to unref or cut it. */
function socketOf(client: Client): { unref?: () => void; destroy?: (err: Error) => void } | undefined {
  return (client as unknown as { connection?: { stream?: { unref?: () => void; destroy?: (err: Error) => void } } }).connection?.stream;
}

export function createItemSavedFeed(pool: Pool, log?: FeedLog): ItemSavedFeed {
  const waiters = new Map<string, Set<Waiter>>();
  let listening: Promise<Client> | undefined;
  let probing = false;
  let closed = false;

  /** Asks the listening connection whether it still answers; one that does not is dropped. */
  function probe(): void {
    if (!listening || probing) return;
    probing = true;
    listening.then(async (client) => {
      const silent = setTimeout(() => {
        socketOf(client)?.destroy?.(new Error(`the listening connection did not answer within ${PROBE_MS} ms`));
      }, PROBE_MS).unref();
      try {
        await client.query('SELECT 1');
      } catch {
        // a lost connection reports itself through 'error' / 'end'
      } finally {
        clearTimeout(silent);
        probing = false;
      }
    }, () => {
      probing = false;
    });
  }

  function listen(): Promise<Client> {
    if (listening) return listening;
    const client = new Client(pool.options);
    const dropped = (err?: Error) => {
      if (listening !== attempt) return;
      listening = undefined;
      if (err) log?.warn({ err: { message: err.message } }, 'the item-saved listener lost its connection; waiting readers fall back to their deadline');
      client.end().catch(() => undefined);
    };
    client.on('notification', (message) => {
      if (message.channel !== ITEM_SAVED_CHANNEL || message.payload === undefined) return;
      for (const waiter of waiters.get(message.payload) ?? []) waiter.recheck();
    });
    client.on('error', dropped);
    client.on('end', () => dropped());
    const attempt = (async () => {
      await client.connect();
      // the feed serves requests: it must not hold the process open on its own
      socketOf(client)?.unref?.();
      await client.query(`LISTEN ${ITEM_SAVED_CHANNEL}`);
      // readers already checked before this connection listened may have missed a save: once more
      for (const set of waiters.values()) for (const waiter of set) if (waiter.started) waiter.recheck();
      return client;
    })();
    listening = attempt;
    attempt.catch((err: Error) => dropped(err));
    return attempt;
  }

  return {
    async waitUntil(itemId, check, timeoutMs) {
      if (closed) return check();
      return new Promise<boolean>((resolve, reject) => {
        let running = false;
        let again = false;
        let done = false;
        const finish = (outcome: boolean | Error) => {
          if (done) return;
          done = true;
          clearTimeout(deadline);
          const set = waiters.get(itemId);
          set?.delete(waiter);
          if (set?.size === 0) waiters.delete(itemId);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        };
        // one check at a time; a save during a check asks for one more after it
        const recheck = () => {
          if (done) return;
          waiter.started = true;
          if (running) {
            again = true;
            return;
          }
          running = true;
          check().then(
            (holds) => {
              running = false;
              if (holds) finish(true);
              else if (again) {
                again = false;
                recheck();
              }
            },
            (err: Error) => finish(err),
          );
        };
        const waiter: Waiter = { recheck, started: false };
        // the last word at the deadline: one more check, however the listening went
        const deadline = setTimeout(() => {
          probe();
          check().then(finish, finish);
        }, timeoutMs);
        if (!waiters.has(itemId)) waiters.set(itemId, new Set());
        waiters.get(itemId)!.add(waiter);
        // listening first, then the first check: a save that lands in between is seen by the check
        listen().then(recheck, recheck);
      });
    },

    async close() {
      closed = true;
      const client = await listening?.catch(() => undefined);
      listening = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
