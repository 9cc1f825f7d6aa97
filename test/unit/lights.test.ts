import { isTaskOpen, isTaskOverdue, taskLight, worstLight } from '../../domain/lights';
import { DEFAULT_OFFICE_RULES } from '../../domain/policy';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import type { ItemPolicy, TaskState, TaskStatus } from '../../domain/types';

const H = 3_600_000;
const DUE = Date.UTC(2026, 2, 10, 10);
const legacy: ItemPolicy = {
  timezone: 'Asia/Shanghai',
  weeklyDispatch: { weekday: 1, time: '09:00' },
  monthlyReview: { day: 1, time: '09:00' },
  warningLead: 'P1D',
  escalationLadder: [],
};
const policy = { policy: legacy };

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
    expect(isTaskOverdue(task(), policy, DUE - 1)).toBe(false);
    expect(isTaskOverdue(task(), policy, DUE)).toBe(true);
    expect(isTaskOverdue(task('accepted'), policy, DUE + H)).toBe(false);
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

  it('submitted work still counts against the deadline (items without office rules)', () => {
    expect(taskLight(task('submitted'), policy, DUE + H)).toBe('red');
  });
});

describe('office rules', () => {
  const office = { policy: { ...legacy, office: DEFAULT_OFFICE_RULES }, calendar: statutoryCalendar() };
  const submitted = (at: number) => ({ ...task('submitted'), submittedAt: new Date(at).toISOString() }) as TaskState;

  it('a task submitted on time is green and not overdue while it waits for the leader, whatever the hour', () => {
    expect(taskLight(submitted(DUE - H), office, DUE + 30 * 24 * H)).toBe('green');
    expect(isTaskOverdue(submitted(DUE - H), office, DUE + 30 * 24 * H)).toBe(false);
  });

  it('a task submitted late stays red and overdue', () => {
    expect(taskLight(submitted(DUE + H), office, DUE + 2 * H)).toBe('red');
    expect(isTaskOverdue(submitted(DUE + H), office, DUE + 2 * H)).toBe(true);
  });

  it('a paused task keeps the light it had when paused', () => {
    const paused = { ...task(), pausedAt: new Date(DUE - 48 * H).toISOString() } as TaskState;
    expect(taskLight(paused, office, DUE + 10 * 24 * H)).toBe('green');
    expect(isTaskOverdue(paused, office, DUE + 10 * 24 * H)).toBe(false);
  });

  it('a working-day warning lead counts back over the weekend: 10 March 2026 is a Tuesday, 1 working day before is Monday 09:00', () => {
    const lead = { policy: { ...office.policy, warningLead: { workingDays: 1 } }, calendar: office.calendar };
    const mondayNine = Date.UTC(2026, 2, 9, 1); // 09:00 Asia/Shanghai
    expect(taskLight(task(), lead, mondayNine - 1)).toBe('green');
    expect(taskLight(task(), lead, mondayNine)).toBe('yellow');
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
