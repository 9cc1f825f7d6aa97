/** Items the speed benchmark creates: through the API (request bodies) and straight as workflows (the waves). */
import { withOfficeRules } from '../../domain/policy';
import type { Actor, ItemInput } from '../../domain/types';
import { UNIT_A, UNIT_B } from '../../test/integration/api-support';

export const BENCH_LEADER: Actor = { id: 'leader-1', name: 'Li Lei', role: 'leader' };
const DAY = 86_400_000;

/** A `POST /items` body: 2 problems and `tasks` tasks over two units, due a month or more out. */
export function itemBody(id: string, tasks = 10) {
  return {
    id,
    title: `Benchmark item ${id}`,
    supervisionLevel: 'county',
    leader: { id: BENCH_LEADER.id, name: BENCH_LEADER.name },
    problems: [
      { id: 'p1', description: 'Potholes on the village road', severity: 'high' },
      { id: 'p2', description: 'No street lights', severity: 'medium' },
    ],
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `t${i + 1}`, problemIds: [i % 2 ? 'p2' : 'p1'], description: `Task ${i + 1} of the rectification`,
      measures: 'Survey, tender, works, acceptance', ownerUnit: i % 2 ? UNIT_B : UNIT_A, ownerPerson: 'Wang Fang',
      deadline: { kind: 'instant', at: new Date(Date.now() + (30 + i) * DAY).toISOString() },
    })),
  };
}

/** An item for a deadline wave, as the API would start it (office rules): its tasks due at the given instants. */
export function waveItem(id: string, dueAtMs: number[]): ItemInput {
  return {
    id,
    title: `Wave item ${id}`,
    supervisionLevel: 'county',
    leader: { id: BENCH_LEADER.id, name: BENCH_LEADER.name },
    problems: [{ id: 'p1', description: 'Wave problem', severity: 'high' }],
    tasks: dueAtMs.map((due, i) => ({
      id: `t${i + 1}`, problemIds: ['p1'], description: `Wave task ${i + 1}`, ownerUnit: i % 2 ? UNIT_B : UNIT_A,
      ownerPerson: 'Wang Fang', deadline: { kind: 'instant' as const, at: new Date(due).toISOString() },
    })),
    policy: withOfficeRules(undefined),
  };
}
