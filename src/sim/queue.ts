// The simulator's event queue: a binary heap ordered by (time, insertion order), so
// events at the same simulated instant run in the order they were scheduled.
export interface Timed {
  t: number;
  seq: number;
}

/** Omit over each member of a union (the events are one). */
export type WithoutSeq<E> = E extends Timed ? Omit<E, 'seq'> : never;

export class EventQueue<E extends Timed> {
  private readonly heap: E[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(e: WithoutSeq<E>): void {
    const x = { ...e, seq: this.seq++ } as E;
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): E | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Timed, b: Timed): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
