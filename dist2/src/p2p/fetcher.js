// Fetches a blob by digest: from the announcer(s) first, then from DHT providers.
// A blob larger than one range is split into ranges pulled from several sources in
// parallel. The assembled bytes are checked against the SHA-256 digest; when they do
// not match, each contributing source is asked for the whole blob alone, so the peer
// that served wrong bytes is identified, penalised, and the blob comes from another.
import { createHash } from 'node:crypto';
import { peerIdFromString } from '@libp2p/peer-id';
import { fetchRange } from './blob-protocol.js';
import { BlobUnavailableError } from './errors.js';
function sha256(bytes) {
    return createHash('sha256').update(bytes).digest();
}
/** Ordered, de-duplicated list of sources; providers are looked up once, when the given ones run out. */
class SourceQueue {
    deps;
    req;
    queue = [];
    seen = new Set();
    providersLoaded = false;
    retried = new Set();
    constructor(deps, req) {
        this.deps = deps;
        this.req = req;
        this.add(req.from);
    }
    add(peers) {
        const fresh = peers.filter((p) => p && p !== this.deps.selfId && !this.seen.has(p));
        for (const p of fresh)
            this.seen.add(p);
        // peers caught serving wrong bytes are tried only when nothing else is left
        this.queue.push(...fresh.filter((p) => !this.deps.isPenalised(p)));
        this.queue.push(...fresh.filter((p) => this.deps.isPenalised(p)));
    }
    async loadProviders() {
        if (this.providersLoaded)
            return;
        this.providersLoaded = true;
        try {
            this.add(await this.deps.findProviders(this.req.digest, this.req.signal));
        }
        catch {
            // no providers is the same as none found
        }
    }
    async next() {
        // fresh sources (providers included) before a second try of one that failed
        if (this.queue.every((p) => this.retried.has(p)))
            await this.loadProviders();
        const fresh = this.queue.findIndex((p) => !this.retried.has(p));
        return fresh >= 0 ? this.queue.splice(fresh, 1)[0] : this.queue.shift();
    }
    /** Puts a source that failed for a transient reason at the back of the queue. */
    requeue(peer) {
        this.retried.add(peer);
        if (!this.queue.includes(peer))
            this.queue.push(peer);
    }
    /** Takes up to n more sources without waiting for a provider lookup that has not started. */
    take(n) {
        return this.queue.splice(0, n);
    }
}
/** Times a source may fail for reasons other than wrong bytes before it is dropped. */
const MAX_TRANSIENT_FAILURES = 2;
/**
 * A holder that answers UNREGISTERED has not read our commitment yet and re-reads the
 * chain on that request (rate-limited to one read per 5 s): ask it again after this
 * long, up to this many times, within the fetch's deadline. A node that just joined
 * fetches its first checkpoint this way.
 */
