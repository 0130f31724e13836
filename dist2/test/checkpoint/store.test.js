// CheckpointStore: retention, reading back, skipping a damaged newest checkpoint,
// and a real writer process killed with SIGKILL halfway through a large checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointError, CheckpointStore, encodeCheckpoint, encodeCheckpointChunks } from '../../src/train/checkpoint/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { parameterLayout } from '../../src/train/model-config.js';
import { deterministicParams, smallModel, RUN_A, MANIFEST } from './helpers.js';
function checkpointOf(model, window, seed) {
    const params = deterministicParams(model, seed);
    const bytes = encodeCheckpoint({
        params, layout: parameterLayout(model), model,
        meta: { window, thetaHash: thetaHash(params), runHash: RUN_A, manifestDigest: MANIFEST },
    });
    return { bytes, params };
}
function tempDir() {
    return mkdtempSync(join(tmpdir(), 'gm-ckpt-store-'));
}
test('the store keeps the newest K checkpoints and reads them back verified', async () => {
    const dir = tempDir();
    try {
        const model = smallModel();
        const layout = parameterLayout(model);
        const store = new CheckpointStore(dir, { keep: 3 });
        assert.equal(store.latest(), null);
        const written = new Map();
        for (const w of [10, 20, 5, 30, 40]) {
            const { bytes, params } = checkpointOf(model, w, w);
            await store.write(w, bytes);
            written.set(w, params);
        }
        assert.deepEqual(store.list(), [20, 30, 40]);
        assert.deepEqual(store.latest(), { window: 40, path: store.pathOf(40) });
        assert.deepEqual(store.read(30), checkpointOf(model, 30, 30).bytes);
        assert.deepEqual(store.load(20, { runHash: RUN_A, layout }).params, written.get(20));
        assert.equal(store.meta(40).window, 40);
        assert.throws(() => store.read(10), (e) => e instanceof CheckpointError && e.code === 'not_found');
        // Written from pieces (as a streamed download would be), identical on disk.
        const chunks = encodeCheckpointChunks({
            params: written.get(40), layout, model,
            meta: { window: 50, thetaHash: thetaHash(written.get(40)), runHash: RUN_A, manifestDigest: MANIFEST },
        });
        await store.write(50, chunks);
        assert.deepEqual(store.load(50, { layout }).params, written.get(40));
        assert.deepEqual(store.list(), [30, 40, 50]);
        assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test('loadLatest skips a damaged newest checkpoint and reports it', async () => {
    const dir = tempDir();
    try {
        const model = smallModel();
        const store = new CheckpointStore(dir, { keep: 5 });
        const good = checkpointOf(model, 1, 1);
        await store.write(1, good.bytes);
        await store.write(2, checkpointOf(model, 2, 2).bytes);
        const path2 = store.pathOf(2);
        const damaged = new Uint8Array(readFileSync(path2));
        damaged[damaged.length - 3] ^= 0x40; // bit rot in the last tensor
        writeFileSync(path2, damaged);
        const loaded = store.loadLatest({ runHash: RUN_A, layout: parameterLayout(model) });
        assert.ok(loaded);
        assert.equal(loaded.window, 1);
        assert.deepEqual(loaded.params, good.params);
        assert.deepEqual(loaded.skipped.map((s) => [s.window, s.error.code]), [[2, 'theta_mismatch']]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test('a checkpoint write killed midway (SIGKILL) leaves the previous checkpoint intact', async () => {
    const dir = tempDir();
    try {
        // ~13 MB of parameters: a "large" checkpoint written in 64 KiB pieces.
        const model = smallModel({ vocab_size: 50304, hidden_size: 64, intermediate_size: 176, tie_word_embeddings: true });
        const layout = parameterLayout(model);
        const previous = checkpointOf(model, 100, 100);
        await new CheckpointStore(dir).write(100, previous.bytes);
        const child = spawn(process.execPath, [
            fileURLToPath(new URL('./slow-writer-child.js', import.meta.url)), dir, JSON.stringify(model), '101', '101',
        ], { stdio: ['ignore', 'pipe', 'inherit'] });
        const exited = new Promise((resolve) => {
            child.on('exit', (code, signal) => resolve({ code, signal }));
        });
        let out = '';
        const half = await new Promise((resolve, reject) => {
            child.stdout.setEncoding('utf8');
            child.stdout.on('data', (d) => {
                out += d;
                if (out.includes('\n'))
                    resolve(out.split('\n')[0]);
            });
            void exited.then(() => reject(new Error(`writer exited before half way: ${out}`)));
        });
        const [, writtenText, totalText] = half.split(' ');
        // The torn temporary file is there, with half of the new checkpoint in it.
        const tmp = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
        assert.equal(tmp.length, 1);
        assert.equal(statSync(join(dir, tmp[0])).size, Number(writtenText));
        assert.ok(Number(writtenText) < Number(totalText));
        child.kill('SIGKILL');
        assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' });
        const store = new CheckpointStore(dir);
        assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'the dead writer\'s temporary file is removed');
        assert.deepEqual(store.list(), [100]);
        const loaded = store.loadLatest({ runHash: RUN_A, layout });
        assert.ok(loaded);
        assert.equal(loaded.window, 100);
        assert.equal(loaded.meta.thetaHash, thetaHash(previous.params));
        assert.deepEqual(loaded.params, previous.params);
        assert.deepEqual(loaded.skipped, []);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=store.test.js.map