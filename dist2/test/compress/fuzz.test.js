// Bounded fuzzing in CI (the bench runs more: npm run bench -- compress --fuzz N).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressWithFeedback, encodePayload, modelShapeHash, decodePayload, PayloadError } from '../../src/train/compress/index.js';
import { awkwardLayout, bytes32, layoutSize, testVector } from './helpers.js';
import { fuzzPayloads } from './fuzz.js';
const layout = awkwardLayout();
const n = layoutSize(layout);
for (const o of [{ chunk: 64, k: 8, demo: false }, { chunk: 16, k: 6, demo: true }]) {
    test(`fuzz: 1500 mutated, truncated and random payloads, zero crashes (demo ${o.demo})`, () => {
        const valid = [1, 2, 3].map((s) => encodePayload({ version: 1, runHash: bytes32(s), window: s, uid: s, modelShapeHash: modelShapeHash(layout), baseThetaHash: bytes32(0) }, compressWithFeedback(new Float32Array(n), testVector(n, s), layout, 1, o)));
        const rep = fuzzPayloads(valid, layout, o, 1500, o.demo ? 2 : 1);
        assert.deepEqual(rep.failures, []);
        assert.ok(Object.keys(rep.rejected).length >= 6, JSON.stringify(rep.rejected));
    });
}
test('each malformed field gets its own error code', () => {
    const o = { chunk: 64, k: 8, demo: false };
    const good = encodePayload({ version: 1, runHash: bytes32(1), window: 1, uid: 1, modelShapeHash: modelShapeHash(layout), baseThetaHash: bytes32(0) }, compressWithFeedback(new Float32Array(n), testVector(n, 1), layout, 1, o));
    const dv = (b) => new DataView(b.buffer);
    const cases = [
        ['truncated', (b) => b.slice(0, 100)],
        ['truncated', (b) => b.slice(0, b.length - 1)],
        ['bad_magic', (b) => (b[0] = 0, b)],
        ['bad_version', (b) => (dv(b).setUint16(4, 2, true), b)],
        ['bad_flags', (b) => (b[6] = 4, b)],
        ['reserved', (b) => (b[7] = 1, b)],
        ['bad_chunk', (b) => (dv(b).setUint16(8, 0, true), b)],
        ['bad_k', (b) => (dv(b).setUint16(10, 7, true), b)],
        ['tensor_set', (b) => (dv(b).setUint32(12, 5, true), b)],
        ['bad_window', (b) => (dv(b).setBigUint64(16, 2n ** 60n, true), b)],
        ['wrong_model_shape', (b) => (b[70] ^= 1, b)],
        ['tensor_set', (b) => (dv(b).setUint32(128, 1, true), b)],
        ['chunk_grid', (b) => (dv(b).setUint16(132, 32, true), b)],
        ['bad_k', (b) => (dv(b).setUint16(144, 6, true), b)],
        ['bad_rice', (b) => (b[146] = 16, b)],
        ['non_finite', (b) => (dv(b).setFloat32(148, Number.NaN, true), b)],
        ['scale_out_of_bounds', (b) => (dv(b).setFloat32(152, -1, true), b)],
        ['scale_out_of_bounds', (b) => (dv(b).setFloat32(152, 2e6, true), b)],
        ['value_out_of_bounds', (b) => (dv(b).setFloat32(160, 1e7, true), b)],
        ['non_finite', (b) => (dv(b).setFloat32(164, Number.POSITIVE_INFINITY, true), b)],
        ['truncated', (b) => (dv(b).setUint32(172, 1e9, true), b)],
        ['index_out_of_chunk', (b) => (b[176] = 0, b[177] = 0, b[178] = 0, b[179] = 0, b[180] = 0, b)],
        ['length', (b) => Uint8Array.from([...b, 0])],
    ];
    for (const [code, mutate] of cases) {
        const b = mutate(good.slice());
        assert.throws(() => decodePayload(b, layout), (e) => {
            assert.ok(e instanceof PayloadError, String(e));
            assert.equal(e.code, code, `${e.message}`);
            return true;
        });
    }
    assert.throws(() => decodePayload('nope', layout), (e) => e instanceof PayloadError && e.code === 'not_bytes');
});
//# sourceMappingURL=fuzz.test.js.map