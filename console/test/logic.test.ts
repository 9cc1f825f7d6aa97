/** Pure parts: problem details to readable lines and form fields, the timeline, the dashboard's trend. */
import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from '../src/api/field-errors';
import { ApiError, describeError } from '../src/api/problem';
import { openProblemTrend, startOfWeek } from '../src/pages/dashboard-data';
import { buildTimeline } from '../src/pages/timeline';

describe('problem details', () => {
  const err = new ApiError(422, {
    title: 'Against a rule', detail: 'tasks.1.ownerUnit: unknown unit', code: 'VALIDATION_FAILED', requestId: 'r-9',
    errors: [{ path: 'body.tasks.1.ownerUnit', message: 'unknown unit' }, { path: 'x', message: 'bad', row: 5, column: '责任单位' }],
  });
  it('reads as title, detail, each field and the request id', () => {
    expect(describeError(err)).toEqual({
      title: 'Against a rule', detail: 'tasks.1.ownerUnit: unknown unit', fields: ['body.tasks.1.ownerUnit: unknown unit', '5 责任单位: bad'], requestId: 'r-9',
    });
  });
  it('maps paths to form field names', () => {
    expect(fieldErrorsOf(err)).toEqual([{ name: ['tasks', 1, 'ownerUnit'], errors: ['unknown unit'] }, { name: ['x'], errors: ['bad'] }]);
  });
  it('a body that is not problem details still reads', () => {
    expect(describeError(ApiError.from(502, '')).title).toBe('HTTP 502');
  });
});

describe('timeline', () => {
  it('merges every record newest first', () => {
    const entries = buildTimeline({
      audit: { events: [{ itemId: 'i', seq: 1, at: '2027-01-01T00:00:00Z', actor: { id: 'a', name: 'A', role: 'leader' }, action: 'itemCreated', details: {} }] },
      escalations: { escalations: [{ itemId: 'i', taskId: 'T1', ownerUnit: 'u', dueAt: '2027-01-02T00:00:00Z', rung: 0, level: 1, notify: ['ownerUnit'], firedAt: '2027-01-03T00:00:00Z' }] },
      dispatches: { dispatches: [{ itemId: 'i', seq: 1, at: '2027-01-04T01:00:00Z', openTasks: 1, staleTasks: 0, overdueTasks: 1, lines: [] }] },
      notifications: { notifications: [{ key: 'k', itemId: 'i', taskId: 'T1', kind: 'warning', recipientRole: 'ownerUnit', recipient: 'u', reason: 'due soon', firedAt: '2027-01-01T12:00:00Z', createdAt: '2027-01-01T12:00:00Z', deliveredAt: null }] },
    });
    expect(entries.map((e) => e.kind)).toEqual(['dispatch', 'escalation', 'warning', 'action']);
  });
});

describe('dashboard figures', () => {
  it('counts a problem open for each unit with a task on it until it closed', () => {
    const now = Date.parse('2027-03-01T00:00:00Z');
    const week = 7 * 86_400_000;
    const report = {
      lists: {
        problems: [
          { itemId: 'i1', id: 'P1', description: '', severity: 'low', status: 'closed', closedAt: new Date(now - 2 * week + 1000).toISOString() },
          { itemId: 'i1', id: 'P2', description: '', severity: 'low', status: 'open', closedAt: null },
        ],
        tasks: [{ itemId: 'i1', id: 'T1', problemIds: ['P1', 'P2'], description: '', measures: null, status: 'inProgress' }],
        responsibilities: [{ taskId: 'T1', itemId: 'i1', ownerUnit: 'u1', ownerPerson: 'x', coOwners: [] }],
        timeLimits: [],
      },
    } as never;
    const trend = openProblemTrend(report, new Map([['i1', new Date(now - 5 * week).toISOString()]]), 4, now);
    expect(trend.series).toEqual([{ unit: 'u1', points: [2, 2, 1, 1] }]);
  });
  it('the week starts on Monday', () => {
    expect(startOfWeek(new Date(2026, 10, 29, 15)).getDay()).toBe(1);
  });
});
