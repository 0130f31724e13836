// On-disk, content-addressed blob store (SHA-256). Writes are atomic (tmp file + fsync +
// rename, blob before its metadata), so a crash never leaves a blob whose bytes do
// not hash to its name. Retention is by training window: prune(minWindow) drops
// everything older. Metadata lives in memory and in one small JSON sidecar per blob.
// The newest blobs made by this node are also kept in memory (a bounded LRU): a
// payload is served to most of the swarm right after it is stored, and serving from
// memory saves a disk read and a buffer allocation per chunk (garbage collection of
// those buffers was the largest single cost of a sender in the gossip bench).
// A fetched blob may also wait in memory for its disk write (putVerified with
// deferWrite): written by flush(), which the node calls when transfers are quiet,
// so a burst of fetches does not also pay for the file system (on ext4 the write
// costs ~1.6 ms of CPU per MiB, as much again as hashing and copying together).
// Until written it is held, served and listed like any other blob; a crash loses
// it (nothing of it is on disk), and it is fetched again.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from './errors.js';
const DIGEST_RE = /^[0-9a-f]{64}$/;
export function sha256Hex(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
}
export function assertDigest(digest) {
    if (!DIGEST_RE.test(digest))
        throw new InvalidArgumentError(`not a hex SHA-256 digest: ${JSON.stringify(digest).slice(0, 80)}`);
}
export class ContentStore {
    dir;
    blobDir;
    metaDir;
    index = new Map();
    listeners = [];
    tmpCounter = 0;
    /** digest → bytes, in least-recently-used first order; never handed out, only copied or streamed */
    hot = new Map();
    hotBytes = 0;
    hotLimit;
    /** digest → bytes not written to disk yet (and the write, once started) */
    pending = new Map();
    pendingBytes = 0;
    pendingLimit;
    constructor(dir, opts = {}) {
        this.dir = dir;
        this.blobDir = join(dir, 'blobs');
        this.metaDir = join(dir, 'meta');
        this.hotLimit = opts.hotCacheBytes ?? 256 * 1024 * 1024;
        this.pendingLimit = opts.deferredWriteBytes ?? 256 * 1024 * 1024;
    }
    /** Loads the index from disk; leftovers of interrupted writes are removed. */
    async open() {
        await mkdir(this.blobDir, { recursive: true });
        await mkdir(this.metaDir, { recursive: true });
        for (const name of await readdir(this.blobDir)) {
            if (!DIGEST_RE.test(name)) {
                await rm(join(this.blobDir, name), { force: true });
                continue;
            }
            try {
                const meta = JSON.parse(await readFile(join(this.metaDir, `${name}.json`), 'utf8'));
                this.index.set(name, meta);
            }
            catch {
                // a blob without readable metadata was cut off mid-put: drop it
                await rm(join(this.blobDir, name), { force: true });
            }
        }
    }
    /** Called after every new blob (the node provides it in the DHT). */
    onPut(listener) {
        this.listeners.push(listener);
    }
    has(digest) {
        return this.index.has(digest);
    }
    meta(digest) {
        return this.index.get(digest);
    }
    digests() {
        return [...this.index.keys()];
    }
    get totalBytes() {
        let n = 0;
        for (const m of this.index.values())
            n += m.size;
        return n;
    }
    /** Stores bytes and returns their hex SHA-256 digest. */
    async put(bytes, opts) {
        const digest = sha256Hex(bytes);
        const fresh = !this.index.has(digest);
        await this.putVerified(digest, bytes, opts);
        // Blobs made here (this node's payloads and checkpoints) are the ones the swarm
        // asks for at once, so they are served from memory. Fetched blobs are not cached:
        // copying each would cost every receiver more than the rarer re-serves save.
        if (fresh)
            this.remember(digest, bytes);
        return digest;
    }
    /** Stores bytes whose digest the caller has already checked. */
    async putVerified(digest, bytes, opts, put = {}) {
        assertDigest(digest);
        if (!Number.isSafeInteger(opts.window) || opts.window < 0)
            throw new InvalidArgumentError(`bad window ${opts.window}`);
        const existing = this.index.get(digest);
        if (existing) {
            // keep the blob as long as its newest user needs it (a blob still waiting
            // for its write gets the newer window with it)
            if (opts.window > existing.window) {
                existing.window = opts.window;
                const p = this.pending.get(digest);
                // not written yet: the write takes the new window; being written: rewrite after it
                if (p && !p.writing)
                    return;
                if (p?.writing)
                    await p.writing.catch(() => { });
                if (this.index.get(digest) === existing)
                    await this.writeAtomic(join(this.metaDir, `${digest}.json`), JSON.stringify(existing));
            }
            return;
        }
        const meta = { window: opts.window, kind: opts.kind, size: bytes.byteLength, storedAtMs: Date.now() };
        if (put.deferWrite && bytes.byteLength > 0 && this.pendingBytes + bytes.byteLength <= this.pendingLimit) {
            this.pending.set(digest, { bytes });
            this.pendingBytes += bytes.byteLength;
        }
        else {
            await this.writeAtomic(join(this.blobDir, digest), bytes);
            await this.writeAtomic(join(this.metaDir, `${digest}.json`), JSON.stringify(meta));
        }
        this.index.set(digest, meta);
        for (const l of this.listeners) {
            try {
                l(digest, meta);
            }
            catch {
                // a listener's failure must not undo a completed write
            }
        }
    }
    /** True while the blob waits in memory for its disk write. */
    isPending(digest) {
        return this.pending.has(digest);
    }
    /** Bytes waiting in memory for their disk write. */
    get pendingWriteBytes() {
        return this.pendingBytes;
    }
    /**
     * Writes a blob that waits for its disk write (no-op otherwise; concurrent calls
     * share one write). Its bytes are hashed again first: a blob whose bytes changed
     * in memory is dropped from the store, not written, and flush rejects.
     */
    async flush(digest) {
        const p = this.pending.get(digest);
        if (!p)
            return;
        p.writing ??= this.writePending(digest, p.bytes);
        await p.writing;
    }
    /** Writes every blob that waits for its disk write (e.g. before shutdown); failures are left out. */
    async flushAll() {
        await Promise.all([...this.pending.keys()].map((d) => this.flush(d).catch(() => { })));
    }
    async writePending(digest, bytes) {
        const done = () => {
            if (this.pending.delete(digest))
                this.pendingBytes -= bytes.byteLength;
        };
        try {
            if (sha256Hex(bytes) !== digest) {
                this.index.delete(digest);
                throw new InvalidArgumentError(`blob ${digest} changed in memory before its disk write; dropped`);
            }
            await this.writeAtomic(join(this.blobDir, digest), bytes);
            const meta = this.index.get(digest);
            if (meta)
                await this.writeAtomic(join(this.metaDir, `${digest}.json`), JSON.stringify(meta));
            // pruned while it was being written: take the files away again
            if (!this.index.has(digest)) {
                await rm(join(this.metaDir, `${digest}.json`), { force: true });
                await rm(join(this.blobDir, digest), { force: true });
            }
        }
        catch (err) {
            // not written: the blob leaves the store (it can be fetched again)
            this.index.delete(digest);
            done();
            throw err;
        }
        done();
    }
    /** A copy of the blob's bytes (the caller may keep or change it), or null when not held. */
    async get(digest) {
        if (!this.index.has(digest))
            return null;
        const hot = this.recall(digest) ?? this.pending.get(digest)?.bytes;
        if (hot)
            return hot.slice();
        try {
            const buf = await readFile(join(this.blobDir, digest));
            return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
        }
        catch {
            return null;
        }
    }
    /**
     * Streams [offset, offset+length) in chunks of at most chunkBytes; the consumer's
     * pace drives the reads (backpressure reaches the disk).
     */
    async *readRange(digest, offset, length, chunkBytes = 1 << 20) {
        const meta = this.index.get(digest);
        if (!meta)
            throw new InvalidArgumentError(`blob ${digest} not in store`);
        if (offset < 0 || length < 0 || offset + length > meta.size)
            throw new InvalidArgumentError('range outside blob');
        const hot = this.recall(digest) ?? this.pending.get(digest)?.bytes;
        if (hot) {
            // views of the cached bytes: nothing writes to them, and eviction only drops the reference
            for (let pos = offset; pos < offset + length; pos += chunkBytes)
                yield hot.subarray(pos, Math.min(pos + chunkBytes, offset + length));
            return;
        }
        const fh = await open(join(this.blobDir, digest), 'r');
        try {
            let pos = offset;
            const end = offset + length;
            while (pos < end) {
                const n = Math.min(chunkBytes, end - pos);
                const buf = new Uint8Array(n);
                let got = 0;
                while (got < n) {
                    const { bytesRead } = await fh.read(buf, got, n - got, pos + got);
                    if (bytesRead === 0)
                        throw new Error(`blob ${digest} truncated on disk`);
                    got += bytesRead;
                }
                pos += n;
                yield buf;
            }
        }
        finally {
            await fh.close();
        }
    }
    /** Deletes every blob last needed before minWindow; returns how many were removed. */
    async prune(minWindow) {
        let removed = 0;
        for (const [digest, meta] of [...this.index]) {
            if (meta.window >= minWindow)
                continue;
            this.index.delete(digest);
            this.forget(digest);
            const p = this.pending.get(digest);
            // not written yet: nothing to write (a write in flight removes its file when done)
            if (p && !p.writing) {
                this.pending.delete(digest);
                this.pendingBytes -= p.bytes.byteLength;
            }
            await rm(join(this.metaDir, `${digest}.json`), { force: true });
            await rm(join(this.blobDir, digest), { force: true });
            removed++;
        }
        return removed;
    }
    /** Keeps a private copy of a new blob in the memory cache, evicting the least recently used. */
    remember(digest, bytes) {
        // one blob may take at most a quarter of the cache, so a checkpoint cannot flush the payloads
        if (bytes.byteLength === 0 || bytes.byteLength > this.hotLimit / 4)
            return;
        this.forget(digest);
        this.hot.set(digest, bytes.slice());
        this.hotBytes += bytes.byteLength;
        for (const [d, b] of this.hot) {
            if (this.hotBytes <= this.hotLimit)
                break;
            this.hot.delete(d);
            this.hotBytes -= b.byteLength;
        }
    }
    recall(digest) {
        const b = this.hot.get(digest);
        if (b) {
            // most recently used goes last
            this.hot.delete(digest);
            this.hot.set(digest, b);
        }
        return b;
    }
    forget(digest) {
        const b = this.hot.get(digest);
        if (!b)
            return;
        this.hot.delete(digest);
        this.hotBytes -= b.byteLength;
    }
    /**
     * tmp file, fsync, rename: after a crash (power loss included) a name holds the
     * whole file or nothing. Without the fsync, ext4 may persist the rename before the
     * data, leaving a blob whose bytes do not hash to its name. (The directory is not
     * synced: a rename lost in a crash only loses the blob, which is fetched again.)
     */
    async writeAtomic(path, data) {
        const tmp = `${path}.${process.pid}.${this.tmpCounter++}.tmp`;
        try {
            const fh = await open(tmp, 'w');
            try {
                await fh.writeFile(data);
                await fh.sync();
            }
            finally {
                await fh.close();
            }
            await rename(tmp, path);
        }
        catch (err) {
            await rm(tmp, { force: true });
            throw err;
        }
    }
}
//# sourceMappingURL=content-store.js.map