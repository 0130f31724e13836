// What the node loops need on top of the chain layer's WindowClock (window =
// floor(block / blocksPerWindow), one subscription to the block stream): the local
// time at which each window was first seen, from which deadlines are measured, and
// a way to wait for a window.
import { WindowClock } from '../chain/index.js';
export class WindowDriver {
    chain;
    blocksPerWindow;
    clock;
    startedAt = new Map();
    waiters = [];
    unsubscribe;
    /** The window this node started in: it did not see that window begin. */
    joinedIn = -1;
    constructor(chain, blocksPerWindow) {
        this.chain = chain;
        this.blocksPerWindow = blocksPerWindow;
        this.clock = new WindowClock(chain, blocksPerWindow);
    }
    async start() {
        this.clock.observe(await this.chain.currentBlock());
        this.joinedIn = this.clock.currentWindow;
        this.unsubscribe = await this.clock.onWindow((w) => this.onWindow(w));
    }
    stop() {
        this.unsubscribe?.();
        for (const w of this.waiters)
            w.resolve(-1);
        this.waiters = [];
    }
    get window() {
        return this.clock.currentWindow;
    }
    get block() {
        return this.clock.block;
    }
    /**
     * Local wall-clock ms at which `window` began, if this node saw it begin (not for
     * the window it started in: its start is unknown, and deadlines measured from the
     * moment of joining would judge other nodes' timely messages as early).
     */
    startOf(window) {
        return window === this.joinedIn ? undefined : this.startedAt.get(window);
    }
    /**
     * When `window` began, or at the latest: the start of the first later window this
     * node saw begin (blocks can arrive in bursts that skip a window's notice). Undefined
     * while no window from `window` on has been seen beginning.
     */
    startOfAtLatest(window) {
        const exact = this.startOf(window);
        if (exact !== undefined)
            return exact;
        let best;
        for (const [w, at] of this.startedAt)
            if (w > window && w !== this.joinedIn && (best === undefined || at < best))
                best = at;
        return best;
    }
    /** The first window whose beginning this node saw (it was running through all of it). */
    get firstFullWindow() {
        return this.joinedIn + 1;
    }
    /** Resolves with the current window once it is ≥ `window` (-1 if stopped). */
    waitFor(window) {
        if (this.window >= window)
            return Promise.resolve(this.window);
        return new Promise((resolve) => this.waiters.push({ window, resolve }));
    }
    onWindow(w) {
        if (this.startedAt.has(w))
            return;
        this.startedAt.set(w, Date.now());
        for (const k of this.startedAt.keys())
            if (k < w - 64)
                this.startedAt.delete(k);
        const ready = this.waiters.filter((x) => x.window <= w);
        this.waiters = this.waiters.filter((x) => x.window > w);
        for (const r of ready)
            r.resolve(w);
    }
}
export function sleep(ms, signal) {
    return new Promise((resolve) => {
        if (ms <= 0 || signal?.aborted)
            return resolve();
        const t = setTimeout(done, ms);
        function done() {
            clearTimeout(t);
            signal?.removeEventListener('abort', done);
            resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
    });
}
/** Sleeps until the wall-clock time `atMs` (returns at once if it has passed). */
export function sleepUntil(atMs, signal) {
    return sleep(atMs - Date.now(), signal);
}
//# sourceMappingURL=window-driver.js.map