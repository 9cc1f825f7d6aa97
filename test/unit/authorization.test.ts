import { actsForTask, authorize, rolesAllowed } from '../../domain/authorization';
import { COMMAND_TYPES, type Command, type CommandType } from '../../domain/commands';
import type { Actor, Role, TaskState } from '../../domain/types';
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

describe('authorize', () => {
  it.each(COMMAND_TYPES)('refuses a supervisor %s with FORBIDDEN', (type) => {
    expect(codeOf(() => authorize(SUPERVISOR, commandOf(type), t1))).toBe('FORBIDDEN');
  });

  it.each(COMMAND_TYPES)('refuses the system actor %s with FORBIDDEN', (type) => {
    expect(codeOf(() => authorize({ id: 'system', name: 'system', role: 'system' }, commandOf(type), t1))).toBe('FORBIDDEN');
  });

  it.each(LEADER_COMMANDS)('refuses an owner %s (a leader command), even on their own task', (type) => {
    expect(codeOf(() => authorize(OWNER_A, commandOf(type), t1))).toBe('FORBIDDEN');
  });

  it.each(OWNER_COMMANDS)('refuses a leader %s (an owner command)', (type) => {
    expect(codeOf(() => authorize(LEADER, commandOf(type), t1))).toBe('FORBIDDEN');
  });

  it.each(OWNER_COMMANDS)('%s: the owner unit and a co-owner unit may; another unit may not', (type) => {
    expect(() => authorize(OWNER_A, commandOf(type), t1)).not.toThrow();
    expect(() => authorize(OWNER_C, commandOf(type), t1)).not.toThrow();
    expect(codeOf(() => authorize(OWNER_B, commandOf(type), t1))).toBe('FORBIDDEN');
  });

  it.each(LEADER_COMMANDS)('lets a leader %s', (type) => {
    expect(() => authorize(LEADER, commandOf(type), t1)).not.toThrow();
  });

  it.each(COMMAND_TYPES)('lets an admin %s', (type) => {
    expect(() => authorize(ADMIN, commandOf(type), t1)).not.toThrow();
  });

  it('refuses another unit without naming whose task it is', () => {
    expect(() => authorize(OWNER_B, commandOf('submitTask'), t1)).toThrow(/^task t1 is not one of your unit's tasks$/);
    expect(() => authorize(OWNER_B, commandOf('submitTask'), t1)).not.toThrow(/unit-a/);
  });
});
