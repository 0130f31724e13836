export class ReconnectChain {
    provider;
    o;
    delay;
    attempt = 0;
    running = false;
    stopped = false;
    everConnected = false;
    timer;
    stableTimer;
    unsubscribe;
    constructor(provider, o) {
        this.provider = provider;
        this.o = o;
        this.delay = o.minDelayMs;
        this.unsubscribe = [
            provider.on('disconnected', () => this.ensureRunning()),
            provider.on('connected', () => this.onConnected()),
        ];
    }
    /** Starts a chain unless one runs, the provider is connected, or the chain was stopped. */
    ensureRunning() {
        clearTimeout(this.stableTimer);
        if (this.stopped || this.running || this.provider.isConnected)
            return;
        this.running = true;
        // Before the first connection, say what is awaited and until when: a node that
        // cannot reach its chain is otherwise a node that prints nothing for 15 s.
        const until = this.o.firstConnectTimeoutMs !== undefined ? ` for up to ${this.o.firstConnectTimeoutMs / 1000} s` : '';
        const msg = this.everConnected
            ? 'subtensor connection lost; reconnecting with backoff'
            : `subtensor at ${this.o.endpoint} not reachable yet: waiting for it, retrying with backoff${until} (check --subtensor.network / --subtensor.chain_endpoint)`;
        this.o.log.warn({ endpoint: this.o.endpoint, nextAttemptInMs: this.delay }, msg);
        this.schedule();
    }
    /** For good (the provider is being closed): no further attempts. */
    stop() {
        this.stopped = true;
        this.running = false;
        clearTimeout(this.timer);
        clearTimeout(this.stableTimer);
        for (const off of this.unsubscribe)
            off();
    }
    schedule() {
        const wait = this.delay;
        this.timer = setTimeout(() => this.tick(wait), wait);
        this.timer.unref();
    }
    tick(waitedMs) {
        this.timer = undefined;
        if (this.stopped || !this.running)
            return;
        this.attempt++;
        this.o.log.warn({ endpoint: this.o.endpoint, attempt: this.attempt, delayMs: waitedMs }, this.everConnected ? 'subtensor reconnect attempt' : `subtensor connect attempt (waiting for ${this.o.endpoint})`);
        this.delay = Math.min(this.delay * 2, this.o.maxDelayMs);
        // The outcome arrives as 'connected' (ends the chain) or 'disconnected' (ignored:
        // the next attempt is already scheduled). connect() itself rejects only when the
        // previous attempt's socket is still opening, or the socket cannot be built.
        const attempt = this.attempt;
        this.provider.connect().catch((e) => {
            this.o.log.warn({ endpoint: this.o.endpoint, attempt, err: e.message }, 'subtensor reconnect attempt did not start');
        });
        this.schedule();
    }
    onConnected() {
        if (this.stopped)
            return;
        clearTimeout(this.timer);
        this.timer = undefined;
        if (this.running) {
            this.running = false;
            this.o.log.info({ endpoint: this.o.endpoint, attempt: this.attempt }, this.everConnected ? 'subtensor reconnected' : 'subtensor connected');
        }
        this.everConnected = true;
        clearTimeout(this.stableTimer);
        this.stableTimer = setTimeout(() => {
            this.delay = this.o.minDelayMs;
            this.attempt = 0;
        }, this.o.stableMs);
        this.stableTimer.unref();
    }
}
//# sourceMappingURL=reconnect.js.map