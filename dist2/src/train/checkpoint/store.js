// Checkpoints on disk: one file per window, `ckpt-<window>.safetensors`, written
// atomically (temporary file, fsync, rename, fsync of the directory), so a crash at
// any moment leaves the previous checkpoints intact and at worst a stray temporary
// file, which the next store opened on the directory removes. Only the newest `keep`
// checkpoints are kept.
import { mkdirSync, readdirSync, readFileSync, unlinkSync, openSync, fsyncSync, closeSync, existsSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from './errors.js';
import { MAX_IO_BYTES } from './safetensors.js';
import { decodeCheckpointFile, peekCheckpointFile } from './checkpoint.js';
const FILE_RE = /^ckpt-(\d{12,16})\.safetensors$/;
const TMP_RE = /^\.ckpt-\d{12,16}\.safetensors\.(\d+)\.\d+\.tmp$/;
function checkWindow(window) {
    if (!Number.isSafeInteger(window) || window < 0) {
        throw new CheckpointError('invalid_input', `window must be a non-negative integer, got ${window}`);
    }
}
function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
let tmpCounter = 0;
export class CheckpointStore {
    dir;
    keep;
    constructor(dir, opts = {}) {
        const keep = opts.keep ?? 3;
        if (!Number.isSafeInteger(keep) || keep < 1)
            throw new CheckpointError('invalid_input', `keep must be an integer ≥ 1, got ${keep}`);
        this.dir = dir;
        this.keep = keep;
        try {
            mkdirSync(dir, { recursive: true });
        }
        catch (e) {
            throw new CheckpointError('io', `cannot create ${dir}: ${e.message}`, { cause: e });
        }
        this.removeStaleTemporaries();
    }
    /** Deletes temporary files left by writers that died (their pid is gone). */
    removeStaleTemporaries() {
        for (const name of readdirSync(this.dir)) {
            const m = TMP_RE.exec(name);
            if (m && !pidAlive(Number(m[1])))
                unlinkSync(join(this.dir, name));
        }
    }
    pathOf(window) {
        checkWindow(window);
        return join(this.dir, `ckpt-${String(window).padStart(12, '0')}.safetensors`);
    }
    /** Windows of the checkpoints on disk, ascending. */
    list() {
        const out = [];
        for (const name of readdirSync(this.dir)) {
            const m = FILE_RE.exec(name);
            if (m)
                out.push(Number(m[1]));
        }
        return out.sort((a, b) => a - b);
    }
    latest() {
        const all = this.list();
        const w = all[all.length - 1];
        return w === undefined ? null : { window: w, path: this.pathOf(w) };
    }
    has(window) {
        return existsSync(this.pathOf(window));
    }
    /**
     * Writes the checkpoint of `window` atomically from bytes, pieces, or a stream of
     * pieces (e.g. ranges arriving from peers), then applies retention (unless
     * `prune: false`, for a file not verified yet). Returns its path.
     */
    async write(window, data, opts = {}) {
        const path = this.pathOf(window);
        const tmp = join(this.dir, `.ckpt-${String(window).padStart(12, '0')}.safetensors.${process.pid}.${tmpCounter++}.tmp`);
        const chunks = data instanceof Uint8Array ? [data] : data;
        try {
            const fh = await open(tmp, 'wx', 0o644);
            try {
                for await (const chunk of chunks) {
                    let off = 0;
                    while (off < chunk.byteLength) {
                        const { bytesWritten } = await fh.write(chunk, off, Math.min(chunk.byteLength - off, MAX_IO_BYTES));
                        off += bytesWritten;
                    }
                }
                await fh.sync();
            }
            finally {
                await fh.close();
            }
            await rename(tmp, path);
            this.syncDir();
        }
        catch (e) {
            await rm(tmp, { force: true });
            if (e instanceof CheckpointError)
                throw e;
            throw new CheckpointError('io', `writing ${path}: ${e.message}`, { cause: e });
        }
        if (opts.prune !== false)
            this.prune();
        return path;
    }
    /** Makes the rename durable: without this a power cut may lose the new name. */
    syncDir() {
        const fd = openSync(this.dir, 'r');
        try {
            fsyncSync(fd);
        }
        finally {
            closeSync(fd);
        }
    }
    /** Deletes all but the newest `keep` checkpoints. */
    prune() {
        const all = this.list();
        const gone = all.slice(0, Math.max(0, all.length - this.keep));
        for (const w of gone)
            unlinkSync(this.pathOf(w));
        return gone;
    }
    /** The raw bytes of a stored checkpoint (e.g. to serve to peers). */
    read(window) {
        const path = this.pathOf(window);
        try {
            return new Uint8Array(readFileSync(path));
        }
        catch (e) {
            const code = e.code === 'ENOENT' ? 'not_found' : 'io';
            throw new CheckpointError(code, `cannot read ${path}: ${e.message}`, { cause: e });
        }
    }
    meta(window) {
        return peekCheckpointFile(this.pathOf(window));
    }
    /** Loads and fully verifies one checkpoint (optionally straight into `into`, see decodeCheckpointFile). */
    load(window, expect, into) {
        return decodeCheckpointFile(this.pathOf(window), expect, into);
    }
    /** Deletes one checkpoint (e.g. a download that failed verification). */
    remove(window) {
        rmSync(this.pathOf(window), { force: true });
    }
    /**
     * The newest checkpoint that loads and verifies; newer ones that do not (a damaged
     * disk, a file of another run) are skipped and reported. Null when none does.
     */
    loadLatest(expect) {
        const skipped = [];
        for (const window of this.list().reverse()) {
            try {
                const decoded = this.load(window, expect);
                if (decoded.meta.window !== window) {
                    throw new CheckpointError('metadata', `file of window ${window} says window ${decoded.meta.window}`);
                }
                return { ...decoded, window, path: this.pathOf(window), skipped };
            }
            catch (e) {
                if (!(e instanceof CheckpointError))
                    throw e;
                skipped.push({ window, error: e });
            }
        }
        return null;
    }
}
//# sourceMappingURL=store.js.map