// Aggregation: order independence, median clipping, scatter-mean, skipping a
// non-finite tensor, and the validator's one-payload apply against the set's medians.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateAndStep, compressWithFeedback, medianNorms, payloadNorms, thetaHash, } from '../../src/train/compress/index.js';
import { awkwardLayout, layoutSize, testVector } from './helpers.js';
const layout = awkwardLayout();
const n = layoutSize(layout);
const o = { chunk: 64, k: 8, demo: false };
function payloads(count, scaleOf = (i) => 1 + i) {
    return Array.from({ length: count }, (_, i) => {
        const d = testVector(n, 77 + i).map((v) => v * scaleOf(i));
        return { uid: 30 - 3 * i, payload: compressWithFeedback(new Float32Array(n), d, layout, 1, o) };
    });
}
test('the aggregate does not depend on the order payloads arrived in', () => {
    const ps = payloads(5);
    const hashes = new Set();
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 3, 0, 4, 2]]) {
        const params = testVector(n, 2);
        const stats = aggregateAndStep(params, layout, order.map((i) => ps[i]), 0.3);
        assert.deepEqual(stats.uids, [18, 21, 24, 27, 30]);
        hashes.add(thetaHash(params));
    }
    assert.equal(hashes.size, 1);
});
test('median clipping (lower middle) and scatter-mean, checked on a hand-built case', () => {
    const l = [{ name: 'x', shape: [4], offset: 0, numel: 4 }];
    const mk = (lut, indices, codes) => ({
        options: { chunk: 64, k: 2, demo: false }, layout: l,
        quant: Float32Array.of(0, 0, ...lut), indices: Uint16Array.from(indices), codes: Uint8Array.from(codes),
    });
    // norms: a = 5 (3,4), b = 1 (1 at one place... ) -> lut values chosen for exact sqrt
    const a = mk([3, 4, 0, 0], [0, 1], [0, 1]); // values 3@0, 4@1, norm 5
    const b = mk([0.6, 0.8, 0, 0], [1, 2], [0, 1]); // 0.6@1, 0.8@2, norm 1
    const c = mk([6, 8, 0, 0], [2, 3], [0, 1]); // 6@2, 8@3, norm 10
    assert.deepEqual([...payloadNorms(a), ...payloadNorms(b), ...payloadNorms(c)], [5, 1, 10]);
    const params = new Float32Array(4);
    const stats = aggregateAndStep(params, l, [{ uid: 3, payload: c }, { uid: 1, payload: a }, { uid: 2, payload: b }], 1);
    assert.equal(stats.thresholds[0], 5); // median of 1, 5, 10
    // clipped: a unchanged, b unchanged, c scaled by 0.5 -> 3@2, 4@3
    const f = Math.fround;
    assert.deepEqual([...params], [-3, -f(f(4 + 0.6) / 2), -f(f(0.8 + 3) / 2), -4]);
    // Two payloads: the lower middle is the smaller norm.
    const p2 = new Float32Array(4);
    const s2 = aggregateAndStep(p2, l, [{ uid: 1, payload: a }, { uid: 2, payload: c }], 1);
    assert.equal(s2.thresholds[0], 5);
    assert.deepEqual([...p2], [-3, -4, -3, -4]);
});
test('a tensor with a non-finite aggregate is skipped, the others are applied', () => {
    const ps = payloads(3);
    const bad = { ...ps[1].payload, quant: ps[1].payload.quant.slice() };
    bad.quant[6 * 3 + 4] = Number.NaN; // tensor 3, lut[2]
    const params = testVector(n, 2), before = params.slice();
    const stats = aggregateAndStep(params, layout, [ps[0], { uid: ps[1].uid, payload: bad }, ps[2]], 0.5);
    assert.deepEqual([...stats.skipped], [0, 0, 0, 1, 0, 0]);
    const t = layout[3];
    assert.deepEqual(params.subarray(t.offset, t.offset + t.numel), before.subarray(t.offset, t.offset + t.numel));
    assert.notDeepEqual(params.subarray(0, layout[0].numel), before.subarray(0, layout[0].numel));
});
test('validator: one payload applied with the set\'s medians equals its clipped contribution', () => {
    const ps = payloads(4, (i) => [1, 8, 0.5, 3][i]);
    const med = medianNorms(ps.map((p) => p.payload));
    for (const p of ps) {
        const params = new Float32Array(n);
        const stats = aggregateAndStep(params, layout, [p], 0.2, { medianNorms: med });
        assert.deepEqual(stats.thresholds, med);
        const norms = payloadNorms(p.payload);
        // The applied update's per-tensor norm is min(norm, median) (times lr), up to fp32 rounding.
        layout.forEach((t, ti) => {
            let s = 0;
            for (let i = t.offset; i < t.offset + t.numel; i++)
                s += params[i] ** 2;
            const want = 0.2 * Math.min(norms[ti], med[ti]);
            assert.ok(Math.abs(Math.sqrt(s) - want) <= 1e-5 * want, `tensor ${ti}: ${Math.sqrt(s)} vs ${want}`);
        });
    }
});
test('a uid listed twice is refused', () => {
    const ps = payloads(2);
    assert.throws(() => aggregateAndStep(new Float32Array(n), layout, [ps[0], { ...ps[1], uid: ps[0].uid }], 1), /twice/);
});
//# sourceMappingURL=aggregate.test.js.map