// The content store: digests, atomic writes, ranges, retention by window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from '../../src/p2p/content-store.js';
import { tempDir } from './helpers.js';
test('content store: sha256 names, ranges, prune by window, recovery from torn writes', async () => {
    const dir = await tempDir();
    try {
        const s = new ContentStore(dir);
        await s.open();
        const data = new Uint8Array(3_000_000).map((_, i) => (i * 31) & 0xff);
        const d1 = await s.put(data, { window: 5, kind: 'grad' });
        assert.equal(d1, createHash('sha256').update(data).digest('hex'));
        // SHA-256("abc"), a fixed vector
        const d2 = await s.put(new TextEncoder().encode('abc'), { window: 9, kind: 'grad' });
        assert.equal(d2, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
        const parts = [];
        for await (const c of s.readRange(d1, 1000, 2_500_000, 1 << 20))
            parts.push(c);
        assert.deepEqual(Buffer.concat(parts), Buffer.from(data.subarray(1000, 2_501_000)));
        await assert.rejects(async () => { for await (const _ of s.readRange(d1, 2_999_999, 2))
            void _; }, { name: 'InvalidArgumentError' });
        await assert.rejects(s.putVerified('not-a-digest', data, { window: 1, kind: 'x' }), { name: 'InvalidArgumentError' });
        // a torn write (blob without metadata, leftover tmp file) is dropped on open
        await writeFile(join(dir, 'blobs', 'ab'.repeat(32)), 'torn');
        await writeFile(join(dir, 'blobs', `${d1}.123.0.tmp`), 'partial');
        const s2 = new ContentStore(dir);
        await s2.open();
        assert.deepEqual(s2.digests().sort(), [d1, d2].sort());
        assert.deepEqual((await readdir(join(dir, 'blobs'))).sort(), [d1, d2].sort());
        assert.equal(await s2.prune(6), 1);
        assert.ok(!s2.has(d1) && s2.has(d2));
        assert.equal(await s2.get(d1), null);
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
});
test('content store: own blobs are served from memory, bounded, and never handed out to be changed', async () => {
    const dir = await tempDir();
    try {
        const s = new ContentStore(dir, { hotCacheBytes: 4_000_000 });
        await s.open();
        const a = new Uint8Array(900_000).map((_, i) => (i * 7) & 0xff);
        const da = await s.put(a, { window: 1, kind: 'grad' });
        a.fill(0); // the caller changing its buffer after put must not reach the store
        const readAll = async (d, off, len) => {
            const parts = [];
            for await (const c of s.readRange(d, off, len, 256 * 1024))
                parts.push(c);
            return Buffer.concat(parts);
        };
        const want = Buffer.from(new Uint8Array(900_000).map((_, i) => (i * 7) & 0xff));
        assert.deepEqual(await readAll(da, 0, 900_000), want);
        assert.deepEqual(await readAll(da, 12_345, 500_000), want.subarray(12_345, 512_345));
        // get hands out a copy: changing it changes neither the cache nor the disk
        const g = (await s.get(da));
        g.fill(1);
        assert.deepEqual(Buffer.from((await s.get(da))), want);
        // the disk copy is there (a fresh store has an empty cache and reads from disk)
        const cold = new ContentStore(dir, { hotCacheBytes: 0 });
        await cold.open();
        assert.deepEqual(Buffer.from((await cold.get(da))), want);
        // bigger than a quarter of the cache: stored, not cached, served from disk all the same
        const big = new Uint8Array(1_500_000).map((_, i) => (i * 13) & 0xff);
        const dBig = await s.put(big, { window: 2, kind: 'checkpoint' });
        assert.deepEqual(await readAll(dBig, 0, big.byteLength), Buffer.from(big));
        // fill beyond the bound: the least recently used goes, every blob still reads right
        const more = [];
        for (let k = 0; k < 6; k++) {
            const b = new Uint8Array(900_000).map((_, i) => (i + k * 101) & 0xff);
            more.push([await s.put(b, { window: 3, kind: 'grad' }), Buffer.from(b)]);
        }
        for (const [d, b] of more)
            assert.deepEqual(await readAll(d, 0, b.byteLength), b);
        assert.deepEqual(await readAll(da, 0, 900_000), want);
        // pruned blobs leave the cache too
        await s.prune(3);
        assert.equal(await s.get(da), null);
        await assert.rejects(readAll(da, 0, 10), { name: 'InvalidArgumentError' });
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
});
test('content store: a deferred write is held and served from memory, written by flush, re-checked, pruned unwritten', async () => {
    const dir = await tempDir();
    try {
        const s = new ContentStore(dir, { deferredWriteBytes: 2_000_000 });
        await s.open();
        const sha = (b) => createHash('sha256').update(b).digest('hex');
        const onDisk = async () => (await readdir(join(dir, 'blobs'))).sort();
        const put = [];
        s.onPut((d) => put.push(d));
        const a = new Uint8Array(1_000_000).map((_, i) => (i * 7) & 0xff);
        const da = sha(a);
        await s.putVerified(da, a, { window: 3, kind: 'grad' }, { deferWrite: true });
        // held, listed, served and announced before any disk write
        assert.ok(s.has(da) && s.isPending(da));
        assert.deepEqual(put, [da]);
        assert.deepEqual(await onDisk(), []);
        assert.equal(s.pendingWriteBytes, a.byteLength);
        assert.deepEqual(Buffer.from((await s.get(da))), Buffer.from(a));
        const parts = [];
        for await (const c of s.readRange(da, 10, 500_000, 65_536))
            parts.push(c);
        assert.deepEqual(Buffer.concat(parts), Buffer.from(a.subarray(10, 500_010)));
        // a newer window while waiting is the one written
        await s.putVerified(da, a, { window: 8, kind: 'grad' }, { deferWrite: true });
        await Promise.all([s.flush(da), s.flush(da)]); // one write
        assert.ok(!s.isPending(da));
        assert.equal(s.pendingWriteBytes, 0);
        assert.deepEqual(await onDisk(), [da]);
        const again = new ContentStore(dir);
        await again.open();
        assert.equal(again.meta(da)?.window, 8);
        assert.deepEqual(Buffer.from((await again.get(da))), Buffer.from(a));
        // more than the budget is written at once
        const big = new Uint8Array(2_500_000).fill(9);
        const dbig = sha(big);
        await s.putVerified(dbig, big, { window: 3, kind: 'grad' }, { deferWrite: true });
        assert.ok(s.has(dbig) && !s.isPending(dbig));
        assert.deepEqual(await onDisk(), [da, dbig].sort());
        // bytes changed in memory before the write: dropped, never written
        const b = new Uint8Array(1000).fill(1);
        const db = sha(b);
        await s.putVerified(db, b, { window: 3, kind: 'grad' }, { deferWrite: true });
        b[5] = 2;
        await assert.rejects(s.flush(db), { name: 'InvalidArgumentError' });
        assert.ok(!s.has(db) && !s.isPending(db));
        assert.deepEqual(await onDisk(), [da, dbig].sort());
        // pruned while waiting: never written; flushAll writes what is left
        const c = new Uint8Array(1000).fill(3);
        const dc = sha(c);
        await s.putVerified(dc, c, { window: 1, kind: 'grad' }, { deferWrite: true });
        const e = new Uint8Array(1000).fill(4);
        const de = sha(e);
        await s.putVerified(de, e, { window: 9, kind: 'grad' }, { deferWrite: true });
        await s.prune(2);
        assert.ok(!s.has(dc) && !s.isPending(dc));
        // a newer window that arrives while the write runs reaches the disk too
        const writing = s.flush(de);
        await s.putVerified(de, e, { window: 12, kind: 'grad' }, { deferWrite: true });
        await writing;
        const reread = new ContentStore(dir);
        await reread.open();
        assert.equal(reread.meta(de)?.window, 12);
        await s.flushAll();
        assert.deepEqual(await onDisk(), [da, dbig, de].sort());
        assert.equal(s.pendingWriteBytes, 0);
        assert.equal(s.meta(de)?.window, 12);
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=content-store.test.js.map