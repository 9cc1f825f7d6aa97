/**
 * The item's limits (domain/limits.ts, domain/item-limits.ts): an item that
 * would outgrow its state budget is refused with ITEM_TOO_LARGE, by the
 * commands that make it bigger only; progress and the clock never are.
 */
import { createItemState } from '../../domain/create-item';
import { assertItemInputSize, assertStateBudget, checkEvidence, checkId, checkLine, checkText } from '../../domain/item-limits';
import { LIMITS } from '../../domain/limits';
import { isTaskOpen } from '../../domain/lights';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { jsonBytes } from '../../domain/text';
import { advanceClock } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { Command } from '../../domain/commands';
import type { ItemState } from '../../domain/types';
import {
  apply, codeOf, createdItem, DAY, envelope, expectRefused, HOUR, itemInput, LEADER, NOW, OWNER_A, problemInput, snapshot, taskInput,
} from './item-builders';

const CAL = statutoryCalendar();

const fits = (state: ItemState): boolean => {
  try {
    assertStateBudget(state);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ITEM_TOO_LARGE') throw e;
    return false;
  }
};

/**
 * `state` with its leader's name padded (a legacy item, before the name limit) so that
 * `slack` more bytes would not fit: an item at the edge of its budget, found with the
 * budget check itself (its formula is the product's business, not this test's).
 */
function atTheEdge(state: ItemState, slack: number): ItemState {
  const padded = (n: number): ItemState => ({ ...state, leader: { ...state.leader, name: state.leader.name + 'n'.repeat(n) } });
  let lo = 0;
  let hi = LIMITS.itemStateBytes;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(padded(mid))) lo = mid;
    else hi = mid - 1;
  }
  expect(lo).toBeGreaterThan(slack);
  return padded(lo - slack);
}

/** An item created with `n` tasks on one problem (co-owned, so each task weighs what a real one does). */
function itemWith(n: number): ItemState {
  const input = itemInput({
    problems: [problemInput('p1')],
    tasks: Array.from({ length: n }, (_, i) => taskInput(`task-${i}`, { coOwners: ['unit-c'] })),
  });
  return createItemState(input, LEADER, NOW, CAL).state;
}

/** Adds tasks one by one until the budget refuses one; returns the last state that was accepted and the refusal. */
function fillUp(start: ItemState): { full: ItemState; refused: unknown; added: number } {
  let s = start;
  for (let i = 0; i < LIMITS.tasksPerItem; i++) {
    try {
      s = applyCommand(s, envelope(LEADER, { type: 'addTask', task: taskInput(`extra-${i}`, { coOwners: ['unit-c'] }) }), NOW + HOUR).state;
    } catch (e) {
      return { full: s, refused: e, added: i };
    }
  }
  throw new Error('the budget never refused a task');
}

