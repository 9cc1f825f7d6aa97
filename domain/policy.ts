/** The item's policy: defaults from DOMAIN.md, merged with what the leader set, then checked. */
import { tryParseDuration } from './duration';
import { DomainError } from './errors';
import { isValidTimeZone } from './local-time';
import { validateMonthly, validateWeekly } from './schedule';
import type { EscalationRung, ItemPolicy } from './types';

export const DEFAULT_POLICY: ItemPolicy = {
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

export function resolvePolicy(partial: Partial<ItemPolicy> | undefined): ItemPolicy {
  const policy: ItemPolicy = {
    timezone: partial?.timezone ?? DEFAULT_POLICY.timezone,
    weeklyDispatch: partial?.weeklyDispatch ?? DEFAULT_POLICY.weeklyDispatch,
    monthlyReview: partial?.monthlyReview ?? DEFAULT_POLICY.monthlyReview,
    warningLead: partial?.warningLead ?? DEFAULT_POLICY.warningLead,
    escalationLadder: partial?.escalationLadder ?? DEFAULT_POLICY.escalationLadder,
  };
  if (!isValidTimeZone(policy.timezone)) {
    throw new DomainError('VALIDATION_FAILED', `unknown timezone '${policy.timezone}'`, { path: 'policy.timezone' });
  }
  validateWeekly(policy.weeklyDispatch);
  validateMonthly(policy.monthlyReview);
  const lead = tryParseDuration(policy.warningLead);
  if (lead === undefined || lead > MAX_POLICY_DURATION_MS) {
    throw new DomainError('VALIDATION_FAILED', `warningLead '${policy.warningLead}' must be an ISO-8601 duration of at most a year`, {
      path: 'policy.warningLead',
    });
  }
  validateLadder(policy.escalationLadder);
  return policy;
}

/** Leads and rung offsets beyond a year are typos, and would push timers past any sane horizon. */
const MAX_POLICY_DURATION_MS = 366 * 24 * 3600 * 1000;
const MAX_RUNGS = 10;
const ROLES = ['ownerUnit', 'unitLeader', 'itemLeader', 'supervisionOffice'];

/**
 * Rungs must be reachable in order: strictly later offsets, levels that never
 * go down (two rungs may share a level: a reminder at the same level), and
 * someone to notify. The API shows this rule in its docs and leaves it here.
 */
function validateLadder(ladder: EscalationRung[]): void {
  if (!Array.isArray(ladder) || ladder.length === 0 || ladder.length > MAX_RUNGS) {
    throw new DomainError('VALIDATION_FAILED', `the escalation ladder needs 1 to ${MAX_RUNGS} rungs`, { path: 'policy.escalationLadder' });
  }
  let previousMs = -1;
  let previousLevel = 0;
  ladder.forEach((rung, i) => {
    const path = `policy.escalationLadder.${i}`;
    const ms = tryParseDuration(rung?.after);
    if (ms === undefined || ms > MAX_POLICY_DURATION_MS) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1}: '${rung?.after}' must be an ISO-8601 duration of at most a year`, { path });
    }
    if (ms <= previousMs) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1} must come strictly after rung ${i}`, { path });
    }
    if (!Number.isInteger(rung.level) || rung.level < 1 || rung.level > MAX_RUNGS || rung.level < previousLevel) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1}: level must be an integer from 1 to ${MAX_RUNGS}, not below the previous rung`, { path });
    }
    if (!Array.isArray(rung.notify) || rung.notify.length === 0 || rung.notify.some((r) => !ROLES.includes(r))) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1} must notify one or more of ${ROLES.join(', ')}`, { path });
    }
    previousMs = ms;
    previousLevel = rung.level;
  });
}
