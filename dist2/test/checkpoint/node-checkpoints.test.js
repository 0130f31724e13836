// The node's checkpoint writer (src/node/checkpoints.ts) works off the event loop:
// θ hashed on the worker, the file written from views of θ, the blob digest taken on
// the worker. The result must be the very bytes encodeCheckpoint makes, stored under
// their SHA-256.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { encodeCheckpoint } from '../../src/train/checkpoint/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { sharedFloat32 } from '../../src/train/compress/offload.js';
import { parameterLayout } from '../../src/train/model-config.js';
import { Checkpoints } from '../../src/node/checkpoints.js';
import { deterministicParams, smallModel, RUN_A, MANIFEST } from './helpers.js';
test('Checkpoints.write stores encodeCheckpoint\'s bytes under their digest, θ in shared memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-node-ckpt-'));
    try {
        const model = smallModel();
        const layout = parameterLayout(model);
        const plain = deterministicParams(model, 3);
        const theta = sharedFloat32(plain.length);
        theta.set(plain);
        const put = [];
        const p2p = {
            peerId: 'me',
            store: { putVerified: async (digest, bytes) => void put.push({ digest, bytes }) },
        };
        const c = new Checkpoints({ dataDir: dir, keep: 2, model, layout, runHash: new Uint8Array(32), runHashHex: RUN_A, p2p, log: pino({ level: 'silent' }) });
        const hash = thetaHash(plain);
        const cand = await c.write(theta, { window: 9, digest: MANIFEST }, hash);
        const expected = encodeCheckpoint({ params: plain, layout, model, meta: { window: 9, thetaHash: hash, runHash: RUN_A, manifestDigest: MANIFEST } });
        const digest = createHash('sha256').update(expected).digest('hex');
        assert.equal(put.length, 1);
        assert.equal(put[0].digest, digest);
        assert.deepEqual(Buffer.from(put[0].bytes), Buffer.from(expected));
        assert.deepEqual(readFileSync(c.store.pathOf(9)), Buffer.from(expected));
        assert.equal(cand.digest, digest);
        await assert.rejects(c.write(theta, { window: 10, digest: MANIFEST }, 'ee'.repeat(32)), /hash to/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=node-checkpoints.test.js.map