/**
 * What an item hands to its read side (domain/item-changes.ts): SaveTracker
 * keeps what is unsaved (changed rows, records), splitIntoBatches cuts one save
 * into bounded payloads.
 */
import fc from 'fast-check';
import { createItemState } from '../../domain/create-item';
import { headerOf, SaveTracker, splitIntoBatches, type ItemChanges } from '../../domain/item-changes';
import { emptyRecords, type ItemRecords } from '../../domain/item-records';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { jsonBytes } from '../../domain/text';
import { advanceClock } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { ItemState } from '../../domain/types';
import {
  DAY, envelope, HOUR, iso, itemInput, LEADER, NOW, OWNER_A, OWNER_B, problemInput, T2_DUE, taskInput,
} from './item-builders';

const CAL = statutoryCalendar();
const LATER = '2026-05-01T18:00:00+08:00';

function created(): { state: ItemState; records: ItemRecords } {
  return createItemState(itemInput(), LEADER, NOW, CAL);
}

function ids<T extends { id: string }>(rows: T[]): string[] {
  return rows.map((r) => r.id);
}

describe('SaveTracker', () => {
  it('the first take of a new item has every row, with its text, the header and the records', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    expect(tracker.unsavedBytes).toBe(jsonBytes(records));
    const save = tracker.take(state, NOW)!;
    expect(save).toMatchObject({ itemId: 'item-1', version: 1, asOf: iso(NOW) });
    expect(save.header).toEqual(headerOf(state, NOW));
    expect(save.header).not.toHaveProperty('calendar');
    expect(save.header).not.toHaveProperty('appliedRequests');
    expect(save.header).not.toHaveProperty('tasks');
    expect(save.problems).toEqual([
      { id: 'p1', severity: 'high', status: 'open', description: 'problem p1' },
      { id: 'p2', severity: 'medium', status: 'open', description: 'problem p2' },
    ]);
    expect(ids(save.tasks)).toEqual(['t1', 't2']);
    expect(save.tasks[0]).toEqual({
      ...state.tasks[0], light: 'green', description: 'task t1', measures: 'visit every household', deadlineBasis: 'fixed instant',
    });
    expect(save.tasks[1]).toMatchObject({ light: 'green', description: 'task t2', deadlineBasis: expect.stringMatching(/10 working days/) });
    expect(save.tasks[1]).not.toHaveProperty('measures');
    expect(save.auditEvents).toEqual(records.auditEvents);
    expect(save.notifications).toEqual([]);
    expect(save.dispatches).toEqual([]);
    expect(save.dispatchLines).toEqual([]);
    expect(tracker.unsavedBytes).toBe(0);
  });

  it('has nothing to save when nothing changed since the last take', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    tracker.take(state, NOW);
    expect(tracker.take(state, NOW)).toBeUndefined();
    // empty records do not count as something to save
    tracker.add(emptyRecords());
    expect(tracker.take(state, NOW)).toBeUndefined();
  });

  it('after a change to one task, the next take has only that task row (without text) and the new records', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    tracker.take(state, NOW);
    const out = applyCommand(state, envelope(OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'half done', percent: 50 }), NOW + HOUR);
    tracker.add(out.records);
    const save = tracker.take(out.state, NOW + HOUR)!;
    expect(ids(save.tasks)).toEqual(['t1']);
    expect(save.tasks[0]).toEqual({ ...out.state.tasks[0], light: 'green' });
    expect(save.tasks[0]).not.toHaveProperty('description');
    expect(save.problems).toEqual([]);
    expect(save.auditEvents.map((e) => [e.seq, e.action, e.details.text])).toEqual([[2, 'progressReported', 'half done']]);
    expect(save).toMatchObject({ version: 2, asOf: iso(NOW + HOUR) });
    expect(save.header).toEqual(headerOf(out.state, NOW + HOUR));
  });

  it('sends a row again when only its light changed with time, and the header when only its figures did', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    tracker.take(state, NOW);
    // t2 (due 18 March, lead P3D) turns yellow on 15 March; nothing else changes
    const yellow = T2_DUE - 3 * DAY + 1;
    const save = tracker.take(state, yellow)!;
    expect(save.tasks.map((t) => [t.id, t.light])).toEqual([['t2', 'yellow']]);
    expect(save.auditEvents).toEqual([]);
    expect(save.header!.figures.light).toBe('yellow');
  });

  it('keeps records that arrive between takes, in order, and folds text records into their rows', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    tracker.take(state, NOW);
    const a = applyCommand(state, envelope(OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'instant', at: LATER }, reason: 'rain' }), NOW + HOUR);
    tracker.add(a.records);
    const b = applyCommand(a.state, envelope(LEADER, { type: 'decideExtension', taskId: 't1', approve: true }), NOW + 2 * HOUR);
    tracker.add(b.records);
    const c = applyCommand(b.state, envelope(LEADER, { type: 'addProblem', problem: problemInput('p3') }), NOW + 3 * HOUR);
    tracker.add(c.records);
    const d = applyCommand(c.state, envelope(LEADER, { type: 'addTask', task: taskInput('t3', { problemIds: ['p3'] }) }), NOW + 4 * HOUR);
    tracker.add(d.records);
    expect(tracker.unsavedBytes).toBe(jsonBytes(a.records) + jsonBytes(b.records) + jsonBytes(c.records) + jsonBytes(d.records));
    const save = tracker.take(d.state, NOW + 4 * HOUR)!;
    expect(save.auditEvents.map((e) => e.action)).toEqual(['extensionRequested', 'extensionApproved', 'problemAdded', 'taskAdded']);
    expect(save.notifications.map((n) => n.kind)).toEqual(['extensionRequested', 'extensionDecided']);
    // t1: the new basis only (its description is already on the read side); t3: all its text
    const t1 = save.tasks.find((t) => t.id === 't1')!;
    expect(t1).toMatchObject({ deadlineBasis: 'fixed instant', extensionsApproved: 1 });
    expect(t1).not.toHaveProperty('description');
    expect(t1).not.toHaveProperty('pendingExtension');
    expect(save.tasks.find((t) => t.id === 't3')).toMatchObject({ description: 'task t3', deadlineBasis: 'fixed instant' });
    expect(ids(save.tasks).sort()).toEqual(['t1', 't3']);
    expect(save.problems).toEqual([{ id: 'p3', severity: 'high', status: 'open', description: 'problem p3' }]);
  });

  it('splits dispatches into headers and lines that name their dispatch', () => {
    const { state, records } = created();
    const tracker = new SaveTracker(state, NOW);
    expect(records.auditEvents).toHaveLength(1);
    const first = Date.parse('2026-03-09T01:00:00.000Z');
    const out = advanceClock(state, first);
    tracker.add(out.records);
    const save = tracker.take(out.state, first)!;
    expect(save.dispatches).toEqual([{ itemId: 'item-1', seq: 1, at: iso(first), openTasks: 2, staleTasks: 0, overdueTasks: 0 }]);
    expect(save.dispatchLines.map((l) => [l.itemId, l.seq, l.taskId, l.coOwners])).toEqual([
      ['item-1', 1, 't1', ['unit-c']],
      ['item-1', 1, 't2', []],
    ]);
    expect(save.dispatchLines[0]).toEqual({ ...out.records.dispatches[0]!.lines[0], itemId: 'item-1', seq: 1 });
  });

  it('a tracker of a continued run starts from the state the read side has: nothing to save until something changes', () => {
    const { state } = created();
    const tracker = new SaveTracker(state, NOW);
    expect(tracker.take(state, NOW)).toBeUndefined();
    const out = applyCommand(state, envelope(OWNER_B, { type: 'reportProgress', taskId: 't2', text: 'x', percent: 5 }), NOW + HOUR);
    tracker.add(out.records);
    expect(ids(tracker.take(out.state, NOW + HOUR)!.tasks)).toEqual(['t2']);
  });

  describe('a save carried over a continue-as-new', () => {
    // run A: created, then an extension request; its save could not land before continue-as-new
    function carriedSave(): { carried: ItemChanges; state: ItemState } {
      const { state, records } = created();
      const a = new SaveTracker();
      a.add(records);
      const req = applyCommand(state, envelope(OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'workingDays', days: 30 }, reason: 'rain' }), NOW + HOUR);
      a.add(req.records);
      return { carried: a.take(req.state, NOW + HOUR)!, state: req.state };
    }

    it('the carried save alone is taken as it was, and counts as unsaved', () => {
      const { carried, state } = carriedSave();
      const b = new SaveTracker(state, NOW + HOUR, carried);
      expect(b.unsavedBytes).toBe(jsonBytes(carried));
      expect(b.take(state, NOW + HOUR)).toEqual(carried);
      expect(b.unsavedBytes).toBe(0);
      expect(b.take(state, NOW + HOUR)).toBeUndefined();
    });

    it('merges with the next: later rows win, earlier text is kept, a deleted field does not come back, records in order', () => {
      const { carried, state } = carriedSave();
      expect(carried.tasks.find((t) => t.id === 't1')).toMatchObject({ description: 'task t1', pendingExtension: { proposedDueAt: expect.any(String) } });
      const b = new SaveTracker(state, NOW + HOUR, carried);
      const decided = applyCommand(state, envelope(LEADER, { type: 'decideExtension', taskId: 't1', approve: true }), NOW + 2 * HOUR);
      b.add(decided.records);
      const save = b.take(decided.state, NOW + 2 * HOUR)!;
      expect(save).toMatchObject({ itemId: 'item-1', version: 3, asOf: iso(NOW + 2 * HOUR) });
      expect(save.header).toEqual(headerOf(decided.state, NOW + 2 * HOUR));
      const t1 = save.tasks.find((t) => t.id === 't1')!;
      // the later row is the truth: the pending request is gone and stays gone
      expect(t1).not.toHaveProperty('pendingExtension');
      expect(t1).toMatchObject({ extensionsApproved: 1, deadline: { spec: { kind: 'workingDays', days: 30 } } });
      // text: the carried description and measures; the later basis replaces the carried one
      expect(carried.tasks.find((t) => t.id === 't1')!.deadlineBasis).toBe('fixed instant');
      expect(decided.records.taskTexts).toEqual([{ taskId: 't1', deadlineBasis: expect.stringMatching(/^30 working days from/) }]);
      expect(t1).toMatchObject({
        description: 'task t1', measures: 'visit every household', deadlineBasis: decided.records.taskTexts[0]!.deadlineBasis,
      });
      // t2 did not change after the carry: its carried row (with text) stays
      expect(save.tasks.find((t) => t.id === 't2')).toEqual(carried.tasks.find((t) => t.id === 't2'));
      expect(ids(save.tasks).sort()).toEqual(['t1', 't2']);
      expect(save.problems).toEqual(carried.problems);
      expect(save.auditEvents.map((e) => [e.seq, e.action])).toEqual([[1, 'itemCreated'], [2, 'extensionRequested'], [3, 'extensionApproved']]);
      expect(save.notifications.map((n) => n.kind)).toEqual(['extensionRequested', 'extensionDecided']);
    });

    it('a problem added after the carry comes with its text, beside the carried ones', () => {
      const { state, records } = created();
      const a = new SaveTracker();
      a.add(records);
      const carried = a.take(state, NOW)!;
      const b = new SaveTracker(state, NOW, carried);
      const added = applyCommand(state, envelope(LEADER, { type: 'addProblem', problem: problemInput('p3', { description: 'new text' }) }), NOW + HOUR);
      b.add(added.records);
      const save = b.take(added.state, NOW + HOUR)!;
      expect(save.problems.map((p) => [p.id, p.description])).toEqual([['p1', 'problem p1'], ['p2', 'problem p2'], ['p3', 'new text']]);
    });
  });
});

