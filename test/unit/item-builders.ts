/**
 * Builders for the item-rule unit tests: a valid plan (the four lists), the
 * actors who act on it, command envelopes, and helpers that check a refusal
 * left the state untouched. Everything is fixed in time so results are exact.
 */
import type { Command, CommandEnvelope } from '../../domain/commands';
import { createItemState } from '../../domain/create-item';
import { applyCommand, type CommandOutcome } from '../../domain/transitions';
import type { DomainErrorCode } from '../../domain/errors';
import type { Actor, ItemInput, ItemState, ProblemInput, TaskInput } from '../../domain/types';
import { statutoryCalendar } from '../../domain/statutory-calendar';

const CAL = statutoryCalendar();

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Wed 2026-03-04 10:00 in Shanghai: the instant every item in these tests is created. */
export const NOW = Date.parse('2026-03-04T02:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

/** t1's fixed deadline: 2026-04-01 18:00 Shanghai. */
export const T1_DUE = Date.parse('2026-04-01T10:00:00.000Z');
/** t2's deadline: 10 working days after Wed 2026-03-04, i.e. the end of Wed 2026-03-18 in Shanghai. */
export const T2_DUE = Date.parse('2026-03-18T15:59:59.000Z');

export const LEADER: Actor = { id: 'leader-1', name: 'Leader One', role: 'leader' };
export const OWNER_A: Actor = { id: 'owner-a', name: 'Owner of unit A', role: 'owner', unit: 'unit-a' };
export const OWNER_B: Actor = { id: 'owner-b', name: 'Owner of unit B', role: 'owner', unit: 'unit-b' };
/** unit-c is t1's co-owner unit (双包保) */
export const OWNER_C: Actor = { id: 'owner-c', name: 'Owner of unit C', role: 'owner', unit: 'unit-c' };
export const SUPERVISOR: Actor = { id: 'sup-1', name: 'Supervisor', role: 'supervisor' };
export const ADMIN: Actor = { id: 'admin-1', name: 'Admin', role: 'admin' };

export function problemInput(id: string, over: Partial<ProblemInput> = {}): ProblemInput {
  return { id, description: `problem ${id}`, severity: 'high', ...over };
}

export function taskInput(id: string, over: Partial<TaskInput> = {}): TaskInput {
  return {
    id,
    problemIds: ['p1'],
    description: `task ${id}`,
    ownerUnit: 'unit-a',
    ownerPerson: 'owner-a',
    deadline: { kind: 'instant', at: '2026-04-01T18:00:00+08:00' },
    ...over,
  };
}

/**
 * Two problems: p1 addressed by t1 (unit-a, co-owned by unit-c, fixed deadline),
 * p2 addressed by t2 (unit-b, 10 working days).
 */
export function itemInput(over: Partial<ItemInput> = {}): ItemInput {
  return {
    id: 'item-1',
    planId: 'plan-2026',
    title: 'Rectify the findings of the inspection',
    source: 'central inspection feedback',
    category: 'poverty alleviation',
    supervisionLevel: 'city',
    leader: { id: LEADER.id, name: LEADER.name },
    problems: [problemInput('p1'), problemInput('p2', { severity: 'medium' })],
    tasks: [
      taskInput('t1', { coOwners: ['unit-c'], measures: 'visit every household' }),
      taskInput('t2', { problemIds: ['p2'], ownerUnit: 'unit-b', ownerPerson: 'owner-b', deadline: { kind: 'workingDays', days: 10 } }),
    ],
    ...over,
  };
}

export function createdItem(over: Partial<ItemInput> = {}, nowMs = NOW): ItemState {
  return createItemState(itemInput(over), LEADER, nowMs, CAL).state;
}

let requestCounter = 0;
export function envelope(actor: Actor, command: Command, requestId = `req-${++requestCounter}`, fingerprint?: string): CommandEnvelope {
  return fingerprint === undefined ? { requestId, actor, command } : { requestId, fingerprint, actor, command };
}

export function apply(state: ItemState, actor: Actor, command: Command, nowMs = NOW + HOUR): CommandOutcome {
  return applyCommand(state, envelope(actor, command), nowMs);
}

/** Applies commands in turn, each an hour after the last; returns the final state. */
export function applyAll(state: ItemState, steps: Array<[Actor, Command]>, startMs = NOW + HOUR): ItemState {
  let s = state;
  steps.forEach(([actor, command], i) => {
    s = applyCommand(s, envelope(actor, command), startMs + i * HOUR).state;
  });
  return s;
}

/** The code of the DomainError fn throws; fails the test when it does not throw. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') throw e;
    return code;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

/**
 * A deep copy made in the test's own realm (structuredClone's objects come from
 * another realm under jest, which toStrictEqual tells apart). Keeps properties
 * set to undefined, so toStrictEqual also catches a field added as undefined.
 */
export function snapshot<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => snapshot(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)])) as T;
  }
  return value;
}

/** Expects the command to be refused with `code`, and the state object to be exactly as before. */
export function expectRefused(
  state: ItemState,
  actor: Actor,
  command: Command,
  code: DomainErrorCode,
  nowMs = NOW + HOUR,
): void {
  const before = snapshot(state);
  expect(codeOf(() => applyCommand(state, envelope(actor, command), nowMs))).toBe(code);
  expect(state).toStrictEqual(before);
}

export const submitted = (state: ItemState, taskId = 't1', actor: Actor = OWNER_A): ItemState =>
  applyAll(state, [[actor, { type: 'submitTask', taskId, evidence: ['photo-1.jpg'] }]]);

export function task(state: ItemState, id: string) {
  const t = state.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
}

export function problem(state: ItemState, id: string) {
  const p = state.problems.find((x) => x.id === id);
  if (!p) throw new Error(`no problem ${id}`);
  return p;
}
