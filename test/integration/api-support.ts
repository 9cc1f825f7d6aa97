/**
 * Shared by the api-*.test.ts integration files: item bodies, tokens by role,
 * and a bounded wait for the PostgreSQL projection (it trails each change by an
 * activity). Not a test file itself (no .test.ts suffix).
 */
import request from 'supertest';
import type { TestActor, TestStack } from '../support/stack';

export const UNIT_A = 'unit-a';
export const UNIT_B = 'unit-b';

export const ACTORS = {
  leader: { sub: 'leader-1', name: 'Li Lei', role: 'leader' },
  /** leads no item of the tests and answers for no plan unless a test names them */
  otherLeader: { sub: 'leader-2', name: 'Liu Yang', role: 'leader' },
  admin: { sub: 'admin-1', name: 'Admin', role: 'admin' },
  supervisor: { sub: 'sup-1', name: 'Zhao Min', role: 'supervisor' },
  ownerA: { sub: 'owner-a', name: 'Wang Fang', role: 'owner', unit: UNIT_A },
  ownerB: { sub: 'owner-b', name: 'Chen Jie', role: 'owner', unit: UNIT_B },
} satisfies Record<string, TestActor>;

export type ActorName = keyof typeof ACTORS;

export async function tokensFor(stack: TestStack): Promise<Record<ActorName, string>> {
  const entries = await Promise.all(
    Object.entries(ACTORS).map(async ([name, actor]) => [name, await stack.tokenFor(actor)] as const),
  );
  return Object.fromEntries(entries) as Record<ActorName, string>;
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Two problems, t1 for Unit A and t2 for Unit B, deadlines a month out. */
export function itemBody(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    title: `Item ${id}`,
    supervisionLevel: 'county',
    leader: { id: 'leader-1', name: 'Li Lei' },
    problems: [
      { id: 'p1', description: 'Potholes on the village road', severity: 'high' },
      { id: 'p2', description: 'No street lights', severity: 'medium' },
    ],
    tasks: [
      { id: 't1', problemIds: ['p1'], description: 'Resurface', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'instant', at: inDays(30) } },
      { id: 't2', problemIds: ['p2'], description: 'Install lights', ownerUnit: UNIT_B, ownerPerson: 'Chen Jie', deadline: { kind: 'instant', at: inDays(40) } },
    ],
    ...overrides,
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A plan the tests' leader (leader-1) answers for, drawn up by an admin unless it exists. */
export async function ensurePlan(stack: TestStack, planId: string, leaderIds: string[] = [ACTORS.leader.sub]): Promise<void> {
  const admin = await stack.tokenFor(ACTORS.admin);
  const res = await request(stack.app).post('/plans').set(bearer(admin)).send({ id: planId, title: `Plan ${planId}`, leaderIds });
  if (res.status !== 201 && res.status !== 409) throw new Error(`plan ${planId}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Starts an item (its plan, when it names one, drawn up first with leader-1 answering for it). */
export async function startItem(stack: TestStack, token: string, id: string, overrides: Record<string, unknown> = {}) {
  if (typeof overrides.planId === 'string') await ensurePlan(stack, overrides.planId);
  const res = await request(stack.app).post('/items').set(bearer(token)).send(itemBody(id, overrides));
  if (res.status !== 201) throw new Error(`start ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls until `probe` returns a value; projection is asynchronous. Bounded: fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the projection of `itemId` has caught up with `version` (the workflow's audit sequence). */
export function projected(stack: TestStack, itemId: string, version: number) {
  return eventually(async () => {
    const { rows } = await stack.pool.query('SELECT version FROM items WHERE id = $1', [itemId]);
    return rows[0] && rows[0].version >= version ? rows[0] : undefined;
  });
}
