export class WindowClock {
    chain;
    blocksPerWindow;
    lastBlock = -1;
    lastBlockAt = 0;
    blockMs;
    now;
    listeners = new Set();
    unsub;
    starting;
    lastWindow = -1;
    constructor(chain, blocksPerWindow, opts = {}) {
        this.chain = chain;
        this.blocksPerWindow = blocksPerWindow;
        if (!Number.isInteger(blocksPerWindow) || blocksPerWindow < 1)
            throw new RangeError(`blocksPerWindow must be a positive integer, got ${blocksPerWindow}`);
        this.blockMs = opts.blockTimeMs ?? 12_000;
        this.now = opts.now ?? Date.now;
    }
    window(block) {
        return Math.floor(block / this.blocksPerWindow);
    }
    windowStart(window) {
        return window * this.blocksPerWindow;
    }
    /** the latest block seen by the clock (-1 before the first) */
    get block() {
        return this.lastBlock;
    }
    get currentWindow() {
        return this.lastBlock < 0 ? -1 : this.window(this.lastBlock);
    }
    /** the measured average block time */
    get blockTimeMs() {
        return this.blockMs;
    }
    /** feeds a block (called by the subscription; public for replay and tests) */
    observe(block) {
        const t = this.now();
        if (this.lastBlock >= 0 && block > this.lastBlock) {
            const per = (t - this.lastBlockAt) / (block - this.lastBlock);
            this.blockMs = this.blockMs * 0.8 + per * 0.2;
        }
        if (block <= this.lastBlock)
            return;
        this.lastBlock = block;
        this.lastBlockAt = t;
        const w = this.window(block);
        if (w !== this.lastWindow) {
            this.lastWindow = w;
            for (const cb of this.listeners)
                cb(w, block);
        }
    }
    /** ms elapsed since the current window began (estimated from block times) */
    msIntoWindow() {
        if (this.lastBlock < 0)
            return 0;
        const blocksIn = this.lastBlock - this.windowStart(this.window(this.lastBlock));
        return blocksIn * this.blockMs + (this.now() - this.lastBlockAt);
    }
    /** ms until the next window is expected to begin (≥ 0) */
    msUntilWindowEnd() {
        return Math.max(0, this.blocksPerWindow * this.blockMs - this.msIntoWindow());
    }
    /**
     * Calls cb(window, block) for the window of the first block seen and then every time
     * the window changes. Resolves to an unsubscribe function.
     */
    async onWindow(cb) {
        this.listeners.add(cb);
        if (this.lastWindow >= 0)
            cb(this.lastWindow, this.lastBlock);
        if (!this.unsub) {
            this.starting ??= this.chain.subscribeBlocks((b) => this.observe(b)).then((u) => {
                this.unsub = u;
            });
            await this.starting;
        }
        return () => {
            this.listeners.delete(cb);
            if (this.listeners.size === 0 && this.unsub) {
                this.unsub();
                this.unsub = undefined;
                this.starting = undefined;
            }
        };
    }
}
//# sourceMappingURL=window-clock.js.map