const UNREGISTERED_RETRY_MS = 2500;
const MAX_UNREGISTERED_RETRIES = 4;
function abortableSleep(ms, signal) {
    return new Promise((resolve) => {
        if (signal.aborted)
            return resolve();
        const t = setTimeout(done, ms);
        function done() {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            resolve();
        }
        signal.addEventListener('abort', done, { once: true });
    });
}
export async function fetchBlob(deps, req) {
    const digestBytes = new Uint8Array(Buffer.from(req.digest, 'hex'));
    const want = Buffer.from(req.digest, 'hex');
    const attempts = [];
    if (deps.swarm && req.from.some((p) => p && p !== deps.selfId)) {
        try {
            return await deps.swarm(req.digest, req.from, req.signal, req.maxBytes);
        }
        catch (err) {
            attempts.push(`swarm: ${err.message}`);
        }
    }
    const sources = new SourceQueue(deps, req);
    const failures = new Map();
    const range = (peer, offset, length, sink) => fetchRange(deps.dial, peerIdFromString(peer), { digest: digestBytes, offset, length, maxBytes: req.maxBytes, signal: req.signal, sink, onBytesIn: deps.onBytesIn });
    // A source that failed (not by lying) goes to the back of the queue, a bounded number of times.
    const notYetKnown = new Map();
    const waits = [];
    const failed = (peer, err) => {
        attempts.push(`${peer}: ${err.message}`);
        if (err.code === 'BLOB_UNREGISTERED') {
            const n = (notYetKnown.get(peer) ?? 0) + 1;
            notYetKnown.set(peer, n);
            if (n <= MAX_UNREGISTERED_RETRIES) {
                waits.push(abortableSleep(UNREGISTERED_RETRY_MS, req.signal).then(() => sources.requeue(peer)));
                return;
            }
        }
        const n = (failures.get(peer) ?? 0) + 1;
        failures.set(peer, n);
        if (n < MAX_TRANSIENT_FAILURES && !req.signal.aborted)
            sources.requeue(peer);
    };
    while (!req.signal.aborted) {
        let first = await sources.next();
        // Nothing left but holders that will know us in a moment: wait for them.
        while (!first && waits.length > 0 && !req.signal.aborted) {
            await Promise.all(waits.splice(0));
            first = await sources.next();
        }
        if (!first)
            break;
        let buf = null;
        let h;
        try {
            // The first range also tells the blob's size.
            h = await range(first, 0, deps.rangeBytes, (hd) => {
                buf = new Uint8Array(hd.totalSize);
                return buf.subarray(0, hd.length);
            });
        }
        catch (err) {
            failed(first, err);
            continue;
        }
        const blob = buf;
        const owners = [first];
        if (h.totalSize > h.length) {
            // large blob: several sources pull the remaining ranges in parallel; when the
            // ones at work all fail, more are taken from the queue (providers included)
            if (h.totalSize > 2 * deps.rangeBytes)
                await sources.loadProviders();
            const pending = [];
            for (let off = h.length; off < h.totalSize; off += deps.rangeBytes)
                pending.push(off);
            let workers = [first, ...sources.take(deps.maxParallelSources - 1)];
            while (pending.length > 0 && !req.signal.aborted) {
                owners.push(...await pullRanges(blob, pending, deps.rangeBytes, workers, range, failed));
                if (pending.length === 0)
                    break;
                const next = await sources.next();
                if (!next)
                    break;
                workers = [next, ...sources.take(deps.maxParallelSources - 1)];
            }
            if (pending.length > 0)
                continue;
        }
        if (sha256(blob).equals(want))
            return blob;
        // Wrong bytes. With one contributor the culprit is known; with several, ask
        // each for the whole blob to find out who lied.
        const contributors = [...new Set(owners)];
        if (contributors.length === 1) {
            deps.penalise(first, 'served bytes not matching digest');
            attempts.push(`${first}: wrong bytes`);
            continue;
        }
        for (const peer of contributors) {
            let whole = null;
            try {
                await range(peer, 0, 0, (hd) => (whole = new Uint8Array(hd.totalSize)));
            }
            catch (err) {
                failed(peer, err);
                continue;
            }
            const w = whole;
            if (sha256(w).equals(want))
                return w;
            deps.penalise(peer, 'served bytes not matching digest');
            attempts.push(`${peer}: wrong bytes`);
        }
    }
    if (req.signal.aborted)
        attempts.push('timed out');
    throw new BlobUnavailableError(req.digest, attempts);
}
/**
 * Fills the pending ranges of blob: each source pulls the next range when its last
 * one is done; a source that fails is dropped and its range goes back to the queue.
 * Returns the source of each range filled.
 */
async function pullRanges(blob, pending, rangeBytes, peers, range, failed) {
    const owners = [];
    const worker = async (peer) => {
        for (let off = pending.shift(); off !== undefined; off = pending.shift()) {
            const len = Math.min(rangeBytes, blob.byteLength - off);
            try {
                await range(peer, off, len, (h) => {
                    if (h.totalSize !== blob.byteLength)
                        throw new Error(`size ${h.totalSize} differs from ${blob.byteLength}`);
                    return blob.subarray(off, off + len);
                });
                owners.push(peer);
            }
            catch (err) {
                pending.unshift(off);
                failed(peer, err);
                return;
            }
        }
    };
    await Promise.all(peers.map(worker));
    return owners;
}
//# sourceMappingURL=fetcher.js.map