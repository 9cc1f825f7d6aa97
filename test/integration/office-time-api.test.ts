/**
 * Office time through the API on the real stack: publishing a year's holidays
 * (new items take it, running items receive it), pausing and resuming a task's
 * clock, the follow-up watch, and the outcome of an ended item on its view
 * and in its plan's report.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, eventually, itemBody, startItem, tokensFor, UNIT_A, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const as = (who: ActorName) => bearer(tokens[who]);
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

const DAY = 86_400_000;
const nextYear = new Date().getUTCFullYear() + 1;

async function view(id: string, who: ActorName = 'leader', minVersion?: number) {
  const res = await request(stack.app).get(`/items/${id}${minVersion ? `?minVersion=${minVersion}` : ''}`).set(as(who));
  expect(res.status).toBe(200);
  return res.body;
}

describe('publishing a year\'s holiday calendar', () => {
  const january = (days: number[]) => Object.fromEntries(days.map((d) => [`${nextYear}-01-${String(d).padStart(2, '0')}`, 'Test holiday,测试']));

  test('only an admin publishes; a day outside the year, a weekday make-up workday or a day listed twice is refused, and nothing is published', async () => {
    const body = { source: 'notice', holidays: january([1]), workdays: {} };
    expect((await request(stack.app).post(`/calendar/years/${nextYear}`).set(as('leader')).send(body)).status).toBe(403);
    const refusals = [
      { source: 'x', holidays: { [`${nextYear + 1}-01-01`]: 'New Year' } },
      { source: 'x', holidays: {}, workdays: { [nextWeekday(nextYear)]: 'make-up' } },
      { source: 'x', holidays: { [nextSaturday(nextYear)]: 'h' }, workdays: { [nextSaturday(nextYear)]: 'w' } },
    ];
    for (const bad of refusals) {
      const res = await request(stack.app).post(`/calendar/years/${nextYear}`).set(as('admin')).send(bad);
      expect(res.status).toBe(422);
      expect(res.body.errors?.[0]?.path ?? res.body.detail).toBeTruthy();
    }
    expect((await request(stack.app).post(`/calendar/years/${nextYear}`).set(as('admin')).send({ source: 'x', holidays: { 'not-a-date': 'x' } })).status).toBe(400);
    expect((await request(stack.app).post('/calendar/years/1999').set(as('admin')).send(body)).status).toBe(400);
    const calendar = await request(stack.app).get('/calendar').set(as('ownerA'));
    expect(calendar.status).toBe(200);
    expect(calendar.body.years).toEqual([]);
  });

  test('a publication reaches a running item: its working-day deadline is counted again, the basis names the version, and it is no longer provisional', async () => {
    const id = newId('cal');
    // 40 working days from now reach into next year, which has no notice yet
    await startItem(stack, tokens.leader, id, {
      tasks: [{ id: 't1', problemIds: ['p1', 'p2'], description: 'long', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'workingDays', days: 40 } }],
    });
    const before = (await view(id)).tasks[0];
    expect(before.deadline.provisional).toBe(true);
    expect(before.deadline.basis).toMatch(new RegExp(`provisional: no State Council notice for ${nextYear}`));

    // a notice with a whole working week of holidays early in January: the deadline moves by five working days
    const holidays = january(weekdaysOfFirstFullWeek(nextYear));
    const published = await request(stack.app).post(`/calendar/years/${nextYear}`).set(as('admin')).send({ source: `Notice for ${nextYear}`, holidays });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ year: nextYear, version: expect.any(Number), broadcast: `calendar-broadcast:${stack.taskQueue}:v${published.body.version}` });
    const version = published.body.version as number;

    const after = await eventually(async () => {
      const t = (await view(id)).tasks[0];
      return t.deadline.basis.includes(`calendar v${version}`) ? t : undefined;
    }, 30_000);
    const movedBy = (Date.parse(after.deadline.dueAt) - Date.parse(before.deadline.dueAt)) / DAY;
    expect(movedBy).toBeGreaterThanOrEqual(5); // five working days, with the weekends they straddle
    expect(movedBy).toBeLessThanOrEqual(9);
    expect(after.deadline.provisional).toBeUndefined();
    const audit = await request(stack.app).get(`/items/${id}/audit`).set(as('leader'));
    expect(audit.body.events.map((e: { action: string }) => e.action)).toContain('calendarUpdated');

    // a new item takes the notice at once
    const fresh = newId('cal-new');
    await startItem(stack, tokens.leader, fresh, {
      tasks: [{ id: 't1', problemIds: ['p1', 'p2'], description: 'long', ownerUnit: UNIT_A, ownerPerson: 'Wang Fang', deadline: { kind: 'workingDays', days: 40 } }],
    });
    expect((await view(fresh)).tasks[0].deadline.basis).toContain(`calendar v${version}`);
    const calendar = await request(stack.app).get('/calendar').set(as('supervisor'));
    expect(calendar.body).toMatchObject({ version, years: [expect.objectContaining({ year: nextYear, version, source: `Notice for ${nextYear}` })] });
    expect(calendar.body.coveredYears).toContain(nextYear);
  });
});

describe('pausing a task\'s clock (中止计时)', () => {
  test('a leader pauses and resumes; the owner may not; the view shows the pause and the moved deadline', async () => {
    const id = newId('pause');
    await startItem(stack, tokens.leader, id);
    expect((await request(stack.app).post(`/items/${id}/tasks/t1/pause`).set(as('ownerA')).send({ reason: 'x' })).status).toBe(403);
    const paused = await request(stack.app).post(`/items/${id}/tasks/t1/pause`).set(as('leader')).send({ reason: 'waiting for the province' });
    expect(paused.status).toBe(200);
    expect(paused.body.task.pausedAt).toBeDefined();
    expect((await request(stack.app).post(`/items/${id}/tasks/t1/pause`).set(as('leader')).send({ reason: 'again' })).status).toBe(409);
    const seen = await view(id, 'ownerA', paused.body.version);
    expect(seen.tasks[0]).toMatchObject({ pausedAt: paused.body.task.pausedAt, pauses: 1 });
    const resumed = await request(stack.app).post(`/items/${id}/tasks/t1/resume`).set(as('leader')).send({ note: 'ruling in' });
    expect(resumed.status).toBe(200);
    // resumed the same day: no working day passed, the deadline stays
    expect(resumed.body.task.deadline.dueAt).toBe(paused.body.task.deadline.dueAt);
    const after = await view(id, 'leader', resumed.body.version);
    expect(after.tasks[0].pausedAt).toBeUndefined();
    expect(after.tasks[0].pauses).toBe(1);
    expect((await request(stack.app).post(`/items/${id}/tasks/t1/resume`).set(as('leader')).send({})).status).toBe(409);
  });
});

describe('the follow-up watch and the outcome', () => {
  test('every task accepted, the item waits for the leader\'s check; confirmed, it completes and shows its outcome, in its plan report too', async () => {
    const id = newId('watch');
    const planId = newId('plan');
    // a check due two seconds after the last acceptance, so the test can wait for it
    await startItem(stack, tokens.leader, id, { planId, policy: { office: { followUp: { after: 'PT2S' } } } });
    for (const [taskId, owner] of [['t1', 'ownerA'], ['t2', 'ownerB']] as const) {
      expect((await request(stack.app).post(`/items/${id}/tasks/${taskId}/submit`).set(as(owner)).send({ evidence: ['photo.jpg'] })).status).toBe(200);
      expect((await request(stack.app).post(`/items/${id}/tasks/${taskId}/accept`).set(as('leader')).send({})).status).toBe(200);
    }
    const reopenOpen = await request(stack.app).post(`/items/${id}/problems/p9/reopen`).set(as('leader')).send({
      reason: 'x', tasks: [{ id: 't9', problemIds: ['p9'], description: 'd', ownerUnit: UNIT_A, ownerPerson: 'W', deadline: { kind: 'workingDays', days: 3 } }],
    });
    expect(reopenOpen.status).toBe(404);
    const watching = await eventually(async () => {
      const v = await view(id);
      return v.followUp ? v : undefined;
    });
    expect(watching.status).toBe('active');
    expect(watching.outcome).toBeUndefined();
    expect((await request(stack.app).post(`/items/${id}/follow-up/confirm`).set(as('ownerA')).send({})).status).toBe(403);
    // not before the check is due: the watch is the point
    const early = await request(stack.app).post(`/items/${id}/follow-up/confirm`).set(as('leader')).send({});
    if (!watching.followUp.notified) expect(early.status).toBe(409);
    await eventually(async () => ((await view(id)).followUp?.notified ? true : undefined));
    const confirmed = await request(stack.app).post(`/items/${id}/follow-up/confirm`).set(as('leader')).send({ note: 'no recurrence' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('completed');
    const ended = await view(id, 'leader', confirmed.body.version);
    expect(ended.outcome).toMatchObject({ status: 'completed', tasks: 2, acceptedTasks: 2, acceptedLate: 0, reworks: 0, escalations: 0, pauses: 0 });
    const report = await request(stack.app).get(`/plans/${planId}`).set(as('leader'));
    expect(report.status).toBe(200);
    expect(report.body.outcomes).toMatchObject({ itemsEnded: 1, acceptedTasks: 2, acceptedLate: 0 });
  });

  test('policies out of range are refused before anything starts', async () => {
    for (const policy of [
      { warningLead: { workingDays: 0 } },
      { office: { staleMinWorkingDays: 9 } },
      { office: { reviewLadder: [{ after: { workingDays: 3 }, notify: ['ownerUnit'] }] } },
      { escalationLadder: [{ after: { workingDays: 2, at: '9am' }, level: 1, notify: ['ownerUnit'] }] },
    ]) {
      const res = await request(stack.app).post('/items').set(as('leader')).send(itemBody(newId('bad'), { policy }));
      expect(res.status).toBe(400);
    }
    const outOfOrder = await request(stack.app).post('/items').set(as('leader')).send(itemBody(newId('bad'), {
      policy: { escalationLadder: [{ after: 'P10D', level: 1, notify: ['ownerUnit'] }, { after: { workingDays: 3 }, level: 2, notify: ['unitLeader'] }] },
    }));
    expect(outOfOrder.status).toBe(422);
  });
});

/** The weekdays (Mon–Fri) of the first full Monday-to-Friday week of January in `year` (never the 1st, whatever happens to it). */
function weekdaysOfFirstFullWeek(year: number): number[] {
  let day = 2;
  while (new Date(Date.UTC(year, 0, day)).getUTCDay() !== 1) day += 1;
  return [0, 1, 2, 3, 4].map((i) => day + i);
}

function nextWeekday(year: number): string {
  let day = 10;
  while ([0, 6].includes(new Date(Date.UTC(year, 2, day)).getUTCDay())) day += 1;
  return `${year}-03-${String(day).padStart(2, '0')}`;
}

function nextSaturday(year: number): string {
  let day = 10;
  while (new Date(Date.UTC(year, 2, day)).getUTCDay() !== 6) day += 1;
  return `${year}-03-${String(day).padStart(2, '0')}`;
}
