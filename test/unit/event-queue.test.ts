/** The clock's min-heap (domain/event-queue.ts) against a plain sort: same order, whatever the pushes and pops. */
import fc from 'fast-check';
import { EventQueue, type QueuedEvent } from '../../domain/event-queue';

interface Tagged extends QueuedEvent {
  tag: number;
}

/** The order the clock promises: earlier first; at one instant lower `order`; then lower `index`. */
function compare(a: QueuedEvent, b: QueuedEvent): number {
  return a.at - b.at || a.order - b.order || a.index - b.index;
}
const key = (e: QueuedEvent) => `${e.at}/${e.order}/${e.index}`;

// few distinct values, so ties at every level are common
const event = fc.record({
  at: fc.integer({ min: 0, max: 20 }),
  order: fc.integer({ min: 0, max: 4 }),
  index: fc.integer({ min: 0, max: 30 }),
});

function drain<E extends QueuedEvent>(queue: EventQueue<E>): E[] {
  const out: E[] = [];
  for (let e = queue.pop(); e; e = queue.pop()) out.push(e);
  return out;
}

describe('EventQueue', () => {
  it('is empty when built from nothing', () => {
    const q = new EventQueue<QueuedEvent>();
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
    expect(q.pop()).toBeUndefined();
  });

  it('orders by instant, then order, then index', () => {
    const q = new EventQueue<QueuedEvent>([
      { at: 2, order: 0, index: 0 },
      { at: 1, order: 2, index: 0 },
      { at: 1, order: 1, index: 5 },
      { at: 1, order: 1, index: 3 },
      { at: 0, order: 4, index: 9 },
    ]);
    expect(drain(q).map(key)).toEqual(['0/4/9', '1/1/3', '1/1/5', '1/2/0', '2/0/0']);
  });

  it('does not keep a reference to the array it was built from', () => {
    const events = [{ at: 3, order: 0, index: 0 }, { at: 1, order: 0, index: 0 }];
    const q = new EventQueue(events);
    q.pop();
    expect(events).toHaveLength(2);
    expect(q.size).toBe(1);
  });

  it('property: draining a heap built from any events gives the sorted order', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), (events) => {
        const drained = drain(new EventQueue(events));
        expect(drained.map(key)).toEqual([...events].sort(compare).map(key));
      }),
      { numRuns: 500 },
    );
  });

  it('property: pushes and pops interleaved behave like a sorted list; every event comes out once', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: event.map((e) => ({ push: e })) },
      { weight: 2, arbitrary: fc.constant({ pop: true as const }) },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 50 }), fc.array(op, { maxLength: 200 }), (initial, ops) => {
        let tag = 0;
        const tagged = (e: QueuedEvent): Tagged => ({ ...e, tag: tag++ });
        const start = initial.map(tagged);
        const queue = new EventQueue<Tagged>(start);
        const model: Tagged[] = [...start];
        const popped: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            const e = tagged(o.push);
            queue.push(e);
            model.push(e);
          } else {
            model.sort(compare);
            const expected = model.shift();
            expect(queue.peek() && key(queue.peek()!)).toBe(expected && key(expected));
            const got = queue.pop();
            expect(got && key(got)).toBe(expected && key(expected));
            if (got) popped.push(got.tag);
          }
          expect(queue.size).toBe(model.length);
        }
        const rest = drain(queue);
        expect(rest.map(key)).toEqual([...model].sort(compare).map(key));
        // nothing lost, nothing duplicated
        const all = [...popped, ...rest.map((e) => e.tag)].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: tag }, (_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it('handles many equal events and a large heap', () => {
    const n = 20_000;
    const events = Array.from({ length: n }, (_, i) => ({ at: 5, order: (i * 7) % 3, index: (i * 7919) % n }));
    const drained = drain(new EventQueue(events));
    expect(drained).toHaveLength(n);
    for (let i = 1; i < n; i++) expect(compare(drained[i - 1]!, drained[i]!)).toBeLessThanOrEqual(0);
  });
});
