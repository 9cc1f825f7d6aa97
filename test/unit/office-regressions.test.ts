/**
 * Regressions from the adversarial review of office time: each test is named
 * after the claim (README or code comment) a review broke, and guards its fix.
 * Pure rules only; the API's are in test/integration/office-regressions-api.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCalendarUpdate } from '../../domain/calendar-update';
import type { Command } from '../../domain/commands';
import { createItemState } from '../../domain/create-item';
import { assertStateBudget } from '../../domain/item-limits';
import { withOfficeRules } from '../../domain/policy';
import { calendarForNewItem, statutoryCalendar, type PublishedYear } from '../../domain/statutory-calendar';
import { advanceClock, nextWakeAt, pendingEvents } from '../../domain/timeline';
import { applyCommand } from '../../domain/transitions';
import type { Actor, DeadlineSpec, ItemInput, ItemState, PolicyInput } from '../../domain/types';
import { isWorkingDay } from '../../domain/working-days';
import { worstCaseItem } from '../support/worst-case-item';
import { envelope, LEADER, OWNER_A } from './item-builders';

/** an instant from Shanghai wall time */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const shIso = (local: string) => new Date(sh(local)).toISOString();

/** An item as the API starts it: office rules, the calendar of a new item at `createdAt`. */
function officeItem(createdAt: string, deadline: DeadlineSpec, policy: PolicyInput = {}): ItemState {
  const input: ItemInput = {
    id: 'break-1', title: 'Breaking office time', supervisionLevel: 'county', leader: { id: LEADER.id, name: LEADER.name },
    problems: [{ id: 'p1', description: 'a problem', severity: 'high' }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'a task', ownerUnit: 'unit-a', ownerPerson: 'a', deadline }],
    policy: withOfficeRules(policy),
  };
  return createItemState(input, LEADER, sh(createdAt), calendarForNewItem(sh(createdAt))).state;
}
const due = (local: string): DeadlineSpec => ({ kind: 'instant', at: `${local}+08:00` });

function act(state: ItemState, actor: Actor, command: Command, at: string): ItemState {
  return applyCommand(state, envelope(actor, command), sh(at)).state;
}

/** The clock as the workflow runs it: woken at each event's own instant, up to `until`; every audit event on the way. */
function runUntil(state: ItemState, until: string) {
  let s = state;
  const audit: Array<{ action: string; at: string; details: Record<string, unknown> }> = [];
  for (let at = nextWakeAt(s); at !== undefined && at <= sh(until); at = nextWakeAt(s)) {
    const out = advanceClock(s, at);
    s = out.state;
    audit.push(...out.records.auditEvents.map((e) => ({ action: e.action, at: e.at, details: e.details })));
  }
  return { state: s, audit };
}

describe('clock pause (README: "On resuming, the deadline … moves by the working days paused")', () => {
  it('a two-minute pause across midnight (23:59 → 00:01, no working hour in it) does not move the deadline', () => {
    const s0 = officeItem('2026-03-02T10:00:00', due('2026-03-13T18:00:00'));
    const paused = act(s0, LEADER, { type: 'pauseTask', taskId: 't1', reason: 'waiting for the ruling' }, '2026-03-03T23:59:00');
    const resumed = act(paused, LEADER, { type: 'resumeTask', taskId: 't1' }, '2026-03-04T00:01:00');
    expect(resumed.tasks[0]!.pausedWorkingDays ?? 0).toBe(0);
    expect(resumed.tasks[0]!.deadline.dueAt).toBe(shIso('2026-03-13T18:00:00'));
  });

  it('a deadline missed before the pause stays missed: resuming neither un-misses it nor fires deadlineMissed a second time', () => {
    // due Fri 6 March 18:00, missed; paused at 20:00 that evening, resumed Monday 09:00: no working hour was paused
    const missed = runUntil(officeItem('2026-03-02T10:00:00', due('2026-03-06T18:00:00')), '2026-03-06T19:00:00');
    expect(missed.audit.filter((e) => e.action === 'deadlineMissed')).toHaveLength(1);
    const paused = act(missed.state, LEADER, { type: 'pauseTask', taskId: 't1', reason: 'force majeure' }, '2026-03-06T20:00:00');
    const resumed = act(paused, LEADER, { type: 'resumeTask', taskId: 't1' }, '2026-03-09T09:00:00');
    const t = resumed.tasks[0]!;
    expect(t.alarms.overdue).toBe(true);
    expect(Date.parse(t.originalDueAt)).toBeLessThan(sh('2026-03-09T09:00:00'));
    const after = runUntil(resumed, '2026-03-09T20:00:00');
    expect(after.audit.filter((e) => e.action === 'deadlineMissed')).toEqual([]);
  });
});

