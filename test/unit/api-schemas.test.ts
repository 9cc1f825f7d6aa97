/** The request schemas' cross-field rules: every refusal names the exact field. */
import { ItemInputSchema } from '../../api/schemas/item-input';
import { ListItemsQuerySchema } from '../../api/schemas/queries';

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
    ['duplicate problem ids', (i) => { i.problems[1].id = 'p1'; }, ['problems.0.id', 'problems.1.id']],
    ['duplicate task ids', (i) => { i.tasks[1].id = 't1'; }, ['tasks.0.id', 'tasks.1.id']],
    ['a task naming an unknown problem', (i) => { i.tasks[0].problemIds = ['p9']; }, ['tasks.0.problemIds.0']],
    ['a problem no task covers', (i) => { i.tasks[1].problemIds = ['p1']; }, ['problems.1']],
    ['a local time without offset', (i) => { i.tasks[1].deadline.at = '2030-01-01T09:00:00'; }, ['tasks.1.deadline.at']],
    ['zero working days', (i) => { i.tasks[0].deadline.days = 0; }, ['tasks.0.deadline.days']],
    ['an unknown deadline kind', (i) => { i.tasks[0].deadline = { kind: 'someday' }; }, ['tasks.0.deadline.kind']],
    ['a calendar duration', (i) => { i.policy.warningLead = 'P1M'; }, ['policy.warningLead']],
    ['an unknown time zone', (i) => { i.policy.timezone = 'Mars/Olympus'; }, ['policy.timezone']],
    ['weekday 8', (i) => { i.policy.weeklyDispatch.weekday = 8; }, ['policy.weeklyDispatch.weekday']],
    ['day 29', (i) => { i.policy.monthlyReview.day = 29; }, ['policy.monthlyReview.day']],
    ['time 24:00', (i) => { i.policy.monthlyReview.time = '24:00'; }, ['policy.monthlyReview.time']],
    ['a ladder that goes back in time', (i) => { i.policy.escalationLadder[1].after = 'PT0S'; }, ['policy.escalationLadder.1.after']],
    ['a ladder whose level does not rise', (i) => { i.policy.escalationLadder[1].level = 1; }, ['policy.escalationLadder.1.level']],
    ['an id with a slash', (i) => { i.id = 'a/b'; }, ['id']],
    ['an unknown severity', (i) => { i.problems[0].severity = 'huge'; }, ['problems.0.severity']],
  ])('refuses %s', (_name, mutate, expected) => {
    const item = validItem();
    mutate(item);
    // consequences may be reported too (no problems → every task's problem id is unknown)
    expect(pathsOf(item)).toEqual(expect.arrayContaining(expected));
  });

  it('reports only the broken field when one thing is wrong', () => {
    const item = validItem();
    item.tasks[0].problemIds = ['p9'];
    item.tasks[1].problemIds = ['p1', 'p2'];
    expect(pathsOf(item)).toEqual(['tasks.0.problemIds.0']);
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
