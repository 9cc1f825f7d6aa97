/**
 * Edge cases found in review: text PostgreSQL cannot store (NUL, lone
 * surrogates), a cancelled item's open tasks, submitted tasks at the weekly
 * dispatch, and what a refused owner may learn.
 */
import { createItemState } from '../../domain/create-item';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { advanceClock } from '../../domain/timeline';
import {
  applyAll, codeOf, createdItem, DAY, expectRefused, itemInput, LEADER, NOW, OWNER_A, OWNER_B, submitted, task,
} from './item-builders';

test('a NUL or a lone surrogate anywhere in a command or a new item is refused: PostgreSQL could never store it', () => {
  const item = createdItem();
  for (const bad of ['done\u0000', 'cut emoji \uD83D', '\uDC00 orphan']) {
    expectRefused(item, OWNER_A, { type: 'reportProgress', taskId: 't1', text: bad, percent: 10 }, 'VALIDATION_FAILED');
    expectRefused(item, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: [`a${bad}.pdf`] }, 'VALIDATION_FAILED');
    expect(codeOf(() => createItemState(itemInput({ title: `Roads ${bad}` }), LEADER, NOW, statutoryCalendar()))).toBe('VALIDATION_FAILED');
  }
  // a whole emoji is fine
  expect(() => applyAll(item, [[OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'done 😀', percent: 10 }]])).not.toThrow();
});

test('cancelling an item ends its open tasks and their pending extensions; accepted work stays accepted', () => {
  const s = applyAll(submitted(createdItem()), [
    [LEADER, { type: 'acceptTask', taskId: 't1' }],
    [OWNER_B, { type: 'requestExtension', taskId: 't2', newDeadline: { kind: 'workingDays', days: 30 }, reason: 'rain' }],
    [LEADER, { type: 'cancelItem', reason: 'superseded by item 9' }],
  ]);
  expect(s.status).toBe('cancelled');
  expect(task(s, 't1').status).toBe('accepted');
  expect(task(s, 't1').cancelledAt).toBeUndefined();
  expect(task(s, 't2')).toMatchObject({ status: 'cancelled', cancelledAt: s.cancelledAt, stale: false });
  // the pending request ends with the task; it was never decided
  expect(task(s, 't2').pendingExtension).toBeUndefined();
  expect(task(s, 't2')).toMatchObject({ extensionsApproved: 0, extensionsDenied: 0 });
  expect(s.problems.map((p) => p.status)).toEqual(['closed', 'closed']);
  // nothing is left to warn about or escalate
  expect(advanceClock(s, NOW + 60 * DAY).state).toBe(s);
});

test('a submitted task is not stale at the dispatch: it waits on the leader, not the owner', () => {
  const s = submitted(createdItem());
  const weeksLater = advanceClock(s, NOW + 20 * DAY);
  const lines = weeksLater.records.dispatches.flatMap((d) => d.lines.filter((l) => l.taskId === 't1'));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((l) => l.status === 'submitted' && !l.stale)).toBe(true);
  expect(weeksLater.records.notifications.filter((n) => n.kind === 'chase' && n.taskId === 't1')).toEqual([]);
  // t2, silent for the same weeks, is chased
  expect(weeksLater.records.notifications.some((n) => n.kind === 'chase' && n.taskId === 't2')).toBe(true);
});

test("another unit's task is refused as missing even on an ended item: the refusal reveals nothing about its state", () => {
  const ended = applyAll(createdItem(), [[LEADER, { type: 'cancelItem', reason: 'x' }]]);
  expectRefused(ended, OWNER_B, { type: 'reportProgress', taskId: 't1', text: 'hi', percent: 5 }, 'NOT_FOUND');
  expectRefused(ended, OWNER_A, { type: 'reportProgress', taskId: 't1', text: 'hi', percent: 5 }, 'ITEM_CLOSED');
});
