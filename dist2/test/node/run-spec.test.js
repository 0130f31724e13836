import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunSpec, validateRunSpec, runHash, toHex, canonicalJson, innerLr, RunSpecError } from '../../src/node/run-spec.js';
test('the testnet run spec loads and hashes stably', () => {
    const spec = loadRunSpec('testnet-tiny');
    const h1 = toHex(runHash(spec));
    // Key order in the file must not matter: shuffle keys and hash again.
    const shuffled = JSON.parse(JSON.stringify(spec, Object.keys(spec).reverse()));
    const h2 = toHex(runHash(validateRunSpec({ ...shuffled, ...spec })));
    assert.equal(h1, h2);
    assert.match(h1, /^[0-9a-f]{64}$/);
    const other = toHex(runHash({ ...spec, run: 'another' }));
    assert.notEqual(h1, other, 'a different run name is a different run');
});
test('canonical JSON sorts keys at every depth', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
});
test('a wrong run spec names the field', () => {
    const spec = loadRunSpec('testnet-tiny');
    assert.throws(() => validateRunSpec({ ...spec, inner: { ...spec.inner, lr: 'fast' } }), (e) => e instanceof RunSpecError && /inner\.lr/.test(e.message));
    assert.throws(() => validateRunSpec({ ...spec, compression: { ...spec.compression, k: 63 } }), /compression\.k must be even/);
    assert.throws(() => validateRunSpec({ ...spec, seqLen: 4096 }), /exceeds the model's max_position_embeddings/);
    assert.throws(() => validateRunSpec({ ...spec, extra: 1 }), /extra/);
});
test('inner LR warms up linearly then follows a cosine to the floor', () => {
    const spec = loadRunSpec('testnet-tiny');
    const { lr, warmupSteps, totalSteps, minLrRatio } = spec.inner;
    assert.equal(innerLr(spec, 0), lr / warmupSteps);
    assert.equal(innerLr(spec, warmupSteps - 1), lr);
    assert.equal(innerLr(spec, warmupSteps), lr);
    const mid = warmupSteps + (totalSteps - warmupSteps) / 2;
    assert.ok(Math.abs(innerLr(spec, mid) - (lr + lr * minLrRatio) / 2) < 1e-12);
    assert.ok(Math.abs(innerLr(spec, totalSteps * 2) - lr * minLrRatio) < 1e-12);
});
//# sourceMappingURL=run-spec.test.js.map