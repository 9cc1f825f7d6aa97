/** The records an item produces besides its state (domain/item-records.ts). */
import { appendRecords, emptyRecords, hasRecords, RECORD_KINDS } from '../../domain/item-records';
import { buildAuditEvent, buildNotification } from '../support/fixtures';

describe('item records', () => {
  it('an empty set of records has every kind, each empty', () => {
    const r = emptyRecords();
    expect(Object.keys(r).sort()).toEqual([...RECORD_KINDS].sort());
    expect(RECORD_KINDS.every((k) => r[k].length === 0)).toBe(true);
    expect(hasRecords(r)).toBe(false);
    // a fresh object each time: appending to one never shows in another
    appendRecords(r, { taskTexts: [{ taskId: 't1', description: 'x' }] });
    expect(emptyRecords().taskTexts).toEqual([]);
  });

  it('any one record of any kind counts', () => {
    for (const kind of RECORD_KINDS) {
      const r = emptyRecords();
      (r[kind] as unknown[]).push({});
      expect(hasRecords(r)).toBe(true);
    }
  });

  it('appends in place, in order, kind by kind, and returns its target', () => {
    const into = emptyRecords();
    into.auditEvents.push(buildAuditEvent({ seq: 1 }));
    const out = appendRecords(into, {
      auditEvents: [buildAuditEvent({ seq: 2 }), buildAuditEvent({ seq: 3 })],
      notifications: [buildNotification({ key: 'k' })],
      problemTexts: [{ problemId: 'p1', description: 'd' }],
    });
    expect(out).toBe(into);
    expect(into.auditEvents.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(into.notifications.map((n) => n.key)).toEqual(['k']);
    expect(into.problemTexts).toEqual([{ problemId: 'p1', description: 'd' }]);
    expect(into.escalations).toEqual([]);
  });
});
