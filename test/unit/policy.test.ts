import { DEFAULT_OFFICE_RULES, DEFAULT_POLICY, LEGACY_DEFAULT_POLICY, resolvePolicy, withOfficeRules } from '../../domain/policy';
import type { EscalationRung, ItemPolicy } from '../../domain/types';
import { codeOf } from './item-builders';

describe('DEFAULT_POLICY', () => {
  it('counts office time: the warning 3 working days ahead, rungs after 3 and 5 working days, the office rules', () => {
    expect(DEFAULT_POLICY).toEqual({
      timezone: 'Asia/Shanghai',
      weeklyDispatch: { weekday: 1, time: '09:00' },
      monthlyReview: { day: 1, time: '09:00' },
      warningLead: { workingDays: 3 },
      escalationLadder: [
        { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
        { after: { workingDays: 3 }, level: 2, notify: ['unitLeader'] },
        { after: { workingDays: 5 }, level: 3, notify: ['itemLeader', 'supervisionOffice'] },
      ],
      office: {
        roundsOnWorkingDays: true,
        staleMinWorkingDays: 3,
        reviewLadder: [
          { after: { workingDays: 3 }, notify: ['itemLeader'] },
          { after: { workingDays: 5 }, notify: ['itemLeader', 'supervisionOffice'] },
        ],
      },
    });
  });

  it('items started before office rules keep the calendar-day policy they started with', () => {
    expect(LEGACY_DEFAULT_POLICY).toEqual({
      timezone: 'Asia/Shanghai',
      weeklyDispatch: { weekday: 1, time: '09:00' },
      monthlyReview: { day: 1, time: '09:00' },
      warningLead: 'P3D',
      escalationLadder: [
        { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
        { after: 'P3D', level: 2, notify: ['unitLeader'] },
        { after: 'P7D', level: 3, notify: ['itemLeader', 'supervisionOffice'] },
      ],
    });
  });
});

describe('resolvePolicy', () => {
  it('returns the legacy defaults for a policy without office rules (how old histories replay)', () => {
    expect(resolvePolicy(undefined)).toEqual(LEGACY_DEFAULT_POLICY);
    expect(resolvePolicy({})).toEqual(LEGACY_DEFAULT_POLICY);
  });

  it('returns the office defaults once the office rules are asked for, as the API does for every new item', () => {
    expect(resolvePolicy(withOfficeRules(undefined))).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy(withOfficeRules({ office: { staleMinWorkingDays: 1 } })).office).toEqual({ ...DEFAULT_OFFICE_RULES, staleMinWorkingDays: 1 });
  });

  it.each([
    ['working days out of range', { warningLead: { workingDays: 0 } }, /warningLead must be \{ workingDays/],
    ['a working-day offset with a stray key', { escalationLadder: [{ after: { workingDays: 2, hours: 3 }, level: 1, notify: ['ownerUnit'] }] }, /rung 1: must be/],
    ['a working-day offset at a bad time', { escalationLadder: [{ after: { workingDays: 2, at: '25:00' }, level: 1, notify: ['ownerUnit'] }] }, /\.at must be a local time/],
    ['rungs out of order across forms', { escalationLadder: [{ after: 'P4D', level: 1, notify: ['ownerUnit'] }, { after: { workingDays: 3 }, level: 2, notify: ['unitLeader'] }] }, /rung 2 must come strictly after rung 1/],
    ['a review rung to the owner unit', { office: { reviewLadder: [{ after: { workingDays: 3 }, notify: ['ownerUnit'] }] } }, /review rung 1 must notify one or more of itemLeader, supervisionOffice/],
    ['a stale threshold over a week', { office: { staleMinWorkingDays: 6 } }, /staleMinWorkingDays/],
    ['a follow-up without a span', { office: { followUp: {} } }, /followUp.after/],
  ])('refuses %s', (_label, policy, message) => {
    expect(() => resolvePolicy(withOfficeRules(policy as never))).toThrow(message);
  });

  it('keeps every field that was set and defaults the rest', () => {
    const ladder: EscalationRung[] = [
      { after: 'PT30S', level: 1, notify: ['ownerUnit'] },
      { after: 'PT1M', level: 1, notify: ['unitLeader'] },
      { after: 'P2W', level: 4, notify: ['supervisionOffice'] },
    ];
    const set: Partial<ItemPolicy> = {
      timezone: 'America/New_York',
      weeklyDispatch: { weekday: 5, time: '16:30' },
      warningLead: 'P1DT12H',
      escalationLadder: ladder,
    };
    expect(resolvePolicy(set)).toEqual({ ...set, monthlyReview: LEGACY_DEFAULT_POLICY.monthlyReview });
  });

  const rung = (after: string, level: number, notify: EscalationRung['notify'] = ['ownerUnit']): EscalationRung => ({ after, level, notify });

  it('accepts a zero warning lead, and durations of up to a year (366 days)', () => {
    expect(resolvePolicy({ warningLead: 'PT0S' })).toMatchObject({ warningLead: 'PT0S' });
    expect(resolvePolicy({ warningLead: 'P366D', escalationLadder: [rung('P366D', 1)] })).toMatchObject({
      warningLead: 'P366D', escalationLadder: [rung('P366D', 1)],
    });
  });

  it('accepts ten rungs, levels that stay equal (a reminder at the same level), and level 10', () => {
    const ladder = Array.from({ length: 10 }, (_, i) => rung(`P${i}D`, i < 3 ? 1 : i + 1));
    expect(ladder[ladder.length - 1]!.level).toBe(10);
    expect(resolvePolicy({ escalationLadder: ladder }).escalationLadder).toEqual(ladder);
  });

  it.each<[string, Partial<ItemPolicy>, RegExp]>([
    ['an unknown timezone', { timezone: 'Mars/Olympus' }, /unknown timezone/],
    ['a weekday out of range', { weeklyDispatch: { weekday: 8, time: '09:00' } }, /weekday/],
    ['a review day the 31st', { monthlyReview: { day: 31, time: '09:00' } }, /day must be an integer 1 to 28/],
    ['a bad time', { weeklyDispatch: { weekday: 1, time: '25:00' } }, /./],
    ['a warning lead in months', { warningLead: 'P1M' }, /warningLead 'P1M'/],
    ['a warning lead that is not a duration', { warningLead: '3 days' }, /warningLead/],
    ['a rung offset in months', { escalationLadder: [rung('P1M', 1)] }, /rung 1: 'P1M'/],
    ['a rung offset in years', { escalationLadder: [rung('P1Y', 1)] }, /rung 1/],
    ['decreasing offsets', { escalationLadder: [rung('P3D', 1), rung('P1D', 2)] }, /rung 2 must come strictly after rung 1/],
    ['equal offsets', { escalationLadder: [rung('PT0S', 1), rung('PT0S', 2)] }, /rung 2 must come strictly after/],
    ['equal offsets written differently', { escalationLadder: [rung('P1D', 1), rung('PT24H', 2)] }, /rung 2 must come strictly after/],
    ['a decreasing level', { escalationLadder: [rung('PT0S', 2), rung('P1D', 1)] }, /level/],
    ['a level 0', { escalationLadder: [rung('PT0S', 0)] }, /level/],
    ['a fractional level', { escalationLadder: [rung('PT0S', 1.5)] }, /level/],
    ['a rung that notifies nobody', { escalationLadder: [rung('PT0S', 1, [])] }, /rung 1 must notify one or more of/],
    ['a rung that notifies an unknown role', { escalationLadder: [rung('PT0S', 1, ['mayor' as never])] }, /rung 1 must notify/],
    ['an empty ladder (no escalation at all)', { escalationLadder: [] }, /needs 1 to 10 rungs/],
    ['eleven rungs', { escalationLadder: Array.from({ length: 11 }, (_, i) => rung(`P${i}D`, 1)) }, /needs 1 to 10 rungs/],
    ['a level above 10', { escalationLadder: [rung('PT0S', 11)] }, /level must be an integer from 1 to 10/],
    ['a warning lead over a year', { warningLead: 'P367D' }, /warningLead 'P367D' must be an ISO-8601 duration of at most a year/],
    ['a rung offset over a year', { escalationLadder: [rung('PT0S', 1), rung('P367D', 2)] }, /rung 2: 'P367D'/],
  ])('refuses %s with VALIDATION_FAILED', (_name, partial, message) => {
    expect(codeOf(() => resolvePolicy(partial))).toBe('VALIDATION_FAILED');
    expect(() => resolvePolicy(partial)).toThrow(message);
  });
});
