// A token bucket for the node's upload cap: blob and swarm streams take tokens (bytes)
// before each write. `take(n)` may drive the balance negative (a piece is written
// whole); the next taker then waits until the balance is back to zero, so over any
// stretch the bytes written stay within rate × time + burst.
export class TokenBucket {
    rate;
    burst;
    tokens;
    last;
    now;
    /** takers wait in order */
    tail = Promise.resolve();
    constructor(o) {
        if (!(o.rate > 0) || !Number.isFinite(o.rate))
            throw new RangeError(`upload cap ${o.rate} B/s: must be a positive number`);
        this.rate = o.rate;
        this.burst = Math.max(1, o.burst ?? o.rate / 4);
        this.now = o.now ?? (() => performance.now());
        this.tokens = this.burst;
        this.last = this.now();
    }
    refill() {
        const t = this.now();
        this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
        this.last = t;
    }
    /** Milliseconds until a take would not wait (0 when it would not). */
    waitMs() {
        this.refill();
        return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
    }
    /** Takes n bytes' worth of tokens, waiting (in order of calls) while the balance is negative. */
    take(n, signal) {
        const run = async () => {
            for (let w = this.waitMs(); w > 0; w = this.waitMs()) {
                signal?.throwIfAborted();
                await new Promise((r) => setTimeout(r, Math.max(1, Math.ceil(w))));
            }
            this.tokens -= n;
        };
        const p = this.tail.then(run);
        this.tail = p.catch(() => { });
        return p;
    }
}
//# sourceMappingURL=token-bucket.js.map