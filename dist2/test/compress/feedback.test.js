// Error feedback over many windows: sent + remaining e = sum of deltas (beta = 1),
// and e_w = beta*e_{w-1} + delta_w - sent_w for beta < 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressWithFeedback, decompressInto } from '../../src/train/compress/index.js';
import { awkwardLayout, layoutSize, testVector } from './helpers.js';
const layout = awkwardLayout();
const n = layoutSize(layout);
for (const o of [{ chunk: 64, k: 8, demo: false }, { chunk: 16, k: 6, demo: true }]) {
    test(`beta = 1: what was sent plus e equals the sum of the deltas over 40 windows (demo ${o.demo})`, () => {
        const e = new Float32Array(n);
        const sent = new Float64Array(n), deltas = new Float64Array(n), dense = new Float32Array(n);
        let sentNonZero = 0;
        for (let w = 0; w < 40; w++) {
            const d = testVector(n, 500 + w);
            for (let i = 0; i < n; i++)
                deltas[i] += d[i];
            decompressInto(compressWithFeedback(e, d, layout, 1, o), dense);
            for (let i = 0; i < n; i++) {
                sent[i] += dense[i];
                if (dense[i] !== 0)
                    sentNonZero++;
            }
        }
        assert.ok(sentNonZero > 0);
        let worst = 0;
        for (let i = 0; i < n; i++)
            worst = Math.max(worst, Math.abs(sent[i] + e[i] - deltas[i]));
        // fp32 rounding of e per window: 40 windows x ulp of values ~0.05
        assert.ok(worst < 1e-6, `worst deviation ${worst}`);
    });
}
test('beta = 0.8: each window follows e <- beta*e + delta - decompress(C)', () => {
    const o = { chunk: 64, k: 8, demo: false };
    const e = new Float32Array(n), dense = new Float32Array(n);
    for (let w = 0; w < 20; w++) {
        const prev = Float64Array.from(e);
        const d = testVector(n, 900 + w);
        decompressInto(compressWithFeedback(e, d, layout, 0.8, o), dense);
        let worst = 0;
        for (let i = 0; i < n; i++) {
            const want = Math.fround(0.8) * prev[i] + d[i] - dense[i];
            worst = Math.max(worst, Math.abs(e[i] - want));
        }
        assert.ok(worst < 1e-8, `window ${w}: worst deviation ${worst}`);
    }
    // The buffer stays bounded (what is not sent decays geometrically).
    assert.ok(e.every((v) => Math.abs(v) < 0.1));
});
//# sourceMappingURL=feedback.test.js.map