describe('a submission stops the owner\'s clock (README: "while it waits for acceptance no … deadline alarm … fires for it, and it shows green")', () => {
  it('the weekly dispatch record does not count work handed in on time, and waiting for the leader, as overdue', () => {
    // due Fri 6 March; handed in Thu 5 March; the leader has not decided by the dispatch of Mon 9 March
    const s0 = act(officeItem('2026-03-02T10:00:00', due('2026-03-06T23:59:59')), OWNER_A,
      { type: 'submitTask', taskId: 't1', evidence: ['report.pdf'] }, '2026-03-05T15:00:00');
    const { records } = advanceClock(s0, sh('2026-03-09T09:00:00'));
    const dispatch = records.dispatches[0]!;
    expect(dispatch.lines[0]).toMatchObject({ taskId: 't1', light: 'green' });
    expect(dispatch.overdueTasks).toBe(0);
  });

  it('an extension approved while the work waits does not start the leader\'s reminders over (each reminder once)', () => {
    const s0 = officeItem('2026-03-02T10:00:00', due('2026-03-06T18:00:00'));
    const asked = act(s0, OWNER_A, { type: 'requestExtension', taskId: 't1', newDeadline: { kind: 'workingDays', days: 10 }, reason: 'materials late' }, '2026-03-03T10:00:00');
    const handedIn = act(asked, OWNER_A, { type: 'submitTask', taskId: 't1', evidence: ['report.pdf'] }, '2026-03-03T11:00:00');
    const reminded = runUntil(handedIn, '2026-03-06T10:00:00'); // reminder 1 on Fri 6 March 09:00
    expect(reminded.audit.filter((e) => e.action === 'reviewReminder')).toHaveLength(1);
    const approved = act(reminded.state, LEADER, { type: 'decideExtension', taskId: 't1', approve: true }, '2026-03-06T11:00:00');
    const later = runUntil(approved, '2026-03-20T10:00:00');
    expect(later.audit.filter((e) => e.action === 'reviewReminder').map((e) => e.details.rung)).toEqual([2]);
  });
});

describe('escalation ladder (README: "each rung fires once, in order, at deadline + offset"; policy: rungs "strictly later")', () => {
  it('a ladder mixing working days and calendar time is refused: the two cannot be put in order for every deadline', () => {
    const ladder = [
      { after: { workingDays: 3 }, level: 1, notify: ['ownerUnit' as const] },
      { after: 'P3DT1H', level: 2, notify: ['unitLeader' as const] },
    ];
    expect(() => officeItem('2026-03-02T10:00:00', due('2026-03-06T18:00:00'), { escalationLadder: ladder })).toThrow(/one kind of time/);
  });

  it('a first rung at PT0S, then working days, fires each rung at its own offset', () => {
    const ladder = [
      { after: 'PT0S', level: 1, notify: ['ownerUnit' as const] },
      { after: { workingDays: 2 }, level: 2, notify: ['unitLeader' as const] },
    ];
    const { audit } = runUntil(officeItem('2026-03-02T10:00:00', due('2026-03-06T18:00:00'), { escalationLadder: ladder }), '2026-03-13T18:00:00');
    expect(audit.filter((e) => e.action === 'escalated').map((e) => [e.details.rung, e.at])).toEqual([
      [1, shIso('2026-03-06T18:00:00')], [2, shIso('2026-03-10T09:00:00')],
    ]);
  });
});

