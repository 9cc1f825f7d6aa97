/**
 * Regressions from the adversarial review of office time through the API, on the real stack (API in-process, a
 * real worker, the Temporal dev server, PostgreSQL). Each test is named after
 * the claim a review broke, and guards its fix.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, itemBody, startItem, tokensFor, type ActorName } from './api-support';

let stack: TestStack;
let tokens: Record<ActorName, string>;
const as = (who: ActorName) => bearer(tokens[who]);
const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await tokensFor(stack);
});
afterAll(async () => stack?.stop());

const publish = (year: number, body: object) => request(stack.app).post(`/calendar/years/${year}`).set(as('admin')).send(body);

describe('POST /calendar/years/:year: bad input gets the right 4xx and changes nothing (every string follows the text rule)', () => {
  test('a holiday name with a NUL character or a lone surrogate is a 400 naming the field, refused before the database', async () => {
    for (const [year, name] of [[2031, 'National\u0000Day'], [2032, 'National Day \ud800']] as const) {
      const res = await publish(year, { source: `notice ${year}`, holidays: { [`${year}-10-01`]: name } });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.path).toBe(`body.holidays.${year}-10-01`);
    }
    expect((await request(stack.app).get('/calendar').set(as('supervisor'))).body.years).toEqual([]);
  });

  test('a holiday name with a control character or a bidi override is refused, like every other name', async () => {
    expect((await publish(2033, { source: 'notice 2033', holidays: { '2033-10-01': 'National\u0007Day' } })).status).toBe(400);
    expect((await publish(2034, { source: 'notice 2034', holidays: { '2034-10-01': '\u202eyaD lanoitaN' } })).status).toBe(400);
  });
});

test('an owner reading an ended item learns nothing about other units\' work: its outcome counts their own tasks only', async () => {
  // t1 is Unit A's, t2 Unit B's; Unit B's work is sent back once, then both are accepted and the item completes
  const id = newId('outcome');
  await startItem(stack, tokens.leader, id);
  const step = async (who: ActorName, path: string, body: object) => {
    const res = await request(stack.app).post(`/items/${id}/${path}`).set(as(who)).send(body);
    expect(res.status).toBe(200);
    return res.body as { version: number; status: string };
  };
  await step('ownerB', 'tasks/t2/submit', { evidence: ['lights.jpg'] });
  await step('leader', 'tasks/t2/send-back', { reason: 'two lamps missing' });
  await step('ownerB', 'tasks/t2/submit', { evidence: ['lights-2.jpg'] });
  await step('leader', 'tasks/t2/accept', {});
  await step('ownerA', 'tasks/t1/submit', { evidence: ['road.jpg'] });
  const last = await step('leader', 'tasks/t1/accept', {});
  expect(last.status).toBe('completed');

  const seen = await request(stack.app).get(`/items/${id}?minVersion=${last.version}`).set(as('ownerA'));
  expect(seen.status).toBe(200);
  expect(seen.body.tasks.map((t: { id: string }) => t.id)).toEqual(['t1']);
  expect(seen.body.counters.reworks).toBe(0);
  expect(seen.body.outcome).toMatchObject({ tasks: 1, acceptedTasks: 1, reworks: 0 });
});

test('publishing years of holidays the API accepts leaves new items startable (no input wedges an item)', async () => {
  // the most the API takes: every year it accepts, each with 45 holidays and 15 make-up weekend days, names of 32 characters
  const name = '国务院办公厅关于部分节假日安排的通知所列节日名称'.repeat(3).slice(0, 32);
  const yearBody = (year: number) => {
    const holidays: Record<string, string> = {};
    const workdays: Record<string, string> = {};
    for (let d = new Date(Date.UTC(year, 0, 4)); d.getUTCFullYear() === year; d = new Date(d.getTime() + 86_400_000)) {
      const date = d.toISOString().slice(0, 10);
      const weekend = [0, 6].includes(d.getUTCDay());
      if (/-(01-01|05-0[12]|10-0[123])$/.test(date)) continue;
      if (weekend && Object.keys(workdays).length < 15) workdays[date] = name;
      if (!weekend && Object.keys(holidays).length < 45) holidays[date] = name;
    }
    return { source: `notice ${year}`, holidays, workdays };
  };
  const thisYear = new Date().getUTCFullYear();
  const statuses: number[] = [];
  for (let year = thisYear - 1; year <= thisYear + 2; year++) statuses.push((await publish(year, yearBody(year))).status);
  // each within bounds is published, or refused whole (422) when the calendar items carry would outgrow its allowance
  expect(statuses.every((s) => s === 201 || s === 422)).toBe(true);
  expect(statuses[0]).toBe(201);
  expect((await publish(thisYear + 3, yearBody(thisYear + 3))).status).toBe(422);
  // a one-task item a month out
  const res = await request(stack.app).post('/items').set(as('leader')).send(itemBody(newId('after-calendar'), {
    problems: [{ id: 'p1', description: 'Potholes', severity: 'high' }],
    tasks: [{ id: 't1', problemIds: ['p1'], description: 'Resurface', ownerUnit: 'unit-a', ownerPerson: 'Wang Fang', deadline: { kind: 'workingDays', days: 20 } }],
  }));
  expect(res.body.code).toBeUndefined();
  expect(res.status).toBe(201);
});