describe('the state budget', () => {
  it('a fresh item of a few tasks is far within it', () => {
    expect(() => assertStateBudget(createdItem())).not.toThrow();
    expect(jsonBytes(createdItem())).toBeLessThan(LIMITS.itemStateBytes / 5);
  });

  it('refuses to create an item past it, with ITEM_TOO_LARGE naming the bytes and the limit', () => {
    const input = itemInput({
      problems: [problemInput('p1')],
      tasks: Array.from({ length: 380 }, (_, i) => taskInput(`task-${i}`, { coOwners: ['c', 'd', 'e', 'f', 'g'].map((u) => `unit-${u}-${'x'.repeat(50)}`) })),
    });
    expect(input.tasks.length).toBeLessThanOrEqual(LIMITS.tasksPerItem); // within the count: the budget is what refuses it
    let error: unknown;
    try {
      createItemState(input, LEADER, NOW, CAL);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ITEM_TOO_LARGE', details: { limit: LIMITS.itemStateBytes } });
    expect((error as { details: { bytes: number } }).details.bytes).toBeGreaterThan(LIMITS.itemStateBytes);
    expect((error as Error).message).toMatch(/380 tasks/);
  });

  describe('an item filled up to it', () => {
    const start = itemWith(250);
    const { full, refused, added } = fillUp(start);

    it('addTask is refused with ITEM_TOO_LARGE once the next task would not fit, and the refusal changes nothing', () => {
      expect(added).toBeGreaterThan(0);
      expect(refused).toMatchObject({ code: 'ITEM_TOO_LARGE' });
      expect(fits(full)).toBe(true);
      expect(full.tasks.length).toBeLessThan(LIMITS.tasksPerItem);
      expectRefused(full, LEADER, { type: 'addTask', task: taskInput('one-more', { coOwners: ['unit-c'] }) }, 'ITEM_TOO_LARGE');
    });

    it('progress, submission, acceptance and the clock are never refused by the budget', () => {
      const id = full.tasks[0]!.id;
      const steps: Command[] = [
        { type: 'reportProgress', taskId: id, text: 'x'.repeat(LIMITS.textLength), percent: 50, evidence: Array(LIMITS.evidencePerCommand).fill('e'.repeat(LIMITS.evidenceLength)) },
        { type: 'submitTask', taskId: id, evidence: ['photo.jpg'], note: 'n'.repeat(LIMITS.textLength) },
      ];
      let s = full;
      for (const [i, command] of steps.entries()) s = applyCommand(s, envelope(OWNER_A, command), NOW + (i + 2) * HOUR).state;
      s = applyCommand(s, envelope(LEADER, { type: 'acceptTask', taskId: id }), NOW + 5 * HOUR).state;
      expect(s.tasks[0]!.status).toBe('accepted');
      // weeks of the clock: warnings, deadlines, the ladder and dispatches for every task
      const later = advanceClock(s, NOW + 40 * DAY);
      expect(later.records.escalations.length).toBeGreaterThan(0);
      expect(later.state.tasks.filter(isTaskOpen).every((t) => t.alarms.overdue)).toBe(true);
    });

    it('progress is accepted even on an item already past its budget (one saved before the budget existed)', () => {
      const over = snapshot(full);
      // a legacy item: far more tasks than the budget allows today
      over.tasks = [...over.tasks, ...over.tasks.map((t, i) => ({ ...t, id: `legacy-${i}` }))];
      expect(codeOf(() => assertStateBudget(over))).toBe('ITEM_TOO_LARGE');
      const out = apply(over, OWNER_A, { type: 'reportProgress', taskId: 'legacy-0', text: 'still working', percent: 10 });
      expect(out.state.tasks.find((t) => t.id === 'legacy-0')!.percent).toBe(10);
      expect(() => advanceClock(over, NOW + 10 * DAY)).not.toThrow();
      // …while growing it further is refused
      expectRefused(over, LEADER, { type: 'addProblem', problem: problemInput('p-new') }, 'ITEM_TOO_LARGE');
    });

    it('reassignment to a unit with a longer name is checked too (it grows the item)', () => {
      const overfull = atTheEdge(full, 10);
      expect(fits(overfull)).toBe(true);
      const id = overfull.tasks[0]!.id;
      const longNames = Array.from({ length: LIMITS.coOwnersPerTask }, (_, i) => `${i}`.padEnd(LIMITS.nameLength, 'u'));
      expectRefused(overfull, LEADER, { type: 'reassignTask', taskId: id, ownerUnit: 'u'.repeat(LIMITS.nameLength), ownerPerson: 'p', coOwners: longNames }, 'ITEM_TOO_LARGE');
      // the same reassignment on an item with room to spare is fine
      expect(() => apply(start, LEADER, { type: 'reassignTask', taskId: id, ownerUnit: 'u'.repeat(LIMITS.nameLength), ownerPerson: 'p', coOwners: longNames })).not.toThrow();
      // progress on the same task is still fine
      expect(() => apply(overfull, OWNER_A, { type: 'reportProgress', taskId: id, text: 't', percent: 1 })).not.toThrow();
    });
  });

  it(`an item holds at most ${LIMITS.problemsPerItem} problems and ${LIMITS.tasksPerItem} tasks, whatever their size`, () => {
    const s = snapshot(createdItem());
    s.problems = Array.from({ length: LIMITS.problemsPerItem }, (_, i) => ({ id: `p${i + 1}`, severity: 'low' as const, status: 'open' as const }));
    expectRefused(s, LEADER, { type: 'addProblem', problem: problemInput('p-extra') }, 'ITEM_TOO_LARGE');
    const t = snapshot(createdItem());
    const template = t.tasks[0]!;
    t.tasks = Array.from({ length: LIMITS.tasksPerItem }, (_, i) => ({ ...snapshot(template), id: `t${i + 1}`, status: 'accepted' as const }));
    expectRefused(t, LEADER, { type: 'addTask', task: taskInput('t-extra') }, 'ITEM_TOO_LARGE');
  });
});

describe('the input budget', () => {
  it(`refuses an item over ${LIMITS.itemInputBytes / 1024} KiB of JSON with ITEM_TOO_LARGE, before anything else`, () => {
    // 300 problems of 2,000 CJK characters: ~1.8 MB of UTF-8, though every field is within its own limit
    const input = itemInput({
      problems: Array.from({ length: LIMITS.problemsPerItem }, (_, i) => problemInput(`p${i}`, { description: '整'.repeat(LIMITS.textLength) })),
      tasks: [taskInput('t1', { problemIds: ['p0'] })],
    });
    expect(codeOf(() => assertItemInputSize(input))).toBe('ITEM_TOO_LARGE');
    expect(codeOf(() => createItemState(input, LEADER, NOW, CAL))).toBe('ITEM_TOO_LARGE');
    // the budget is in bytes, not characters: the same in ASCII fits
    const ascii = itemInput({
      problems: Array.from({ length: 150 }, (_, i) => problemInput(`p${i}`, { description: 'x'.repeat(LIMITS.textLength) })),
    });
    expect(() => assertItemInputSize(ascii)).not.toThrow();
  });
});

describe('field checks', () => {
  it('checkId: the id alphabet and length', () => {
    expect(() => checkId('a'.repeat(LIMITS.idLength), 'id')).not.toThrow();
    expect(codeOf(() => checkId('a'.repeat(LIMITS.idLength + 1), 'id'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkId(42, 'id'))).toBe('VALIDATION_FAILED');
    expect(() => checkId('a b', 'tasks.3.id')).toThrow(/^tasks\.3\.id must be an id/);
  });

  it('checkLine and checkText: required, bounded, the text rule of their kind', () => {
    expect(codeOf(() => checkLine('  ', 'title', 10))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkLine('x'.repeat(11), 'title', 10))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkLine('a\nb', 'title', 10))).toBe('VALIDATION_FAILED');
    expect(() => checkText('a\n\tb', 'text')).not.toThrow();
    expect(codeOf(() => checkText('x'.repeat(LIMITS.textLength + 1), 'text'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkText(undefined, 'text'))).toBe('VALIDATION_FAILED');
  });

  it('checkEvidence: optional or required, at most 20 single-line references', () => {
    expect(() => checkEvidence(undefined, 'evidence', false)).not.toThrow();
    expect(codeOf(() => checkEvidence(undefined, 'evidence', true))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkEvidence([], 'evidence', true))).toBe('VALIDATION_FAILED');
    expect(() => checkEvidence(Array(LIMITS.evidencePerCommand).fill('a.pdf'), 'evidence', true)).not.toThrow();
    expect(codeOf(() => checkEvidence(Array(LIMITS.evidencePerCommand + 1).fill('a.pdf'), 'evidence', true))).toBe('VALIDATION_FAILED');
    expect(() => checkEvidence(['ok', 'x'.repeat(LIMITS.evidenceLength + 1)], 'evidence', true)).toThrow(/^evidence\.1 /);
  });
});
