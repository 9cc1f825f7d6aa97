/**
 * The item's limits applied to commands and inputs that reach the workflow.
 * The API refuses the same things earlier with the same constants (it builds
 * its zod schemas on domain/limits.ts and domain/text.ts); these checks keep a
 * caller that bypasses the API (a Temporal client) from wedging an item.
 */
import { DomainError } from './errors';
import { LIMITS } from './limits';
import { isTaskOpen } from './lights';
import { ACTOR_ID_PATTERN, assertCleanStrings, ID_ALPHABET, ID_PATTERN, jsonBytes, textRuleViolation } from './text';
import type { ItemInput, ItemState, ProblemInput, TaskInput } from './types';

const SUPERVISION_LEVELS = ['province', 'city', 'county', 'none'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

function refuse(path: string, message: string): never {
  throw new DomainError('VALIDATION_FAILED', `${path} ${message}`, { path });
}

export function checkId(value: unknown, path: string): void {
  if (typeof value !== 'string' || !ID_PATTERN.test(value) || value.length > LIMITS.idLength) {
    refuse(path, `must be an id of 1–${LIMITS.idLength} ${ID_ALPHABET}`);
  }
}

/** A single-line text of 1..max characters, trimmed, following the text rule. */
export function checkLine(value: unknown, path: string, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') refuse(path, 'is required');
  if (value.length > max) refuse(path, `must be at most ${max} characters`);
  const problem = textRuleViolation(value, 'singleLine');
  if (problem) refuse(path, problem);
}

/** A multi-line text of 1..max characters following the text rule. */
export function checkText(value: unknown, path: string, max: number = LIMITS.textLength): void {
  if (typeof value !== 'string' || value.trim() === '') refuse(path, 'is required');
  if (value.length > max) refuse(path, `must be at most ${max} characters`);
  const problem = textRuleViolation(value, 'multiLine');
  if (problem) refuse(path, problem);
}

export function checkActorId(value: unknown, path: string): void {
  if (typeof value !== 'string' || !ACTOR_ID_PATTERN.test(value) || value.length > LIMITS.actorIdLength) {
    refuse(path, `must be 1–${LIMITS.actorIdLength} printable ASCII characters without spaces`);
  }
}

export function checkEvidence(value: unknown, path: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (!Array.isArray(value)) refuse(path, 'must be a list of evidence references');
  if (required && value.length === 0) refuse(path, 'needs at least one piece of evidence');
  if (value.length > LIMITS.evidencePerCommand) refuse(path, `holds at most ${LIMITS.evidencePerCommand} items`);
  value.forEach((e, i) => checkLine(e, `${path}.${i}`, LIMITS.evidenceLength));
}

export function checkUnitList(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) refuse(path, 'must be a list');
  if (value.length > LIMITS.coOwnersPerTask) refuse(path, `holds at most ${LIMITS.coOwnersPerTask} units`);
  value.forEach((u, i) => checkLine(u, `${path}.${i}`, LIMITS.nameLength));
}

