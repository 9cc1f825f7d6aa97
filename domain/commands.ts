/** Every change to an item, as data. Each travels in one Temporal update. */
import type { Actor, DeadlineSpec, ProblemInput, TaskInput } from './types';

export type Command =
  | { type: 'reportProgress'; taskId: string; text: string; percent: number; evidence?: string[] }
  | { type: 'submitTask'; taskId: string; evidence: string[]; note?: string }
  | { type: 'requestExtension'; taskId: string; newDeadline: DeadlineSpec; reason: string }
  | { type: 'acceptTask'; taskId: string; note?: string }
  | { type: 'sendBackTask'; taskId: string; reason: string }
  | { type: 'decideExtension'; taskId: string; approve: boolean; note?: string }
  | { type: 'reassignTask'; taskId: string; ownerUnit: string; ownerPerson: string; coOwners?: string[] }
  | { type: 'addProblem'; problem: ProblemInput }
  | { type: 'addTask'; task: TaskInput }
  | { type: 'cancelTask'; taskId: string; reason: string }
  | { type: 'cancelItem'; reason: string }
  /** 中止计时: the task's clock stops until it is resumed; its deadline then moves by the working days paused */
  | { type: 'pauseTask'; taskId: string; reason: string }
  | { type: 'resumeTask'; taskId: string; note?: string }
  /** 回头看: no recurrence found; the item completes */
  | { type: 'confirmFollowUp'; note?: string }
  /** a closed problem came back: it opens again with new tasks */
  | { type: 'reopenProblem'; problemId: string; reason: string; tasks: TaskInput[] };

export type CommandType = Command['type'];

export const COMMAND_TYPES: readonly CommandType[] = [
  'reportProgress',
  'submitTask',
  'requestExtension',
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

/**
 * What an update carries: the command, who acts (from the token), the request
 * id (bound to the caller and their Idempotency-Key) and the fingerprint of the
 * request, so the same key sent again with a different request is refused.
 */
export interface CommandEnvelope<C extends Command = Command> {
  requestId: string;
  fingerprint?: string;
  actor: Actor;
  command: C;
}
