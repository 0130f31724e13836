// Publishes DHT provider records for stored blobs in the background, yielding to
// blob transfers.
//
// Why a queue: a Kademlia provide is a closest-peers walk plus an ADD_PROVIDER to
// each of the k closest peers, one new stream per message, and every message makes
// its receiver update its routing table and peer store. Measured in the gossip
// bench (8 processes on 2 cores), providing each fetched payload at once, in
// parallel with the transfers of the same burst, cut delivery efficiency from
// 0.59–0.64 (providing off) to 0.23–0.41 (two runs each, old walk schedule). A provider record only matters to a
// peer that fetches later (the announcer is always asked first), so records wait
// until this node's own transfers have been quiet for a moment, with a bound on how
// long any record can wait, and run a few at a time.
import { setMaxListeners } from 'node:events';
export class ProvideQueue {
    o;
    pending = [];
    results = new Map();
    queued = new Set();
    running = 0;
    timer = null;
    controller = new AbortController();
    quietMs;
    maxDeferMs;
    concurrency;
    timeoutMs;
    maxTracked;
    constructor(o) {
        this.o = o;
        this.quietMs = o.quietMs ?? 2000;
        this.maxDeferMs = o.maxDeferMs ?? 10_000;
        this.concurrency = o.concurrency ?? 2;
        this.timeoutMs = o.timeoutMs ?? 30_000;
        this.maxTracked = o.maxTracked ?? 10_000;
        setMaxListeners(Infinity, this.controller.signal); // one listener per running provide
    }
    /** Queues a record for digest (once while it waits); the promise tells whether it was published. */
    enqueue(digest) {
        if (this.queued.has(digest))
            return this.results.get(digest);
        let resolve;
        const promise = new Promise((r) => { resolve = r; });
        this.queued.add(digest);
        // bounded bookkeeping: the records themselves stay in the DHT
        if (this.results.size >= this.maxTracked)
            this.results.clear();
        this.results.set(digest, promise);
        this.pending.push({ digest, queuedAt: Date.now(), resolve });
        this.pump();
        return promise;
    }
    /** The outcome of the newest record queued for digest; false when none was. */
    whenProvided(digest) {
        return this.results.get(digest) ?? Promise.resolve(false);
    }
    get waiting() {
        return this.pending.length;
    }
    /** Drops what waits (resolved false) and aborts what runs; the queue takes new records afterwards. */
    clear() {
        if (this.timer)
            clearTimeout(this.timer);
        this.timer = null;
        this.controller.abort();
        this.controller = new AbortController();
        setMaxListeners(Infinity, this.controller.signal);
        for (const p of this.pending.splice(0)) {
            this.queued.delete(p.digest);
            p.resolve(false);
        }
    }
    pump() {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        while (this.running < this.concurrency && this.pending.length > 0) {
            const head = this.pending[0];
            if (!this.o.stillHeld(head.digest)) {
                this.pending.shift();
                this.queued.delete(head.digest);
                head.resolve(false);
                continue;
            }
            const quiet = !this.o.transfersActive() && this.o.msSinceTransfer() >= this.quietMs;
            const overdue = Date.now() - head.queuedAt >= this.maxDeferMs;
            if (!quiet && !overdue)
                break;
            this.pending.shift();
            this.run(head);
        }
        if (this.pending.length > 0 && this.running < this.concurrency) {
            // poll for quiet; a finished provide pumps again as well
            const wait = Math.max(50, Math.min(this.quietMs, this.maxDeferMs) / 2);
            this.timer = setTimeout(() => this.pump(), wait);
        }
    }
    run(p) {
        this.running++;
        const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)]);
        setMaxListeners(Infinity, signal); // the DHT query listens once per peer it asks
        this.o.provide(p.digest, signal)
            .then(() => true, () => false)
            .then((ok) => {
            this.running--;
            this.queued.delete(p.digest);
            p.resolve(ok);
            this.pump();
        });
    }
}
//# sourceMappingURL=provide-queue.js.map