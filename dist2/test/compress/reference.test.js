// The native core against the plain TypeScript reference written from the spec
// (docs/compression.md), bit for bit, including exact ties in |value|.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateAndStep, compressWithFeedback, chunking } from '../../src/train/compress/index.js';
import { awkwardLayout, layoutSize, testVector } from './helpers.js';
import { refAggregate, refCompress } from './reference.js';
const layout = awkwardLayout();
const n = layoutSize(layout);
function sameBits(a, b, what) {
    assert.equal(a.length, b.length);
    const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < ua.length; i++)
        if (ua[i] !== ub[i])
            assert.fail(`${what}[${i}]: ${a[i]} != ${b[i]}`);
}
for (const o of [{ chunk: 64, k: 8, demo: false }, { chunk: 16, k: 32, demo: false }, { chunk: 8, k: 2, demo: false }]) {
    test(`compress + aggregate equal the reference bit for bit (chunk ${o.chunk}, k ${o.k})`, () => {
        const geo = chunking(layout, o);
        assert.deepEqual(geo.map((g) => [g.br, g.bc]).slice(0, 3), o.chunk === 64 ? [[48, 40], [37, 64], [1, 26]] : geo.map((g) => [g.br, g.bc]).slice(0, 3));
        const eNative = [new Float32Array(n), new Float32Array(n)], eRef = [new Float32Array(n), new Float32Array(n)];
        const pNative = testVector(n, 5), pRef = pNative.slice();
        for (let w = 0; w < 3; w++) {
            const natives = [0, 1].map((i) => compressWithFeedback(eNative[i], testVector(n, 100 + 10 * w + i), layout, 0.9, o));
            const refs = [0, 1].map((i) => refCompress(eRef[i], testVector(n, 100 + 10 * w + i), layout, 0.9, o));
            for (let i = 0; i < 2; i++) {
                sameBits(natives[i].quant, refs[i].quant, 'quant');
                assert.deepEqual(natives[i].indices, refs[i].indices);
                assert.deepEqual(natives[i].codes, refs[i].codes);
                sameBits(eNative[i], eRef[i], 'error buffer');
            }
            aggregateAndStep(pNative, layout, [{ uid: 9, payload: natives[1] }, { uid: 4, payload: natives[0] }], 0.7);
            refAggregate(pRef, layout, refs, 0.7, o);
            sameBits(pNative, pRef, 'params');
        }
    });
}
test('top-k tie-break: among equal |values| the lower index wins, sign does not matter', () => {
    const l = [{ name: 'x', shape: [8], offset: 0, numel: 8 }];
    const d = Float32Array.of(1, -3, 3, 2, -3, 3, 0.5, -2);
    const c = compressWithFeedback(new Float32Array(8), d, l, 1, { chunk: 64, k: 4, demo: false });
    assert.deepEqual([...c.indices], [1, 2, 4, 5]);
    const c2 = compressWithFeedback(new Float32Array(8), d, l, 1, { chunk: 64, k: 2, demo: false });
    assert.deepEqual([...c2.indices], [1, 2]);
});
test('quantisation: bins at shift-scale, shift, shift+scale; LUT holds the bin means', () => {
    const l = [{ name: 'x', shape: [8], offset: 0, numel: 8 }];
    const d = Float32Array.of(-4, -1, -0.5, 0, 0.25, 1, 2, 6);
    const c = compressWithFeedback(new Float32Array(8), d, l, 1, { chunk: 64, k: 8, demo: false });
    const mean = d.reduce((a, b) => a + b, 0) / 8;
    const sigma = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 8);
    assert.equal(c.quant[0], Math.fround(mean));
    assert.equal(c.quant[1], Math.fround(1.5 * sigma));
    const [shift, scale] = [c.quant[0], c.quant[1]];
    const want = [...d].map((v) => (v >= Math.fround(shift - scale) ? 1 : 0) + (v >= shift ? 1 : 0) + (v >= Math.fround(shift + scale) ? 1 : 0));
    assert.deepEqual([...c.codes], want);
    for (let b = 0; b < 4; b++) {
        const members = [...d].filter((_, i) => want[i] === b);
        assert.equal(c.quant[2 + b], members.length ? Math.fround(members.reduce((a, v) => a + v, 0) / members.length) : 0);
    }
});
//# sourceMappingURL=reference.test.js.map