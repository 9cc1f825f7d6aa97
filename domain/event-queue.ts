/**
 * A binary min-heap of timed events: the clock pops what is due in order and
 * pushes what follows, so n events due together cost O(n log n), not a full
 * rebuild and sort per fired event. Pure, deterministic, sandbox-safe.
 */
export interface QueuedEvent {
  at: number;
  /** ties at the same instant: lower first */
  order: number;
  /** ties at the same instant and order: lower first (a task's position in the item) */
  index: number;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at !== b.at ? a.at < b.at : a.order !== b.order ? a.order < b.order : a.index < b.index;
}

export class EventQueue<E extends QueuedEvent> {
  private readonly heap: E[];

  constructor(events: E[] = []) {
    this.heap = [...events];
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.heap.length;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  push(event: E): void {
    this.heap.push(event);
    this.up(this.heap.length - 1);
  }

  pop(): E | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length > 0 && last !== undefined) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < h.length && before(h[l]!, h[least]!)) least = l;
      if (r < h.length && before(h[r]!, h[least]!)) least = r;
      if (least === i) return;
      [h[i], h[least]] = [h[least]!, h[i]!];
      i = least;
    }
  }
}
