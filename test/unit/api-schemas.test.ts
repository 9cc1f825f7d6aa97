/**
 * The request schemas: shape, limits and the text rule, every refusal naming the
 * exact field. The business rules across fields (unique ids, problems and tasks
 * pointing at each other, a ladder that climbs) are the domain's alone: the
 * schema lets them through and createItemState refuses them, naming the field.
 */
import { ItemInputSchema, toItemInput } from '../../api/schemas/item-input';
import { ListItemsQuerySchema } from '../../api/schemas/queries';
import { createItemState } from '../../domain/create-item';
import { DomainError } from '../../domain/errors';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { LEADER } from './item-builders';

function validItem(): Record<string, any> {
  return {
    id: 'item-1',
    title: 'Rural roads',
    supervisionLevel: 'city',
    leader: { id: 'l1', name: 'Li' },
    problems: [
      { id: 'p1', description: 'Road broken', severity: 'high' },
      { id: 'p2', description: 'No lights', severity: 'low' },
    ],
    tasks: [
      { id: 't1', problemIds: ['p1'], description: 'Repair', ownerUnit: 'Unit A', ownerPerson: 'Wang', deadline: { kind: 'workingDays', days: 10 } },
      { id: 't2', problemIds: ['p1', 'p2'], description: 'Install', ownerUnit: 'Unit B', ownerPerson: 'Zhao', deadline: { kind: 'instant', at: '2030-01-01T09:00:00+08:00' } },
    ],
    policy: {
      timezone: 'Asia/Shanghai',
      weeklyDispatch: { weekday: 1, time: '09:00' },
      monthlyReview: { day: 1, time: '09:00' },
      warningLead: 'P3D',
      escalationLadder: [
        { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
        { after: 'P3D', level: 2, notify: ['unitLeader'] },
      ],
    },
  };
}

function pathsOf(input: unknown): string[] {
  const result = ItemInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('ItemInputSchema', () => {
  it('accepts a complete item and defaults the supervision level', () => {
    expect(pathsOf(validItem())).toEqual([]);
    const { supervisionLevel: _omit, ...rest } = validItem();
    expect(ItemInputSchema.parse(rest).supervisionLevel).toBe('none');
  });

  it.each<[string, (i: Record<string, any>) => void, string[]]>([
    ['no problems', (i) => { i.problems = []; }, ['problems']],
    ['no tasks', (i) => { i.tasks = []; }, ['tasks']],
    ['a local time without offset', (i) => { i.tasks[1].deadline.at = '2030-01-01T09:00:00'; }, ['tasks.1.deadline.at']],
    ['zero working days', (i) => { i.tasks[0].deadline.days = 0; }, ['tasks.0.deadline.days']],
    ['an unknown deadline kind', (i) => { i.tasks[0].deadline = { kind: 'someday' }; }, ['tasks.0.deadline.kind']],
    ['a calendar duration', (i) => { i.policy.warningLead = 'P1M'; }, ['policy.warningLead']],
    ['an unknown time zone', (i) => { i.policy.timezone = 'Mars/Olympus'; }, ['policy.timezone']],
    ['weekday 8', (i) => { i.policy.weeklyDispatch.weekday = 8; }, ['policy.weeklyDispatch.weekday']],
    ['day 29', (i) => { i.policy.monthlyReview.day = 29; }, ['policy.monthlyReview.day']],
    ['time 24:00', (i) => { i.policy.monthlyReview.time = '24:00'; }, ['policy.monthlyReview.time']],
    ['an id with a slash', (i) => { i.id = 'a/b'; }, ['id']],
    ['an id of 65 characters', (i) => { i.id = 'x'.repeat(65); }, ['id']],
    ['a task id starting with a dash', (i) => { i.tasks[0].id = '-t'; }, ['tasks.0.id']],
    ['an unknown severity', (i) => { i.problems[0].severity = 'huge'; }, ['problems.0.severity']],
    ['a description with a lone surrogate', (i) => { i.problems[0].description = 'cut \uD83D'; }, ['problems.0.description']],
    ['a description with a NUL', (i) => { i.tasks[1].description = 'a\u0000b'; }, ['tasks.1.description']],
    ['a title with a newline', (i) => { i.title = 'one\ntwo'; }, ['title']],
    ['an owner unit with a tab', (i) => { i.tasks[0].ownerUnit = 'Unit\tA'; }, ['tasks.0.ownerUnit']],
    ['a description over 2000 characters', (i) => { i.problems[1].description = 'x'.repeat(2001); }, ['problems.1.description']],
    ['six co-owner units', (i) => { i.tasks[0].coOwners = ['a', 'b', 'c', 'd', 'e', 'f']; }, ['tasks.0.coOwners']],
    ['a deadline in 2100', (i) => { i.tasks[1].deadline.at = '2100-01-01T00:00:00Z'; }, ['tasks.1.deadline.at']],
    ['an empty ladder', (i) => { i.policy.escalationLadder = []; }, ['policy.escalationLadder']],
    ['a rung at level 11', (i) => { i.policy.escalationLadder[1].level = 11; }, ['policy.escalationLadder.1.level']],
    ['a leader id with a space', (i) => { i.leader.id = 'l 1'; }, ['leader.id']],
  ])('refuses %s', (_name, mutate, expected) => {
    const item = validItem();
    mutate(item);
    // consequences may be reported too (no problems → every task's problem id is unknown)
    expect(pathsOf(item)).toEqual(expect.arrayContaining(expected));
  });

  it('reports only the broken field when one thing is wrong', () => {
    const item = validItem();
    item.tasks[1].description = 'bell\u0007';
    expect(pathsOf(item)).toEqual(['tasks.1.description']);
  });

  it('turns Windows line ends into newlines and keeps tabs in multi-line text', () => {
    const item = validItem();
    item.problems[0].description = 'line one\r\n\tline two';
    expect(ItemInputSchema.parse(item).problems[0]!.description).toBe('line one\n\tline two');
  });

  it.each<[string, (i: Record<string, any>) => void, string]>([
    ['duplicate problem ids', (i) => { i.problems[1].id = 'p1'; }, 'problems.1.id'],
    ['duplicate task ids', (i) => { i.tasks[1].id = 't1'; }, 'tasks.1.id'],
    ['a task naming an unknown problem', (i) => { i.tasks[0].problemIds = ['p9']; }, 'tasks.0.problemIds.0'],
    ['a problem no task covers', (i) => { i.tasks[1].problemIds = ['p1']; }, 'problems.1'],
    ['a ladder that goes back in time', (i) => { i.policy.escalationLadder[1].after = 'PT0S'; }, 'policy.escalationLadder.1'],
    ['a ladder whose level goes down', (i) => { i.policy.escalationLadder[0].level = 3; }, 'policy.escalationLadder.1'],
  ])('leaves %s to the domain, which refuses it naming the field', (_name, mutate, path) => {
    const item = validItem();
    mutate(item);
    const parsed = ItemInputSchema.safeParse(item);
    expect(parsed.success).toBe(true);
    let thrown: unknown;
    try {
      createItemState(toItemInput(parsed.data!, 'item-1'), LEADER, Date.parse('2026-03-04T02:00:00Z'), statutoryCalendar());
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', details: { path } });
  });

  it('lets a ladder with equal levels through (a reminder at the same level)', () => {
    const item = validItem();
    item.policy.escalationLadder[1].level = 1;
    const parsed = ItemInputSchema.parse(item);
    const { state } = createItemState(toItemInput(parsed, 'item-1'), LEADER, Date.parse('2026-03-04T02:00:00Z'), statutoryCalendar());
    expect(state.policy.escalationLadder.map((r) => r.level)).toEqual([1, 1]);
  });

  it('keeps a partial policy partial (the workflow fills in defaults)', () => {
    const item = validItem();
    item.policy = { warningLead: 'PT30S' };
    expect(ItemInputSchema.parse(item).policy).toEqual({ warningLead: 'PT30S' });
  });
});

describe('ListItemsQuerySchema', () => {
  it('coerces query strings and applies defaults', () => {
    expect(ListItemsQuerySchema.parse({ limit: '5', overdue: 'true' })).toMatchObject({
      limit: 5, overdue: true, sort: 'createdAt', order: 'asc',
    });
  });

  it('refuses out-of-range limits and unknown sorts, naming the parameter', () => {
    const result = ListItemsQuerySchema.safeParse({ limit: '0', sort: 'colour', overdue: 'yes' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['limit', 'overdue', 'sort']);
  });
});
