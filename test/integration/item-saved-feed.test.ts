/**
 * db/item-saved-feed.ts against a real PostgreSQL: a reader waiting for its
 * write is woken by the save of its item (migration 012's trigger), not by
 * asking again on a clock; the deadline bounds every wait, even with the
 * listening connection gone.
 */
import net from 'node:net';
import { Pool } from 'pg';
import { createItemSavedFeed, PROBE_MS, type ItemSavedFeed } from '../../db/item-saved-feed';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let feed: ItemSavedFeed;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});
beforeEach(() => {
  feed = createItemSavedFeed(db.pool);
});
afterEach(async () => {
  await feed.close();
});

async function saveItem(id: string, version: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO items (id, title, supervision_level, leader_id, leader_name, status, light, open_tasks, overdue_tasks,
                        open_problems, escalation_level, created_at, updated_at, version, as_of, state)
     VALUES ($1, 't', 'normal', 'l', 'L', 'active', 'green', 1, 0, 1, 0, now(), now(), $2, now(), '{}')
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`,
    [id, version],
  );
}

async function versionOf(id: string): Promise<number> {
  const { rows } = await db.pool.query('SELECT version FROM items WHERE id = $1', [id]);
  return rows[0]?.version ?? -1;
}

/** A check that counts its runs: a woken wait runs it a handful of times, a clock would run it dozens. */
function counted(check: () => Promise<boolean>) {
  const counter = { runs: 0, check: async () => (counter.runs++, check()) };
  return counter;
}

/** Resolves once the feed's connection is listening (a wait that holds at once opens it). */
async function listening(): Promise<number> {
  await feed.waitUntil('warm-up', async () => true, 1000);
  for (let i = 0; i < 50; i++) {
    const { rows } = await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN item_saved' AND datname = current_database()`);
    if (rows[0]) return rows[0].pid as number;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the feed never listened');
}

/** A reader waits for version 2 of `id`; the listening connection is killed, then version 2 is saved. */
async function savedWhileCut(id: string, timeoutMs: number): Promise<{ pid: number; waiting: Promise<boolean> }> {
  await saveItem(id, 1);
  const pid = await listening();
  const waiting = feed.waitUntil(id, async () => (await versionOf(id)) >= 2, timeoutMs);
  await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  await new Promise((r) => setTimeout(r, 300));
  await saveItem(id, 2);
  return { pid, waiting };
}

it('a check that holds at once answers with that one check', async () => {
  await saveItem('at-once', 1);
  const check = counted(async () => (await versionOf('at-once')) >= 1);
  await expect(feed.waitUntil('at-once', check.check, 60_000)).resolves.toBe(true);
  expect(check.runs).toBe(1);
});

it('a wait is woken by the save of its item, long before its deadline', async () => {
  await saveItem('woken', 1);
  const check = counted(async () => (await versionOf('woken')) >= 3);
  const waiting = feed.waitUntil('woken', check.check, 60_000);
  await listening();
  await saveItem('woken', 2);
  await saveItem('woken', 3);
  // the test's own timeout (far below 60 s of deadline) fails it if only the deadline answers
  await expect(waiting).resolves.toBe(true);
  expect(check.runs).toBeGreaterThanOrEqual(2);
  expect(check.runs).toBeLessThanOrEqual(3);
}, 20_000);

it('saves of other items do not run the check; the deadline answers false after one last check', async () => {
  await saveItem('quiet', 1);
  const check = counted(async () => (await versionOf('quiet')) >= 2);
  const waiting = feed.waitUntil('quiet', check.check, 700);
  await listening();
  for (let v = 1; v <= 20; v++) await saveItem('noisy', v);
  await expect(waiting).resolves.toBe(false);
  expect(check.runs).toBe(2);
});

it('every reader of the same item is woken by one save', async () => {
  await saveItem('shared', 1);
  const checks = Array.from({ length: 5 }, () => counted(async () => (await versionOf('shared')) >= 2));
  const waits = checks.map((c) => feed.waitUntil('shared', c.check, 60_000));
  await listening();
  await saveItem('shared', 2);
  await expect(Promise.all(waits)).resolves.toEqual([true, true, true, true, true]);
}, 20_000);