describe('calendar updates (README: "counts again every working-day deadline not yet passed (a passed one stays as it was)")', () => {
  it('a recount never turns a deadline not yet passed into one already missed', () => {
    // created Wed 20 Jan 2027 (no 2027 notice yet): 10 working days → Wed 3 Feb 23:59:59
    const s0 = officeItem('2027-01-20T10:00:00', { kind: 'workingDays', days: 10 });
    expect(s0.tasks[0]!.deadline.dueAt).toBe(shIso('2027-02-03T23:59:59'));
    const noon = runUntil(s0, '2027-02-03T12:00:00').state;
    // the notice is published late, at noon on 3 Feb: it has a make-up Sunday on 31 Jan
    const notice = calendarForNewItem(sh('2027-02-03T12:00:00'), undefined, [{
      year: 2027, version: 1, source: 'late notice', holidays: { '2027-01-01': "New Year's Day,元旦" }, workdays: { '2027-01-31': 'Spring Festival,春节' },
    }]);
    const { state, applied } = applyCalendarUpdate(noon, notice, sh('2027-02-03T12:00:00'));
    expect(applied).toBe(true);
    expect(Date.parse(state.tasks[0]!.deadline.dueAt)).toBeGreaterThan(sh('2027-02-03T12:00:00'));
    const fired = runUntil(state, '2027-02-03T12:00:01').audit.map((e) => e.action);
    expect(fired).not.toContain('deadlineMissed');
  });

  it('a new item carries published years only from last year on, like the package data (an item needs only the years it can live in)', () => {
    const published: PublishedYear[] = [2027, 2028, 2029, 2030].map((year, i) => ({
      year, version: i + 1, source: `notice ${year}`, holidays: { [`${year}-10-01`]: 'National Day,国庆节' }, workdays: {},
    }));
    const calendar = calendarForNewItem(sh('2031-03-02T10:00:00'), undefined, published);
    // the package's own data is trimmed to 2030 on (statutoryCalendar(fromYear)); published years are kept forever,
    // so every new item (and every calendar signal to every running item) grows with each year of operation
    expect(Object.keys(calendar.holidays).filter((date) => date < '2030')).toEqual([]);
  });

  it('a calendar update leaves a running item within its state budget (README: the state is bounded to 384 KiB)', () => {
    // the largest item the limits allow, as the API starts it in November, when next year's notice is due
    const at = sh('2026-11-20T10:00:00');
    const input = worstCaseItem({ id: 'INSP2026-WORST', dueAt: '2027-03-31T18:00:00+08:00', leader: LEADER, units: 40, policy: withOfficeRules(undefined) as never }, at);
    const state = createItemState(input, LEADER, at, calendarForNewItem(at)).state;
    expect(() => assertStateBudget(state)).not.toThrow();
    // a 2027 notice of the ordinary size: 2026's 33 holidays and 6 make-up workdays, a year on
    const shift = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).map(([d, n]) => [`2027${d.slice(4)}`, n]));
    const y2026 = statutoryCalendar(2026);
    const pick = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).filter(([d]) => d.startsWith('2026')));
    const notice = calendarForNewItem(sh('2026-11-25T10:00:00'), undefined, [{
      year: 2027, version: 1, source: '国务院办公厅关于2027年部分节假日安排的通知', holidays: shift(pick(y2026.holidays)), workdays: shift(pick(y2026.workdays)),
    }]);
    const updated = applyCalendarUpdate(state, notice, sh('2026-11-25T10:00:00'));
    expect(updated.applied).toBe(true);
    expect(() => assertStateBudget(updated.state)).not.toThrow();
  });
});

describe('the fixed-date statutory holidays (README: "1 January, 1–2 May, 1–3 October, as the 2025 revision of the national holiday regulations sets them")', () => {
  it('stay holidays once a year is published: the README\'s own example publication does not turn New Year\'s Day 2027 (a Friday) into a working day', () => {
    // POST /calendar/years/2027 exactly as the README shows it (201: nothing refuses a notice without them)
    const readmeExample: PublishedYear = {
      year: 2027, version: 1, source: '国务院办公厅关于2027年部分节假日安排的通知',
      holidays: { '2027-10-01': 'National Day,国庆节' }, workdays: { '2027-10-09': 'National Day,国庆节' },
    };
    const before = calendarForNewItem(sh('2026-11-20T10:00:00'));
    const after = calendarForNewItem(sh('2026-11-20T10:00:00'), undefined, [readmeExample]);
    const fixed = ['2027-01-01', '2027-05-01', '2027-05-02', '2027-10-02', '2027-10-03'];
    expect(fixed.filter((d) => isWorkingDay(d, before))).toEqual([]);
    expect(fixed.filter((d) => isWorkingDay(d, after))).toEqual([]);
  });
});

test('README configuration: HOLIDAY_CALENDAR_FILE names every process that reads it (the worker carries it to running items)', () => {
  // worker/main.ts loads the file for the calendar broadcast; an operator who sets it only where the README says
  // (the API) gets broadcasts without it, and running items lose the file's days at the next publication
  const row = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').split('\n').find((l) => l.startsWith('| `HOLIDAY_CALENDAR_FILE`'));
  expect(row?.split('|')[2]).toMatch(/worker/);
});

test('a task cancelled during a pause does not read as paused (the view shows pausedAt: "the clock is paused since then")', () => {
  const paused = act(officeItem('2026-03-02T10:00:00', due('2026-03-06T18:00:00')), LEADER, { type: 'pauseTask', taskId: 't1', reason: 'waiting' }, '2026-03-03T10:00:00');
  const cancelled = act(paused, LEADER, { type: 'cancelItem', reason: 'merged into another item' }, '2026-03-05T10:00:00');
  expect(cancelled.tasks[0]!.status).toBe('cancelled');
  expect(cancelled.tasks[0]!.pausedAt).toBeUndefined();
  expect(pendingEvents(cancelled)).toEqual([]);
});
