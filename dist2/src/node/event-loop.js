// How late this node's event loop runs timers: the delay every gossip message, blob
// request and block notice waits on top of its own work. Sampled by
// perf_hooks.monitorEventLoopDelay (every 10 ms); the figures are kept per window
// (roll() at each window start) and reported in the status API, Prometheus and one
// `event_loop` log line per window.
import { monitorEventLoopDelay } from 'node:perf_hooks';
const ms = (ns) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
export class EventLoopMonitor {
    h;
    since = Date.now();
    maxEverNs = 0;
    last;
    constructor(resolutionMs = 10) {
        this.h = monitorEventLoopDelay({ resolution: resolutionMs });
        this.h.enable();
    }
    /** Figures of the interval since the last roll (nothing sampled yet: zeros). */
    current() {
        const h = this.h;
        const count = h.count ?? 0;
        const max = count > 0 ? h.max : 0;
        this.maxEverNs = Math.max(this.maxEverNs, max);
        return {
            maxMs: ms(max), p99Ms: count > 0 ? ms(h.percentile(99)) : 0, meanMs: count > 0 ? ms(h.mean) : 0,
            intervalS: Math.round((Date.now() - this.since) / 100) / 10, maxSinceStartMs: ms(this.maxEverNs),
        };
    }
    /** The last completed interval's figures (the current one's before the first roll). */
    figures() {
        const cur = this.current();
        return this.last ? { ...this.last, maxSinceStartMs: cur.maxSinceStartMs } : cur;
    }
    /** Closes the interval (at a window start): returns its figures and starts the next. */
    roll() {
        const f = this.current();
        this.last = f;
        this.h.reset();
        this.since = Date.now();
        return f;
    }
    stop() {
        this.h.disable();
    }
}
//# sourceMappingURL=event-loop.js.map