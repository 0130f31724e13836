// initParams must give the same bits on every machine and thread count: a committed
// SHA-256 of tiny's parameters for seed 1, and the spec re-implemented here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Engine } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
import { loadNative } from '../../src/native/index.js';
// SHA-256 of the fp32 little-endian parameters of config/models/tiny.json after initParams(1).
const TINY_SEED1_SHA256 = '962f246b200e1e39fe3a6aa83cf8f1f70dee7caecfa30206aa967f4a3cf0d9f8';
function sha256(a) {
    return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}
// The init spec of docs/engine.md, in BigInt arithmetic: chunk c (2^16 values) of
// tensor i is drawn from xoshiro256** seeded by SplitMix64 from
// seed ^ ((i+1)·0xD1B54A32D192ED03) ^ ((c+1)·0x8CB92BA72F3D8DD7); two 24-bit uniforms per output.
const M64 = (1n << 64n) - 1n;
const CHUNK = 1 << 16;
function specValues(seed, tensorIndex, start, count) {
    const chunk = Math.floor(start / CHUNK);
    let sm = (seed ^ (BigInt(tensorIndex + 1) * 0xd1b54a32d192ed03n) ^ (BigInt(chunk + 1) * 0x8cb92ba72f3d8dd7n)) & M64;
    const splitmix = () => {
        sm = (sm + 0x9e3779b97f4a7c15n) & M64;
        let z = sm;
        z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
        z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
        return z ^ (z >> 31n);
    };
    const s = [splitmix(), splitmix(), splitmix(), splitmix()];
    const rotl = (x, k) => ((x << k) | (x >> (64n - k))) & M64;
    const next = () => {
        const result = (rotl((s[1] * 5n) & M64, 7n) * 9n) & M64;
        const t = (s[1] << 17n) & M64;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45n);
        return result;
    };
    const out = [];
    for (let j = chunk * CHUNK; j < start + count; j++) {
        let sum = 0;
        for (let u = 0; u < 6; u++) {
            const x = next();
            sum += Number(x >> 40n) / 16777216 + Number((x >> 16n) & 0xffffffn) / 16777216;
        }
        if (j >= start)
            out.push(Math.fround((sum - 6) * 0.02));
    }
    return out;
}
test('initParams(1) on tiny matches the committed SHA-256, for 1 and 2 threads', () => {
    const processThreads = loadNative().getThreads();
    for (const threads of [1, 2]) {
        const engine = Engine.create(loadModelConfig('tiny'), { batch: 1, seqLen: 4, threads });
        try {
            engine.initParams(1);
            assert.equal(sha256(engine.params), TINY_SEED1_SHA256);
            assert.equal(loadNative().getThreads(), processThreads, 'an engine\'s threads option does not leak');
        }
        finally {
            engine.dispose();
        }
    }
});
test('initParams follows the spec: values, statistics, norm weights, seeds', () => {
    const engine = Engine.create(loadModelConfig('tiny'), { batch: 1, seqLen: 4 });
    try {
        engine.initParams(7);
        for (const [i, spec] of engine.layout.entries()) {
            const t = engine.params.subarray(spec.offset, spec.offset + spec.numel);
            if (spec.shape.length === 1) {
                assert.ok(t.every((v) => v === 1), `${spec.name} is all ones`);
                continue;
            }
            assert.deepEqual(Array.from(t.subarray(0, 5)), specValues(7n, i, 0, 5), `${spec.name} follows the spec`);
            if (t.length > CHUNK)
                assert.deepEqual(Array.from(t.subarray(CHUNK, CHUNK + 3)), specValues(7n, i, CHUNK, 3), `${spec.name}: second chunk`);
            let s = 0, s2 = 0;
            for (const v of t) {
                s += v;
                s2 += v * v;
            }
            const mean = s / t.length, std = Math.sqrt(s2 / t.length - mean * mean);
            assert.ok(Math.abs(mean) < 0.002 && Math.abs(std - 0.02) < 0.002, `${spec.name}: mean ${mean}, std ${std}`);
        }
        const seven = engine.params.slice();
        engine.initParams(8);
        assert.notDeepEqual(engine.params.subarray(0, 16), seven.subarray(0, 16));
        engine.initParams(2n ** 64n - 1n);
        assert.deepEqual(Array.from(engine.params.subarray(0, 3)), specValues(2n ** 64n - 1n, 0, 0, 3));
        assert.throws(() => engine.initParams(-1), /seed/);
    }
    finally {
        engine.dispose();
    }
});
//# sourceMappingURL=init.test.js.map