/**
 * The item's policy: defaults merged with what the leader set, then checked.
 *
 * Two sets of defaults: items with office rules (`policy.office`, every item
 * created since they exist) count warnings and rungs in working days; items
 * started before keep the calendar-day defaults they started with, since the
 * workflow resolves the policy again when it replays their history.
 */
import { DomainError } from './errors';
import { isValidTimeZone } from './local-time';
import { isWorkingDayOffset, nominalMs, validateOffset } from './office-time';
import { validateMonthly, validateWeekly } from './schedule';
import type { EscalationRung, ItemPolicy, OfficeRules, Offset, PolicyInput, RecipientRole, ReviewRung } from './types';

export const DEFAULT_OFFICE_RULES: OfficeRules = {
  roundsOnWorkingDays: true,
  staleMinWorkingDays: 3,
  reviewLadder: [
    { after: { workingDays: 3 }, notify: ['itemLeader'] },
    { after: { workingDays: 5 }, notify: ['itemLeader', 'supervisionOffice'] },
  ],
};

export const DEFAULT_POLICY: ItemPolicy = {
  timezone: 'Asia/Shanghai',
  weeklyDispatch: { weekday: 1, time: '09:00' },
  monthlyReview: { day: 1, time: '09:00' },
  warningLead: { workingDays: 3 },
  escalationLadder: [
    { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
    { after: { workingDays: 3 }, level: 2, notify: ['unitLeader'] },
    { after: { workingDays: 5 }, level: 3, notify: ['itemLeader', 'supervisionOffice'] },
  ],
  office: DEFAULT_OFFICE_RULES,
};

/** What items started before office rules resolved to: kept so their histories replay as they ran. */
export const LEGACY_DEFAULT_POLICY: ItemPolicy = {
  timezone: 'Asia/Shanghai',
  weeklyDispatch: { weekday: 1, time: '09:00' },
  monthlyReview: { day: 1, time: '09:00' },
  warningLead: 'P3D',
  escalationLadder: [
    { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
    { after: 'P3D', level: 2, notify: ['unitLeader'] },
    { after: 'P7D', level: 3, notify: ['itemLeader', 'supervisionOffice'] },
  ],
};

/** A new item's policy as the API starts it: with office rules, whatever the leader left out. */
export function withOfficeRules(partial: PolicyInput | undefined): PolicyInput {
  return { ...partial, office: { ...DEFAULT_OFFICE_RULES, ...partial?.office } };
}

export function resolvePolicy(partial: PolicyInput | undefined): ItemPolicy {
  const defaults = partial?.office !== undefined ? DEFAULT_POLICY : LEGACY_DEFAULT_POLICY;
  const policy: ItemPolicy = {
    timezone: partial?.timezone ?? defaults.timezone,
    weeklyDispatch: partial?.weeklyDispatch ?? defaults.weeklyDispatch,
    monthlyReview: partial?.monthlyReview ?? defaults.monthlyReview,
    warningLead: partial?.warningLead ?? defaults.warningLead,
    escalationLadder: partial?.escalationLadder ?? defaults.escalationLadder,
  };
  if (partial?.office !== undefined) policy.office = { ...DEFAULT_OFFICE_RULES, ...partial.office };
  if (!isValidTimeZone(policy.timezone)) {
    throw new DomainError('VALIDATION_FAILED', `unknown timezone '${policy.timezone}'`, { path: 'policy.timezone' });
  }
  validateWeekly(policy.weeklyDispatch);
  validateMonthly(policy.monthlyReview);
  validateOffset(policy.warningLead, 'policy.warningLead', MAX_POLICY_DURATION_MS, 'warningLead');
  validateLadder(policy.escalationLadder);
  if (policy.office) validateOffice(policy.office);
  return policy;
}

/** Leads and rung offsets beyond a year are typos, and would push timers past any sane horizon. */
const MAX_POLICY_DURATION_MS = 366 * 24 * 3600 * 1000;
const MAX_RUNGS = 10;
const ROLES: RecipientRole[] = ['ownerUnit', 'unitLeader', 'itemLeader', 'supervisionOffice'];

function validateNotify(notify: unknown, roles: RecipientRole[], path: string, what: string): void {
  if (!Array.isArray(notify) || notify.length === 0 || notify.some((r) => !roles.includes(r))) {
    throw new DomainError('VALIDATION_FAILED', `${what} must notify one or more of ${roles.join(', ')}`, { path });
  }
}

/**
 * Offsets in order, each later than the one before. A ladder counts in one
 * kind of time (after a first rung at `PT0S`, if it has one): a working day and
 * a calendar duration cannot be put in order once for every deadline, and a rung
 * is planned only once the one before it has fired.
 */
function validateOrder(offsets: Offset[], path: (i: number) => string, maxMs: number, what = 'rung'): void {
  let previousMs = -1;
  let form: 'workingDays' | 'duration' | undefined;
  offsets.forEach((after, i) => {
    validateOffset(after, path(i), maxMs, `${what} ${i + 1}:`);
    const ms = nominalMs(after);
    if (ms <= previousMs) throw new DomainError('VALIDATION_FAILED', `${what} ${i + 1} must come strictly after ${what} ${i}`, { path: path(i) });
    const kind = isWorkingDayOffset(after) ? 'workingDays' : 'duration';
    if (ms > 0 && form !== undefined && kind !== form) {
      throw new DomainError('VALIDATION_FAILED', `${what} ${i + 1} counts in ${kind === 'workingDays' ? 'working days' : 'calendar time'} while the ${what}s before it count in the other: use one kind of time in a ladder (a first rung may be PT0S)`, { path: path(i) });
    }
    if (ms > 0) form = kind;
    previousMs = ms;
  });
}

/**
 * Rungs must be reachable in order: strictly later offsets, levels that never
 * go down (two rungs may share a level: a reminder at the same level), and
 * someone to notify. The API shows this rule in its docs and leaves it here.
 */
function validateLadder(ladder: EscalationRung[]): void {
  if (!Array.isArray(ladder) || ladder.length === 0 || ladder.length > MAX_RUNGS) {
    throw new DomainError('VALIDATION_FAILED', `the escalation ladder needs 1 to ${MAX_RUNGS} rungs`, { path: 'policy.escalationLadder' });
  }
  validateOrder(ladder.map((r) => r?.after), (i) => `policy.escalationLadder.${i}`, MAX_POLICY_DURATION_MS);
  let previousLevel = 0;
  ladder.forEach((rung, i) => {
    const path = `policy.escalationLadder.${i}`;
    if (!Number.isInteger(rung.level) || rung.level < 1 || rung.level > MAX_RUNGS || rung.level < previousLevel) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1}: level must be an integer from 1 to ${MAX_RUNGS}, not below the previous rung`, { path });
    }
    validateNotify(rung.notify, ROLES, path, `rung ${i + 1}`);
    previousLevel = rung.level;
  });
}

function validateOffice(office: OfficeRules): void {
  if (typeof office.roundsOnWorkingDays !== 'boolean') {
    throw new DomainError('VALIDATION_FAILED', 'policy.office.roundsOnWorkingDays must be true or false', { path: 'policy.office.roundsOnWorkingDays' });
  }
  const stale = office.staleMinWorkingDays;
  if (!Number.isInteger(stale) || stale < 0 || stale > 5) {
    throw new DomainError('VALIDATION_FAILED', 'policy.office.staleMinWorkingDays must be an integer from 0 to 5', { path: 'policy.office.staleMinWorkingDays' });
  }
  const ladder: ReviewRung[] = office.reviewLadder;
  if (!Array.isArray(ladder) || ladder.length > MAX_RUNGS) {
    throw new DomainError('VALIDATION_FAILED', `the review ladder has at most ${MAX_RUNGS} rungs`, { path: 'policy.office.reviewLadder' });
  }
  validateOrder(ladder.map((r) => r?.after), (i) => `policy.office.reviewLadder.${i}`, MAX_POLICY_DURATION_MS, 'review rung');
  // an owner's unit has nothing to do while the leader reviews: reminders go to the leader's side
  ladder.forEach((r, i) => validateNotify(r.notify, ['itemLeader', 'supervisionOffice'], `policy.office.reviewLadder.${i}`, `review rung ${i + 1}`));
  if (office.followUp !== undefined) {
    if (typeof office.followUp !== 'object' || office.followUp === null) {
      throw new DomainError('VALIDATION_FAILED', 'policy.office.followUp must be { after }', { path: 'policy.office.followUp' });
    }
    validateOffset(office.followUp.after, 'policy.office.followUp.after', MAX_POLICY_DURATION_MS, 'followUp.after');
  }
}
