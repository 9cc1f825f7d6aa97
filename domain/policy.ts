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
  if (tryParseDuration(policy.warningLead) === undefined) {
    throw new DomainError('VALIDATION_FAILED', `warningLead '${policy.warningLead}' is not a supported ISO-8601 duration`, {
      path: 'policy.warningLead',
    });
  }
  validateLadder(policy.escalationLadder);
  return policy;
}

/** Rungs must be reachable in order: strictly later offsets, non-decreasing levels, someone to notify. */
function validateLadder(ladder: EscalationRung[]): void {
  let previousMs = -1;
  let previousLevel = 0;
  ladder.forEach((rung, i) => {
    const path = `policy.escalationLadder.${i}`;
    const ms = tryParseDuration(rung.after);
    if (ms === undefined) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1}: '${rung.after}' is not a supported ISO-8601 duration`, { path });
    }
    if (ms <= previousMs) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1} must come strictly after rung ${i}`, { path });
    }
    if (!Number.isInteger(rung.level) || rung.level < 1 || rung.level < previousLevel) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1}: level must be an integer ≥ 1 and not below the previous rung`, { path });
    }
    if (rung.notify.length === 0) {
      throw new DomainError('VALIDATION_FAILED', `rung ${i + 1} notifies nobody`, { path });
    }
    previousMs = ms;
    previousLevel = rung.level;
  });
}
