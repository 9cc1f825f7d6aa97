import { parseInstant, resolveDeadline } from '../../domain/deadline';
import type { DeadlineSpec } from '../../domain/types';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { codeOf } from './item-builders';

const CAL = statutoryCalendar();

const SH = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 1, 10, 1, 0); // Tue 2026-02-10 09:00 in Shanghai

describe('resolveDeadline: instant', () => {
  it('normalises an offset date-time to UTC and keeps the spec', () => {
    const spec: DeadlineSpec = { kind: 'instant', at: '2026-03-01T18:00:00+08:00' };
    expect(resolveDeadline(spec, NOW, SH, CAL)).toEqual({
      dueAt: '2026-03-01T10:00:00.000Z',
      spec,
      resolvedAt: '2026-02-10T01:00:00.000Z',
      basis: 'fixed instant',
    });
  });

  it('accepts Z, fractions and minutes-only forms', () => {
    expect(resolveDeadline({ kind: 'instant', at: '2026-03-01T10:00Z' }, NOW, SH, CAL).dueAt).toBe('2026-03-01T10:00:00.000Z');
    expect(resolveDeadline({ kind: 'instant', at: '2026-03-01T10:00:00.250Z' }, NOW, SH, CAL).dueAt).toBe(
      '2026-03-01T10:00:00.250Z',
    );
  });

  it('does not refuse a past instant (the caller decides)', () => {
    expect(resolveDeadline({ kind: 'instant', at: '2020-01-01T00:00:00Z' }, NOW, SH, CAL).dueAt).toBe('2020-01-01T00:00:00.000Z');
  });

  it.each([
    'garbage',
    '',
    '2026-03-01', // date only: would silently mean midnight UTC
    '2026-03-01T10:00:00', // no offset: host-dependent
    '2026-02-31T00:00:00Z', // Date.parse would roll into March
    '2026-03-01T24:00:00Z',
    'March 1, 2026 10:00 GMT+8',
    '2026-03-01t10:00:00z', // the API schema refuses lower case too
    '2026-03-01T10:00:00+0800',
  ])('refuses %p with VALIDATION_FAILED', (at) => {
    expect(codeOf(() => resolveDeadline({ kind: 'instant', at }, NOW, SH, CAL))).toBe('VALIDATION_FAILED');
  });

  it('parseInstant names the field in its message', () => {
    expect(() => parseInstant('soon', 'newDeadline')).toThrow(/newDeadline 'soon'/);
  });
});

describe('resolveDeadline: working days', () => {
  it('counts on the statutory calendar from now, in the item zone', () => {
    const r = resolveDeadline({ kind: 'workingDays', days: 10 }, NOW, SH, CAL);
    expect(r.dueAt).toBe('2026-03-02T15:59:59.000Z');
    expect(r.resolvedAt).toBe('2026-02-10T01:00:00.000Z');
    expect(r.spec).toEqual({ kind: 'workingDays', days: 10 });
    expect(r.basis).toContain('2026-02-15…2026-02-23 (Spring Festival)');
  });

  it('refuses bad day counts and unknown kinds', () => {
    expect(codeOf(() => resolveDeadline({ kind: 'workingDays', days: 0 }, NOW, SH, CAL))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => resolveDeadline({ kind: 'workingDays', days: 2.5 }, NOW, SH, CAL))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => resolveDeadline({ kind: 'calendarDays', days: 3 } as unknown as DeadlineSpec, NOW, SH, CAL))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