describe('splitIntoBatches', () => {
  /** An item whose first save weighs over 256 KiB: 200 tasks with long descriptions, and a dispatch of every task. */
  function bigSave(): ItemChanges {
    const long = (id: string) => `${id}: ${'整改措施与落实情况 '.repeat(40)}`;
    const input = itemInput({
      problems: Array.from({ length: 40 }, (_, i) => problemInput(`p${i}`, { description: long(`p${i}`) })),
      tasks: Array.from({ length: 200 }, (_, i) => taskInput(`t${i}`, { problemIds: [`p${i % 40}`], description: long(`t${i}`), coOwners: ['unit-c'] })),
    });
    const { state, records } = createItemState(input, LEADER, NOW, CAL);
    const tracker = new SaveTracker();
    tracker.add(records);
    const first = Date.parse('2026-03-09T01:00:00.000Z');
    const out = advanceClock(state, first);
    tracker.add(out.records);
    return tracker.take(out.state, first)!;
  }
  const save = bigSave();

  const LISTS = ['problems', 'tasks', 'auditEvents', 'notifications', 'escalations', 'dispatches', 'dispatchLines', 'reviews'] as const;

  function expectExactlyOnce(batches: ItemChanges[], whole: ItemChanges): void {
    for (const list of LISTS) {
      expect(batches.flatMap((b) => b[list] as unknown[])).toEqual(whole[list]);
    }
  }

  it('the fixture is large', () => {
    expect(jsonBytes(save)).toBeGreaterThan(256 * 1024);
    expect(save.tasks).toHaveLength(200);
    expect(save.dispatchLines).toHaveLength(200);
  });

  it.each([16 * 1024, 64 * 1024, 128 * 1024])('into batches of at most %d bytes: header only in the last, every row once, in order', (maxBytes) => {
    const batches = splitIntoBatches(save, maxBytes);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      expect(jsonBytes(b)).toBeLessThanOrEqual(maxBytes);
      expect(b).toMatchObject({ itemId: save.itemId, version: save.version, asOf: save.asOf });
    }
    batches.slice(0, -1).forEach((b) => expect(b).not.toHaveProperty('header'));
    expect(batches[batches.length - 1]!.header).toEqual(save.header);
    expectExactlyOnce(batches, save);
  });

  it('a save that fits is one batch, equal to the save', () => {
    const { state, records } = created();
    const tracker = new SaveTracker();
    tracker.add(records);
    const small = tracker.take(state, NOW)!;
    expect(splitIntoBatches(small, 128 * 1024)).toEqual([small]);
  });

  it('a save without a header (a part of a save) gets none', () => {
    const { header: _h, ...headless } = save;
    const batches = splitIntoBatches(headless, 32 * 1024);
    expect(batches.every((b) => b.header === undefined)).toBe(true);
    expectExactlyOnce(batches, headless);
  });

  it('property: any budget from 8 KiB holds, and nothing is lost or repeated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8 * 1024, max: 256 * 1024 }), (maxBytes) => {
        const batches = splitIntoBatches(save, maxBytes);
        for (const b of batches) expect(jsonBytes(b)).toBeLessThanOrEqual(maxBytes);
        expect(batches.filter((b) => b.header !== undefined)).toHaveLength(1);
        expect(batches[batches.length - 1]!.header).toBeDefined();
        expectExactlyOnce(batches, save);
      }),
      { numRuns: 40 },
    );
  });
});
