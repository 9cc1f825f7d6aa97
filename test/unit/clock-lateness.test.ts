/**
 * The lateness histogram measures fired − due: the workflow time an event
 * fired at minus the instant the rules meant it to fire, never the wake's own
 * timer, another event of the same wake, or the time the save landed; and a
 * save that lands again (a retry) observes nothing twice.
 */
import { createItemState } from '../../domain/create-item';
import { SaveTracker } from '../../domain/item-changes';
import { statutoryCalendar } from '../../domain/statutory-calendar';
import { advanceClock } from '../../domain/timeline';
import { createWorkerMetrics } from '../../metrics/worker-metrics';
import { HOUR, itemInput, LEADER, MINUTE, NOW, taskInput } from './item-builders';

const DUE = Date.parse('2026-03-10T02:00:00.000Z');

async function histogram(registry: ReturnType<typeof createWorkerMetrics>['registry'], kind: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'rect_clock_event_lateness_seconds')!;
  const of = (suffix: string) =>
    metric.values.find((v) => (v as { metricName?: string }).metricName === `rect_clock_event_lateness_seconds_${suffix}` && v.labels.kind === kind)?.value;
  return { count: of('count'), sum: of('sum') };
}

describe('clock event lateness', () => {
  test('a wake long after its timer: each event is late by (wake − its own due instant), whenever the save lands, and once', async () => {
    const created = createItemState(
      itemInput({
        tasks: [taskInput('t1', { deadline: { kind: 'instant', at: new Date(DUE).toISOString() } })],
        problems: [{ id: 'p1', description: 'problem p1', severity: 'high' }],
        policy: {
          warningLead: 'PT1H',
          escalationLadder: [
            { after: 'PT0S', level: 1, notify: ['ownerUnit'] },
            { after: 'PT1H', level: 2, notify: ['itemLeader'] },
          ],
        },
      }),
      LEADER, NOW, statutoryCalendar(),
    );
    // the worker was down: its first wake comes 2 h 90 s after the deadline, when four events are due
    const wake = DUE + 2 * HOUR + 90_000;
    const fired = advanceClock(created.state, wake);
    const tracker = new SaveTracker();
    tracker.add(created.records);
    tracker.add(fired.records);
    const changes = tracker.take(fired.state, wake)!;
    const clock = changes.auditEvents.filter((e) => ['deadlineWarning', 'deadlineMissed', 'escalated'].includes(e.action));
    expect(clock.map((e) => [e.action, e.details.scheduledAt])).toEqual([
      ['deadlineWarning', new Date(DUE - HOUR).toISOString()],
      ['deadlineMissed', new Date(DUE).toISOString()],
      ['escalated', new Date(DUE).toISOString()],
      ['escalated', new Date(DUE + HOUR).toISOString()],
    ]);

    const metrics = createWorkerMetrics();
    // the save lands 5 minutes after the wake: the save time is no part of how late the clock was
    metrics.saveLanded(changes, { itemRowWritten: true, auditEvents: changes.auditEvents }, wake + 5 * MINUTE);
    // its retry lands nothing new
    metrics.saveLanded(changes, { itemRowWritten: false, auditEvents: [] }, wake + 6 * MINUTE);
    expect(await histogram(metrics.registry, 'warning')).toEqual({ count: 1, sum: 3 * 3600 + 90 });
    expect(await histogram(metrics.registry, 'overdue')).toEqual({ count: 1, sum: 2 * 3600 + 90 });
    // rung 1 was due at the deadline, rung 2 an hour later: not both from the wake's timer (the warning's instant)
    expect(await histogram(metrics.registry, 'escalation')).toEqual({ count: 2, sum: 2 * 3600 + 90 + 3600 + 90 });
  });

  test('an event fired on time is zero late, not the time its timer was started', async () => {
    const created = createItemState(
      itemInput({
        tasks: [taskInput('t1', { deadline: { kind: 'instant', at: new Date(DUE).toISOString() } })],
        problems: [{ id: 'p1', description: 'problem p1', severity: 'high' }],
        policy: { warningLead: 'PT0S', escalationLadder: [{ after: 'PT1H', level: 1, notify: ['ownerUnit'] }] },
      }),
      LEADER, NOW, statutoryCalendar(),
    );
    const fired = advanceClock(created.state, DUE);
    const missed = fired.records.auditEvents.filter((e) => e.action === 'deadlineMissed');
    const metrics = createWorkerMetrics();
    metrics.saveLanded({ asOf: new Date(DUE).toISOString() }, { itemRowWritten: true, auditEvents: missed }, DUE + MINUTE);
    expect(await histogram(metrics.registry, 'overdue')).toEqual({ count: 1, sum: 0 });
  });
});