it('a save inside a transaction wakes the reader only once it commits', async () => {
  await saveItem('tx', 1);
  const check = counted(async () => (await versionOf('tx')) >= 2);
  const waiting = feed.waitUntil('tx', check.check, 60_000);
  await listening();
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE items SET version = 2 WHERE id = $1', ['tx']);
    await new Promise((r) => setTimeout(r, 200));
    expect(check.runs).toBe(1);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await expect(waiting).resolves.toBe(true);
}, 20_000);

it('a check that fails fails the wait with its error', async () => {
  const waiting = feed.waitUntil('broken', async () => {
    throw new Error('relation does not exist');
  }, 60_000);
  await expect(waiting).rejects.toThrow('relation does not exist');
});

it('with the listening connection killed, a wait still ends at its deadline and the next wait listens again', async () => {
  // its save comes while nobody listens: only the deadline's check sees it
  const { pid, waiting: cut } = await savedWhileCut('cut', 1500);
  await expect(cut).resolves.toBe(true);
  // a new wait opens a new connection and is woken by the save again
  const again = counted(async () => (await versionOf('cut')) >= 3);
  const woken = feed.waitUntil('cut', again.check, 60_000);
  const newPid = await listening();
  expect(newPid).not.toBe(pid);
  await saveItem('cut', 3);
  await expect(woken).resolves.toBe(true);
}, 20_000);

it('readers waiting while the listening connection was replaced are checked again once it listens', async () => {
  // saved while nobody listens: no notification will ever tell this reader
  const { pid, waiting } = await savedWhileCut('gap', 60_000);
  // another reader opens a new listening connection
  const newPid = await listening();
  expect(newPid).not.toBe(pid);
  // the test's own timeout (far below 60 s of deadline) fails it if only the deadline answers
  await expect(waiting).resolves.toBe(true);
}, 20_000);

it('a database that cannot be reached still answers every wait by its deadline', async () => {
  const { Pool } = await import('pg');
  const unreachable = new Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 });
  const lost = createItemSavedFeed(unreachable);
  try {
    let runs = 0;
    await expect(lost.waitUntil('x', async () => (++runs, false), 800)).resolves.toBe(false);
    expect(runs).toBe(2);
  } finally {
    await lost.close();
    await unreachable.end();
  }
});

/** A proxy to PostgreSQL whose connections can go silent: bytes stop flowing, nothing is closed (a network that drops packets). */
function silentProxy(target: URL) {
  const pairs: Array<{ frozen: boolean; a: net.Socket; b: net.Socket }> = [];
  const server = net.createServer((a) => {
    const b = net.connect(Number(target.port || 5432), target.hostname);
    const pair = { frozen: false, a, b };
    pairs.push(pair);
    a.on('data', (d) => { if (!pair.frozen) b.write(d); });
    b.on('data', (d) => { if (!pair.frozen) a.write(d); });
    a.on('error', () => b.destroy());
    b.on('error', () => a.destroy());
    a.on('close', () => b.destroy());
    b.on('close', () => a.destroy());
  });
  return {
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port))),
    /** the connections open now go silent; new ones pass */
    freezeAll: () => pairs.forEach((p) => (p.frozen = true)),
    close: () => {
      pairs.forEach((p) => (p.a.destroy(), p.b.destroy()));
      server.close();
    },
  };
}

it('a listening connection gone silent does not turn every later wait into a wait for its deadline', async () => {
  const proxy = silentProxy(new URL(db.url));
  const port = await proxy.listen();
  const url = new URL(db.url);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  // the feed listens through the proxy; reads and saves go straight to the database
  const viaProxy = new Pool({ connectionString: url.toString(), max: 1 });
  const silentFeed = createItemSavedFeed(viaProxy);
  try {
    await saveItem('silent', 1);
    await silentFeed.waitUntil('warm-up', async () => true, 1000);
    proxy.freezeAll();
    const reached = (v: number) => async () => (await versionOf('silent')) >= v;
    // the first wait after the network went silent takes its whole bound
    const first = silentFeed.waitUntil('silent', reached(2), 1000);
    await new Promise((r) => setTimeout(r, 100));
    await saveItem('silent', 2);
    await expect(first).resolves.toBe(true);
    // later waits are woken by their saves again, long before their bound
    await new Promise((r) => setTimeout(r, PROBE_MS + 500));
    const started = Date.now();
    const later = silentFeed.waitUntil('silent', reached(3), 3000);
    await new Promise((r) => setTimeout(r, 300));
    await saveItem('silent', 3);
    await expect(later).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    proxy.close();
    await silentFeed.close();
    await viaProxy.end().catch(() => undefined);
  }
}, 30_000);
