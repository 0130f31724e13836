export class EventQueue {
    heap = [];
    seq = 0;
    get size() {
        return this.heap.length;
    }
    push(e) {
        const x = { ...e, seq: this.seq++ };
        const h = this.heap;
        h.push(x);
        let i = h.length - 1;
        while (i > 0) {
            const p = (i - 1) >> 1;
            if (!less(h[i], h[p]))
                break;
            [h[i], h[p]] = [h[p], h[i]];
            i = p;
        }
    }
    pop() {
        const h = this.heap;
        if (h.length === 0)
            return undefined;
        const top = h[0];
        const last = h.pop();
        if (h.length > 0) {
            h[0] = last;
            let i = 0;
            for (;;) {
                const l = 2 * i + 1;
                const r = l + 1;
                let m = i;
                if (l < h.length && less(h[l], h[m]))
                    m = l;
                if (r < h.length && less(h[r], h[m]))
                    m = r;
                if (m === i)
                    break;
                [h[i], h[m]] = [h[m], h[i]];
                i = m;
            }
        }
        return top;
    }
}
function less(a, b) {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
//# sourceMappingURL=queue.js.map