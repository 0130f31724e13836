// Copy detection: overlap of kept positions and attribution by first-seen time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectionOverlap, detectCopies } from '../../src/validate/index.js';
// One 8×8 weight (chunk 4: four 4×4 chunks, k = 4 of 16) and a 1-D norm of 4 (one
// chunk that keeps all 4 values: left out of the measure).
const layout = [
    { name: 'w', shape: [8, 8], offset: 0, numel: 64 },
    { name: 'norm', shape: [4], offset: 64, numel: 4 },
];
const options = { chunk: 4, k: 4, demo: false };
function payload(chunks) {
    const indices = new Uint16Array([...chunks.flat(), 0, 1, 2, 3]);
    return { options, layout, quant: new Float32Array(12), indices, codes: new Uint8Array(indices.length) };
}
test('overlap counts shared (chunk, index) positions over the kept ones', () => {
    const a = payload([[0, 1, 2, 3], [4, 5, 6, 7], [0, 5, 10, 15], [1, 2, 3, 4]]);
    const b = payload([[0, 1, 8, 9], [4, 5, 6, 7], [1, 6, 11, 14], [2, 3, 4, 5]]);
    // shared: 2 + 4 + 0 + 3 = 9 of 16 (the same index in another chunk does not count)
    assert.equal(selectionOverlap(a, b), 9 / 16);
    assert.equal(selectionOverlap(b, a), 9 / 16);
    assert.equal(selectionOverlap(a, a), 1);
});
test('the later announcement loses; ties lose both; low overlap is no copy', () => {
    const orig = payload([[0, 1, 2, 3], [4, 5, 6, 7], [0, 5, 10, 15], [1, 2, 3, 4]]);
    const copy = payload([[0, 1, 2, 3], [4, 5, 6, 7], [0, 5, 10, 15], [1, 2, 3, 5]]); // 15/16
    const other = payload([[8, 9, 10, 11], [0, 1, 2, 3], [1, 2, 3, 4], [5, 6, 7, 8]]); // 2/16 with orig
    // The copier has the lower uid but was heard later.
    const f = detectCopies([
        { uid: 9, payload: orig, firstSeenMs: 1000 },
        { uid: 2, payload: copy, firstSeenMs: 1500 },
        { uid: 5, payload: other, firstSeenMs: 900 },
    ], 0.4);
    assert.deepEqual(f, [{ copier: 2, original: 9, overlap: 15 / 16 }]);
    const tie = detectCopies([{ uid: 9, payload: orig, firstSeenMs: 7 }, { uid: 2, payload: copy, firstSeenMs: 7 }], 0.4);
    assert.deepEqual(tie.map((x) => x.copier).sort(), [2, 9]);
    // Exactly at the threshold counts: 8/16 = 0.5.
    const half = payload([[0, 1, 8, 9], [4, 5, 8, 9], [0, 5, 1, 2].sort((x, y) => x - y), [1, 2, 8, 9]]);
    assert.equal(selectionOverlap(orig, half), 8 / 16);
    assert.equal(detectCopies([{ uid: 1, payload: orig, firstSeenMs: 1 }, { uid: 3, payload: half, firstSeenMs: 2 }], 0.5).length, 1);
});
//# sourceMappingURL=overlap.test.js.map