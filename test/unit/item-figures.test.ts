/** The figures an item is listed and found by (domain/item-figures.ts), shared by the read side and the search attributes. */
import fc from 'fast-check';
import { boundedUnitList, itemFigures, itemOwnerUnits } from '../../domain/item-figures';
import { LIMITS } from '../../domain/limits';
import { jsonBytes } from '../../domain/text';
import type { TaskState } from '../../domain/types';
import { buildItemState, buildProblem, daysAfter, T0, taskDue } from '../support/fixtures';

const unit = (ownerUnit: string, status: TaskState['status']) => ({ ownerUnit, status });

describe('itemOwnerUnits', () => {
  it('names the units with open work, sorted, each once', () => {
    expect(itemOwnerUnits([unit('b', 'assigned'), unit('a', 'inProgress'), unit('b', 'submitted'), unit('c', 'accepted')])).toEqual(['a', 'b']);
  });

  it('once nothing is open, names the units that did the work (cancelled tasks do not count)', () => {
    expect(itemOwnerUnits([unit('c', 'accepted'), unit('a', 'cancelled'), unit('b', 'accepted')])).toEqual(['b', 'c']);
  });

  it('when every task was cancelled, names every unit', () => {
    expect(itemOwnerUnits([unit('z', 'cancelled'), unit('y', 'cancelled'), unit('z', 'cancelled')])).toEqual(['y', 'z']);
    expect(itemOwnerUnits([])).toEqual([]);
  });

  it('counts owner units, not co-owners', () => {
    const s = buildItemState({ tasks: [taskDue(daysAfter(T0, 9), { ownerUnit: 'a', coOwners: ['x'] })] });
    expect(itemOwnerUnits(s.tasks)).toEqual(['a']);
  });
});

describe('itemFigures', () => {
  const now = Date.parse(daysAfter(T0, 20)); // warning lead P3D
  const state = buildItemState({
    problems: [buildProblem({ id: 'p1' }), buildProblem({ id: 'p2', status: 'closed', closedAt: daysAfter(T0, 2) })],
    tasks: [
      taskDue(daysAfter(T0, 10), { id: 't1', ownerUnit: 'b', escalationLevel: 1, maxEscalationLevel: 2 }), // red
      taskDue(daysAfter(T0, 22), { id: 't2', ownerUnit: 'a' }), // yellow
      taskDue(daysAfter(T0, 40), { id: 't3', ownerUnit: 'a', status: 'submitted' }), // green
      taskDue(daysAfter(T0, 5), { id: 't4', ownerUnit: 'c', status: 'accepted', escalationLevel: 3, maxEscalationLevel: 3 }),
    ],
  });

  it('sums up the open tasks: worst light, counts, current escalation, next deadline; the max level counts closed tasks too', () => {
    expect(itemFigures(state, now)).toEqual({
      light: 'red',
      ownerUnits: ['a', 'b'],
      openTasks: 3,
      overdueTasks: 1,
      openProblems: 1,
      escalationLevel: 1, // t4's 3 is closed
      maxEscalationLevel: 3, // ever reached, by t4
      nextDeadline: daysAfter(T0, 10),
    });
  });

  it('leaves nextDeadline out and the light none when nothing is open', () => {
    const closed = buildItemState({ tasks: [taskDue(daysAfter(T0, 5), { status: 'accepted', escalationLevel: 2 })] });
    const figures = itemFigures(closed, now);
    expect(figures).not.toHaveProperty('nextDeadline');
    expect(figures).toMatchObject({ light: 'none', openTasks: 0, overdueTasks: 0, escalationLevel: 0, maxEscalationLevel: 2 });
  });

  it('reads a task saved before maxEscalationLevel existed by its current level', () => {
    const legacy = { ...taskDue(daysAfter(T0, 5), { escalationLevel: 2 }) } as Partial<TaskState>;
    delete legacy.maxEscalationLevel;
    const s = buildItemState({ tasks: [legacy as TaskState] });
    expect(itemFigures(s, now).maxEscalationLevel).toBe(2);
  });
});

describe('boundedUnitList', () => {
  it('keeps a short list as it is', () => {
    expect(boundedUnitList(['a', 'b', '整改办'])).toEqual(['a', 'b', '整改办']);
    expect(boundedUnitList([])).toEqual([]);
  });

  it(`cuts a long list to at most ${LIMITS.ownerUnitsAttributeBytes} bytes of JSON and says how many were left out`, () => {
    const units = Array.from({ length: 200 }, (_, i) => `县住房和城乡建设局第${String(i).padStart(3, '0')}科`);
    const kept = boundedUnitList(units);
    expect(jsonBytes(kept)).toBeLessThanOrEqual(LIMITS.ownerUnitsAttributeBytes);
    const marker = kept[kept.length - 1]!;
    expect(marker).toMatch(/^…\+\d+$/);
    const shown = kept.slice(0, -1);
    expect(shown).toEqual(units.slice(0, shown.length));
    expect(shown.length + Number(marker.slice(2))).toBe(units.length);
    expect(shown.length).toBeGreaterThan(5);
  });

  it('a list that fits its budget stays whole; a byte short and it is cut', () => {
    const units = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(97, 'u'));
    const size = jsonBytes(units); // 1001
    expect(boundedUnitList(units, size + 1)).toEqual(units);
    const cut = boundedUnitList(units, size - 1);
    expect(cut[cut.length - 1]).toBe('…+1');
    expect(cut.slice(0, -1)).toEqual(units.slice(0, 9));
    expect(jsonBytes(cut)).toBeLessThanOrEqual(size - 1);
  });

  it('property: the JSON never exceeds the budget, the kept units are a prefix, and a cut names the rest', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'Z', '9', '-', '中', '局', '😀', '𠀀'), minLength: 1, maxLength: 64 });
    fc.assert(
      fc.property(fc.array(name, { maxLength: 120 }), fc.integer({ min: 40, max: 2048 }), (units, budget) => {
        const kept = boundedUnitList(units, budget);
        expect(jsonBytes(kept)).toBeLessThanOrEqual(budget);
        const last = kept[kept.length - 1];
        const cut = kept.length > 0 && /^…\+\d+$/.test(last!) && !units.includes(last!);
        if (!cut) {
          expect(kept).toEqual(units);
          return;
        }
        const shown = kept.slice(0, -1);
        expect(shown).toEqual(units.slice(0, shown.length));
        expect(Number(last!.slice(2))).toBe(units.length - shown.length);
        expect(units.length - shown.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
