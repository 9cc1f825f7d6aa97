import { actsForTask, authorize, leadsItem, rolesAllowed } from '../../domain/authorization';
import { COMMAND_TYPES, type Command, type CommandType } from '../../domain/commands';
import type { Actor, ItemState, Role, TaskState } from '../../domain/types';
import { ADMIN, codeOf, LEADER, OWNER_A, OWNER_B, OWNER_C, SUPERVISOR } from './item-builders';

const OWNER_COMMANDS: CommandType[] = ['reportProgress', 'submitTask', 'requestExtension'];
const LEADER_COMMANDS: CommandType[] = [
  'acceptTask',
  'sendBackTask',
  'decideExtension',
  'reassignTask',
  'addProblem',
  'addTask',
  'cancelTask',
  'cancelItem',
  'pauseTask',
  'resumeTask',
  'confirmFollowUp',
  'reopenProblem',
];

/** A minimal command of each type; authorize only reads `type`. */
const commandOf = (type: CommandType) => ({ type, taskId: 't1' }) as unknown as Command;

const t1 = { id: 't1', ownerUnit: 'unit-a', coOwners: ['unit-c'] } as TaskState;

describe('rolesAllowed', () => {
  it('covers every command, each exactly once', () => {
    expect([...OWNER_COMMANDS, ...LEADER_COMMANDS].sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it.each(OWNER_COMMANDS)('%s: owners and admins', (type) => {
    expect(rolesAllowed(type).sort()).toEqual(['admin', 'owner']);
  });

  it.each(LEADER_COMMANDS)('%s: leaders and admins', (type) => {
    expect(rolesAllowed(type).sort()).toEqual(['admin', 'leader']);
  });

  it('never lets a supervisor or the system issue a command', () => {
    for (const type of COMMAND_TYPES) {
      expect(rolesAllowed(type)).not.toContain<Role>('supervisor');
      expect(rolesAllowed(type)).not.toContain<Role>('system');
    }
  });
});

describe('actsForTask', () => {
  it.each<[string, Actor, boolean]>([
    ['the owner unit', OWNER_A, true],
    ['a co-owner unit (双包保)', OWNER_C, true],
    ['another unit', OWNER_B, false],
    ['an owner without a unit', { id: 'x', name: 'x', role: 'owner' }, false],
    ['a leader, even naming the unit', { ...LEADER, unit: 'unit-a' }, false],
    ['a supervisor', SUPERVISOR, false],
    ['an admin', ADMIN, true],
  ])('%s → %s', (_name, actor, expected) => {
    expect(actsForTask(actor, t1)).toBe(expected);
  });
});

/** An item led by leader-1 in plan-9, with t1 of unit-a (co-owned by unit-c); authorize reads only these fields. */
const item = { id: 'item-1', planId: 'plan-9', leader: { id: 'leader-1', name: 'Leader One' }, tasks: [t1] } as unknown as ItemState;
const OTHER_LEADER: Actor = { id: 'leader-2', name: 'Leader Two', role: 'leader' };
const PLAN_LEADER: Actor = { ...OTHER_LEADER, plans: ['plan-1', 'plan-9'] };

describe('authorize', () => {
  it.each(COMMAND_TYPES)('refuses a supervisor %s with FORBIDDEN', (type) => {
    expect(codeOf(() => authorize(SUPERVISOR, commandOf(type), item))).toBe('FORBIDDEN');
  });

  it.each(COMMAND_TYPES)('refuses the system actor %s with FORBIDDEN', (type) => {
    expect(codeOf(() => authorize({ id: 'system', name: 'system', role: 'system' }, commandOf(type), item))).toBe('FORBIDDEN');
  });

  it.each(LEADER_COMMANDS)('refuses an owner %s (a leader command), even on their own task', (type) => {
    expect(codeOf(() => authorize(OWNER_A, commandOf(type), item))).toBe('FORBIDDEN');
  });

  it.each(OWNER_COMMANDS)('refuses a leader %s (an owner command)', (type) => {
    expect(codeOf(() => authorize(LEADER, commandOf(type), item))).toBe('FORBIDDEN');
  });

  it.each(OWNER_COMMANDS)('%s: the owner unit and a co-owner unit may; another unit finds no such item', (type) => {
    expect(() => authorize(OWNER_A, commandOf(type), item)).not.toThrow();
    expect(() => authorize(OWNER_C, commandOf(type), item)).not.toThrow();
    expect(codeOf(() => authorize(OWNER_B, commandOf(type), item))).toBe('NOT_FOUND');
  });

  it.each(LEADER_COMMANDS)('%s: the item\'s leader and a leader answering for its plan may; another leader may not', (type) => {
    expect(() => authorize(LEADER, commandOf(type), item)).not.toThrow();
    expect(() => authorize(PLAN_LEADER, commandOf(type), item)).not.toThrow();
    expect(codeOf(() => authorize(OTHER_LEADER, commandOf(type), item))).toBe('FORBIDDEN');
    expect(codeOf(() => authorize({ ...OTHER_LEADER, plans: ['plan-1'] }, commandOf(type), item))).toBe('FORBIDDEN');
    // a plan claim on an item that has no plan gives nothing
    expect(codeOf(() => authorize(PLAN_LEADER, commandOf(type), { ...item, planId: undefined }))).toBe('FORBIDDEN');
  });

  it.each(COMMAND_TYPES)('lets an admin %s', (type) => {
    expect(() => authorize(ADMIN, commandOf(type), item)).not.toThrow();
  });

  it('an owner whose unit has no task in the item gets what a missing item gets, whatever task they name', () => {
    for (const taskId of ['t1', 'no-such-task']) {
      expect(() => authorize(OWNER_B, { type: 'submitTask', taskId } as unknown as Command, item)).toThrow(/^no item 'item-1'$/);
    }
  });

  it('an owner of the item naming another unit\'s task gets what a missing task gets, without unit names', () => {
    const two = { ...item, tasks: [t1, { id: 't2', ownerUnit: 'unit-b', coOwners: [] }] } as unknown as ItemState;
    const other = () => authorize(OWNER_B, commandOf('submitTask'), two);
    const missing = () => authorize(OWNER_B, { type: 'submitTask', taskId: 't9' } as unknown as Command, two);
    expect(codeOf(other)).toBe('NOT_FOUND');
    expect(other).toThrow(/^no task 't1' among your unit's tasks in item 'item-1'$/);
    expect(missing).toThrow(/^no task 't9' among your unit's tasks in item 'item-1'$/);
    expect(other).not.toThrow(/unit-a/);
  });
});

describe('leadsItem', () => {
  it.each<[string, Actor, boolean]>([
    ['the item\'s leader', LEADER, true],
    ['a leader answering for its plan', PLAN_LEADER, true],
    ['another leader', OTHER_LEADER, false],
    ['an admin', ADMIN, true],
    ['a supervisor naming the plan', { ...SUPERVISOR, plans: ['plan-9'] }, false],
  ])('%s → %s', (_name, actor, expected) => {
    expect(leadsItem(actor, item)).toBe(expected);
  });
});
