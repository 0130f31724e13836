// encode -> decode -> decompress, the header, the expectations, DeMo's transform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressWithFeedback, decodePayload, decompressInto, encodePayload, modelShapeHash, PayloadError, HEADER_BYTES, } from '../../src/train/compress/index.js';
import { nativeCompress } from '../../src/train/compress/native.js';
import { awkwardLayout, bytes32, layoutSize, SplitMix64, testVector } from './helpers.js';
const layout = awkwardLayout();
const n = layoutSize(layout);
const header = { version: 1, runHash: bytes32(1), window: 2 ** 40 + 3, uid: 4000000000, modelShapeHash: modelShapeHash(layout), baseThetaHash: bytes32(9) };
for (const o of [{ chunk: 64, k: 8, demo: false }, { chunk: 64, k: 64, demo: false }, { chunk: 16, k: 6, demo: true }]) {
    test(`round trip keeps every field and value (chunk ${o.chunk}, k ${o.k}, demo ${o.demo})`, () => {
        const e = new Float32Array(n);
        const delta = testVector(n, 3);
        const c = compressWithFeedback(e, delta, layout, 1, o);
        const bytes = encodePayload(header, c);
        const p = decodePayload(bytes, layout, { runHash: bytes32(1), window: header.window, uid: header.uid, options: o });
        assert.deepEqual(p.header, header);
        assert.deepEqual(p.options, o);
        assert.deepEqual(p.quant, c.quant);
        assert.deepEqual(p.indices, c.indices);
        assert.deepEqual(p.codes, c.codes);
        const dense = new Float32Array(n);
        decompressInto(p, dense);
        // What was sent plus what stayed in e is the delta (beta = 1, e started at 0).
        for (let i = 0; i < n; i++)
            assert.ok(Math.abs(dense[i] + e[i] - delta[i]) <= 1e-7 * (1 + Math.abs(delta[i])), `element ${i}`);
        // Non-DeMo: exactly k per chunk are non-zero (none of the inputs is zero).
        if (!o.demo)
            assert.equal(dense.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0), c.indices.length);
    });
}
test('bits per kept value stay under 10 on a realistic selection (k=64 of 64x64)', () => {
    const lay = [
        { name: 'q', shape: [256, 256], offset: 0, numel: 65536 },
        { name: 'n', shape: [256], offset: 65536, numel: 256 },
        { name: 'o', shape: [192, 256], offset: 65792, numel: 49152 },
    ];
    const m = layoutSize(lay);
    const c = compressWithFeedback(new Float32Array(m), testVector(m, 8), lay, 1, { chunk: 64, k: 64, demo: false });
    const bytes = encodePayload({ ...header, modelShapeHash: modelShapeHash(lay) }, c);
    const bits = ((bytes.length - HEADER_BYTES) * 8) / c.indices.length;
    assert.ok(bits < 10, `bits per value ${bits}`);
});
test('expectations: each mismatch is a PayloadError naming the field', () => {
    const o = { chunk: 64, k: 8, demo: false };
    const bytes = encodePayload(header, compressWithFeedback(new Float32Array(n), testVector(n, 3), layout, 1, o));
    const cases = [
        [{ runHash: bytes32(2) }, 'wrong_run'],
        [{ window: 5 }, 'wrong_window'],
        [{ uid: 1 }, 'wrong_uid'],
        [{ baseThetaHash: bytes32(3) }, 'wrong_base_theta'],
        [{ options: { chunk: 64, k: 16, demo: false } }, 'wrong_options'],
    ];
    for (const [expect, code] of cases) {
        assert.throws(() => decodePayload(bytes, layout, expect), (e) => e instanceof PayloadError && e.code === code);
    }
    const other = awkwardLayout().slice(0, 5);
    assert.throws(() => decodePayload(bytes, other), (e) => e instanceof PayloadError && e.code === 'tensor_set');
    const renamed = awkwardLayout().map((t, i) => (i === 2 ? { ...t, name: 'renamed' } : t));
    assert.throws(() => decodePayload(bytes, renamed), (e) => e instanceof PayloadError && e.code === 'wrong_model_shape');
});
test('DeMo: the reproducible cosine matches Math.cos and the 2-D DCT is orthonormal', () => {
    const nc = nativeCompress();
    for (const den of [2, 8, 26, 37, 64, 128]) {
        for (let num = -3 * den; num <= 3 * den; num++) {
            assert.ok(Math.abs(nc.reproducibleCosPi(num, den) - Math.cos((Math.PI * num) / den)) < 4e-15, `${num}/${den}`);
        }
    }
    // Dense decompression of a payload keeping every coefficient inverts the DCT.
    const l = [{ name: 'x', shape: [12, 20], offset: 0, numel: 240 }];
    const d = testVector(240, 4);
    const e = new Float32Array(240);
    const c = compressWithFeedback(e, d, l, 1, { chunk: 64, k: 240, demo: true });
    const out = new Float32Array(240);
    decompressInto(c, out);
    for (let i = 0; i < 240; i++)
        assert.ok(Math.abs(out[i] + e[i] - d[i]) < 1e-7, `element ${i}`);
    // Orthonormal: a one-hot input has unit energy in the DCT domain (Parseval). With
    // k = 2 the 2-bit LUT holds the two largest coefficients exactly (two bins of one).
    const hot = new Float32Array(240);
    hot[17] = 1;
    const full = compressWithFeedback(new Float32Array(240), hot, l, 1, { chunk: 64, k: 240, demo: true });
    const dense = new Float32Array(240);
    const lut = full.quant.slice(2);
    let energy = 0;
    for (let i = 0; i < 240; i++)
        energy += lut[full.codes[i]] ** 2;
    assert.ok(energy > 0.2 && energy < 5, `energy ${energy}`);
    decompressInto(full, dense);
    assert.ok(dense.every((v) => Number.isFinite(v)));
});
test('index coding round-trips arbitrary sorted index sets (long and short gaps, every bit alignment)', () => {
    // Hand-built payloads: one 64x64 chunk per tensor, indices drawn with a gap
    // distribution that mixes 0-gaps and gaps of thousands, so unary runs end at every
    // position of the decoder's 64-bit word (a one at bit 63 once broke the decoder).
    const l = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, shape: [64, 64], offset: 4096 * i, numel: 4096 }));
    const o = { chunk: 64, k: 64, demo: false };
    const r = new SplitMix64(42);
    for (let round = 0; round < 60; round++) {
        const indices = new Uint16Array(64 * l.length);
        for (let t = 0; t < l.length; t++) {
            const set = new Set();
            const spread = [4, 64, 4096][round % 3];
            const start = Math.floor(r.uniform() * (4096 - spread));
            while (set.size < 64)
                set.add(r.uniform() < 0.3 ? Math.floor(r.uniform() * 4096) : start + Math.floor(r.uniform() * spread));
            indices.set([...set].sort((a, b) => a - b), 64 * t);
        }
        const codes = Uint8Array.from({ length: indices.length }, () => Math.floor(r.uniform() * 4));
        const quant = new Float32Array(6 * l.length).map((_, i) => (i % 6 === 1 ? 0.5 : i % 6 - 3));
        const c = { options: o, layout: l, quant, indices, codes };
        const p = decodePayload(encodePayload({ ...header, modelShapeHash: modelShapeHash(l) }, c), l);
        assert.deepEqual(p.indices, indices);
        assert.deepEqual(p.codes, codes);
    }
});
test('index coding: a long run of zeros ending at every bit position of the decoder word', () => {
    // Runs of consecutive indices (Rice parameter 0, one bit each) and one jump of J
    // zeros: sweeping the run length and J puts the terminating one at every bit
    // offset, including bit 63 of a freshly loaded 64-bit word.
    const o = { chunk: 64, k: 64, demo: false };
    const l = [{ name: 't', shape: [64, 64], offset: 0, numel: 4096 }];
    for (let a = 1; a <= 9; a++) {
        for (let jump = 56; jump <= 136; jump++) {
            const idx = Array.from({ length: 64 }, (_, j) => (j < a ? j : j + jump));
            const c = { options: o, layout: l, quant: Float32Array.of(0, 1, -1, 0, 0, 1), indices: Uint16Array.from(idx), codes: new Uint8Array(64) };
            const p = decodePayload(encodePayload({ ...header, modelShapeHash: modelShapeHash(l) }, c), l);
            assert.deepEqual([...p.indices], idx, `a=${a} jump=${jump}`);
        }
    }
});
//# sourceMappingURL=roundtrip.test.js.map