export function checkProblemInput(input: ProblemInput, path: string): void {
  if (!input || typeof input !== 'object') refuse(path, 'must be a problem');
  checkId(input.id, `${path}.id`);
  checkText(input.description, `${path}.description`);
  if (!SEVERITIES.includes(input.severity)) refuse(`${path}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
}

export function checkTaskInput(input: TaskInput, path: string): void {
  if (!input || typeof input !== 'object') refuse(path, 'must be a task');
  checkId(input.id, `${path}.id`);
  checkText(input.description, `${path}.description`);
  if (input.measures !== undefined) checkText(input.measures, `${path}.measures`);
  checkLine(input.ownerUnit, `${path}.ownerUnit`, LIMITS.nameLength);
  checkLine(input.ownerPerson, `${path}.ownerPerson`, LIMITS.nameLength);
  checkUnitList(input.coOwners, `${path}.coOwners`);
  if (!Array.isArray(input.problemIds) || input.problemIds.length === 0) refuse(`${path}.problemIds`, 'must name at least one problem');
  if (input.problemIds.length > LIMITS.problemIdsPerTask) {
    refuse(`${path}.problemIds`, `names at most ${LIMITS.problemIdsPerTask} problems`);
  }
  input.problemIds.forEach((id, i) => checkId(id, `${path}.problemIds.${i}`));
}

export function checkItemFields(input: ItemInput): void {
  checkId(input.id, 'id');
  if (input.planId !== undefined) checkId(input.planId, 'planId');
  checkLine(input.title, 'title', LIMITS.titleLength);
  if (input.source !== undefined) checkLine(input.source, 'source', LIMITS.titleLength);
  if (input.category !== undefined) checkLine(input.category, 'category', LIMITS.titleLength);
  if (!SUPERVISION_LEVELS.includes(input.supervisionLevel)) {
    refuse('supervisionLevel', `must be one of ${SUPERVISION_LEVELS.join(', ')}`);
  }
  checkActorId(input.leader?.id, 'leader.id');
  checkLine(input.leader?.name, 'leader.name', LIMITS.nameLength);
  if (!Array.isArray(input.problems) || input.problems.length === 0) refuse('problems', 'needs at least one problem');
  if (!Array.isArray(input.tasks) || input.tasks.length === 0) refuse('tasks', 'needs at least one task');
  if (input.problems.length > LIMITS.problemsPerItem) refuse('problems', `holds at most ${LIMITS.problemsPerItem} problems`);
  if (input.tasks.length > LIMITS.tasksPerItem) refuse('tasks', `holds at most ${LIMITS.tasksPerItem} tasks`);
  // whatever else the input holds (the policy, unknown fields) is clean text too
  assertCleanStrings(input.policy, 'policy');
}

/** The item as sent must fit the input budget: it is the workflow's first payload. */
export function assertItemInputSize(input: ItemInput): void {
  const bytes = jsonBytes(input);
  if (bytes > LIMITS.itemInputBytes) {
    throw new DomainError(
      'ITEM_TOO_LARGE',
      `the item takes ${kib(bytes)} KiB as JSON; an item may take ${kib(LIMITS.itemInputBytes)} KiB: split it into several items`,
      { bytes, limit: LIMITS.itemInputBytes },
    );
  }
}

/** One remembered request in the state's JSON: `{"id":"…","fingerprint":"…"},` at the longest ids. */
const REQUEST_ENTRY_BYTES = 2 * LIMITS.requestIdLength + 26;

/**
 * The state, with room for every open task's fields that have yet to appear
 * and for the requests it will remember,
 * must fit the state budget. Checked by every command that makes the item
 * bigger (creation, new problems and tasks, reassignment, extension requests),
 * never by progress or the clock, which the reserve already covers.
 */
export function assertStateBudget(state: ItemState): void {
  const requestsToCome = Math.max(0, LIMITS.requestMemory - state.appliedRequests.length);
  const reserve = state.tasks.filter(isTaskOpen).length * LIMITS.taskGrowthReserveBytes + requestsToCome * REQUEST_ENTRY_BYTES;
  // The calendar counts at its full allowance, so calendar updates may grow it up to that without ever
  // pushing the item past its budget. Items from before office rules keep the rule they were checked by.
  const calendar = state.policy.office ? LIMITS.calendarBytes - jsonBytes(state.calendar ?? null) : 0;
  const bytes = jsonBytes(state) + calendar + reserve;
  if (bytes > LIMITS.itemStateBytes) {
    throw new DomainError(
      'ITEM_TOO_LARGE',
      `the item would need ${kib(bytes)} KiB of its ${kib(LIMITS.itemStateBytes)} KiB state budget ` +
        `(${state.tasks.length} tasks, ${state.problems.length} problems): split it into several items`,
      { bytes, limit: LIMITS.itemStateBytes },
    );
  }
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}
