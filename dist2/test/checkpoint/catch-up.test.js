// fetchVerifiedCheckpoint: the newest candidate that verifies wins; a lying one (bytes
// that hash to their digest but whose weights are not the stated θ) is rejected, and
// so is an honest file that is not what was announced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, CheckpointStore, encodeCheckpoint, fetchVerifiedCheckpoint, readSafetensors, } from '../../src/train/checkpoint/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { parameterLayout } from '../../src/train/model-config.js';
import { deterministicParams, smallModel, RUN_A, MANIFEST } from './helpers.js';
const model = smallModel();
const layout = parameterLayout(model);
function published(window, seed) {
    const params = deterministicParams(model, seed);
    const bytes = encodeCheckpoint({ params, layout, model, meta: { window, thetaHash: thetaHash(params), runHash: RUN_A, manifestDigest: MANIFEST } });
    const digest = createHash('sha256').update(bytes).digest('hex');
    return { bytes, params, candidate: { window, digest, size: bytes.length, thetaHash: thetaHash(params), providers: [`peer-${window}`] } };
}
test('a lying newest checkpoint is rejected and the next one is used and stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-catchup-'));
    try {
        const honest = published(20, 20);
        const newest = published(30, 30);
        // The liar flips a weight and re-addresses the file, so the blob digest still matches.
        const lie = newest.bytes.slice();
        lie[readSafetensors(lie).header.dataStart + 100] ^= 0x08;
        const lying = { ...newest.candidate, digest: createHash('sha256').update(lie).digest('hex') };
        // An honest file of window 20 announced as window 40.
        const mislabelled = { ...honest.candidate, window: 40 };
        const blobs = new Map([[lying.digest, lie], [honest.candidate.digest, honest.bytes]]);
        const fetched = [];
        const store = new CheckpointStore(dir);
        const result = await fetchVerifiedCheckpoint([honest.candidate, lying, mislabelled], { runHash: RUN_A, layout }, {
            store,
            fetch: async (c, onBytes) => {
                fetched.push(c.window);
                const b = blobs.get(c.digest);
                if (!b)
                    throw new Error('unavailable');
                onBytes(b.length, b.length);
                return b;
            },
        });
        assert.ok(result);
        assert.deepEqual(fetched, [40, 30, 20]);
        assert.equal(result.candidate.window, 20);
        assert.deepEqual(result.checkpoint.params, honest.params);
        assert.deepEqual(result.rejected.map((r) => [r.candidate.window, r.error.code]), [[40, 'metadata'], [30, 'theta_mismatch']]);
        assert.deepEqual(store.list(), [20]);
        assert.deepEqual(store.load(20, { layout }).params, honest.params);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test('no usable candidate is a not_found error naming every failure', async () => {
    const good = published(5, 5);
    const otherRun = { layout, runHash: 'd'.repeat(64) };
    await assert.rejects(fetchVerifiedCheckpoint([good.candidate, { ...good.candidate, window: 6 }], otherRun, {
        fetch: async (c) => {
            if (c.window === 6)
                throw new Error('no provider');
            return good.bytes;
        },
    }), (e) => e instanceof CheckpointError && e.code === 'not_found' && /window 6: no provider/.test(e.message) && /window 5: run_mismatch/.test(e.message));
});
test('streamed candidates are written to the store, verified from disk into a given buffer, and removed when they lie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-catchup-'));
    try {
        const older = published(10, 10);
        const honest = published(20, 20);
        const newest = published(30, 30);
        const store = new CheckpointStore(dir, { keep: 2 });
        await store.write(10, older.bytes);
        const lie = newest.bytes.slice();
        lie[lie.length - 9] ^= 0x02;
        const blobs = new Map([[30, lie], [20, honest.bytes]]);
        async function* pieces(bytes) {
            for (let at = 0; at < bytes.length; at += 4096)
                yield bytes.subarray(at, at + 4096);
        }
        const into = new Float32Array(honest.params.length);
        const progress = [];
        const result = await fetchVerifiedCheckpoint([newest.candidate, honest.candidate], { runHash: RUN_A, layout }, {
            store, into,
            fetch: async (c, onBytes) => {
                onBytes(0, c.size);
                return pieces(blobs.get(c.window));
            },
            onProgress: (c) => progress.push(c.window),
        });
        assert.equal(result.candidate.window, 20);
        assert.equal(result.bytes, undefined);
        assert.equal(result.path, store.pathOf(20));
        assert.equal(result.checkpoint.params, into, 'verified straight into the given buffer');
        assert.deepEqual(into, honest.params);
        assert.deepEqual(result.rejected.map((r) => [r.candidate.window, r.error.code]), [[30, 'theta_mismatch']]);
        assert.deepEqual(progress, [30, 20]);
        assert.deepEqual(store.list(), [10, 20], 'the lying download is gone');
        // Only the liar left: it fails, and while unverified it did not push window 10 out (keep = 2).
        await assert.rejects(fetchVerifiedCheckpoint([newest.candidate], { layout }, {
            store, fetch: async (c) => pieces(blobs.get(c.window)),
        }), (e) => e instanceof CheckpointError && e.code === 'not_found');
        assert.deepEqual(store.list(), [10, 20]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=catch-up.test.js.map