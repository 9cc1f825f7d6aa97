import { isTaskOpen, isTaskOverdue, taskLight, worstLight } from '../../domain/lights';
import type { ItemPolicy, TaskState, TaskStatus } from '../../domain/types';

const H = 3_600_000;
const DUE = Date.UTC(2026, 2, 10, 10);
const policy: ItemPolicy = {
  timezone: 'Asia/Shanghai',
  weeklyDispatch: { weekday: 1, time: '09:00' },
  monthlyReview: { day: 1, time: '09:00' },
  warningLead: 'P1D',
  escalationLadder: [],
};

// Only the fields the light rules read; the cast keeps the fixture honest about that.
const task = (status: TaskStatus = 'inProgress', stale = false) =>
  ({ status, stale, deadline: { dueAt: new Date(DUE).toISOString() } }) as TaskState;

describe('isTaskOpen / isTaskOverdue', () => {
  it.each<[TaskStatus, boolean]>([
    ['assigned', true],
    ['inProgress', true],
    ['submitted', true],
    ['accepted', false],
    ['cancelled', false],
  ])('%s open: %s', (status, open) => expect(isTaskOpen({ status })).toBe(open));

  it('is overdue from the due instant on, and never when closed', () => {
    expect(isTaskOverdue(task(), DUE - 1)).toBe(false);
    expect(isTaskOverdue(task(), DUE)).toBe(true);
    expect(isTaskOverdue(task('accepted'), DUE + H)).toBe(false);
  });
});

describe('taskLight', () => {
  it.each([
    ['well ahead', DUE - 48 * H, 'green'],
    ['just outside the warning lead', DUE - 24 * H - 1, 'green'],
    ['at the start of the warning lead', DUE - 24 * H, 'yellow'],
    ['inside the warning lead', DUE - H, 'yellow'],
    ['at the deadline', DUE, 'red'],
    ['past the deadline', DUE + 48 * H, 'red'],
  ])('%s → %s', (_label, now, light) => expect(taskLight(task(), policy, now)).toBe(light));

  it('stale turns green to yellow but not red to yellow', () => {
    expect(taskLight(task('inProgress', true), policy, DUE - 48 * H)).toBe('yellow');
    expect(taskLight(task('inProgress', true), policy, DUE + H)).toBe('red');
  });

  it('is none for closed tasks, even past the deadline', () => {
    expect(taskLight(task('accepted'), policy, DUE + H)).toBe('none');
    expect(taskLight(task('cancelled', true), policy, DUE - 48 * H)).toBe('none');
  });

  it('submitted work still counts against the deadline', () => {
    expect(taskLight(task('submitted'), policy, DUE + H)).toBe('red');
  });
});

describe('worstLight', () => {
  it('orders none < green < yellow < red', () => {
    expect(worstLight([])).toBe('none');
    expect(worstLight(['none', 'green'])).toBe('green');
    expect(worstLight(['green', 'yellow', 'green'])).toBe('yellow');
    expect(worstLight(['yellow', 'red', 'green'])).toBe('red');
  });
});
