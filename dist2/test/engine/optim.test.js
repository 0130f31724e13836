// Gradient clipping and one AdamW step against values computed here in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { loadEngineFixture } from './fixtures.js';
function setup() {
    const fx = loadEngineFixture('fd-untied');
    const engine = Engine.create(fx.config, { batch: 1, seqLen: 4 });
    engine.params.set(fx.params);
    // Deterministic, varied gradients (signs and magnitudes).
    for (let i = 0; i < engine.numParams; i++)
        engine.grads[i] = Math.fround(Math.sin(i * 0.37) * 0.01 * (1 + (i % 7)));
    return engine;
}
test('clipGradNorm returns the global L2 norm and scales only when above the limit', () => {
    const engine = setup();
    try {
        const g0 = Float64Array.from(engine.grads);
        const norm = Math.sqrt(g0.reduce((a, v) => a + v * v, 0));
        assert.ok(Math.abs(engine.clipGradNorm(norm * 2) - norm) < 1e-6 * norm);
        assert.deepEqual(Float64Array.from(engine.grads), g0, 'no change below the limit');
        const got = engine.clipGradNorm(0.5);
        assert.ok(Math.abs(got - norm) < 1e-6 * norm);
        const c = 0.5 / (norm + 1e-6);
        for (let i = 0; i < g0.length; i += 97)
            assert.ok(Math.abs(engine.grads[i] - g0[i] * c) <= 1e-7 * Math.abs(g0[i]) + 1e-12);
        const after = Math.sqrt(Array.from(engine.grads).reduce((a, v) => a + v * v, 0));
        assert.ok(Math.abs(after - 0.5) < 1e-5);
    }
    finally {
        engine.dispose();
    }
});
test('one AdamW step matches the hand-computed update (bias correction, decay on 2-D tensors only)', () => {
    const engine = setup();
    try {
        const h = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
        // Resume from a state with nonzero moments at step 4, so the bias correction is for t = 5.
        for (let i = 0; i < engine.numParams; i++) {
            engine.adamM[i] = Math.fround(Math.cos(i * 0.11) * 1e-3);
            engine.adamV[i] = Math.fround((1 + Math.sin(i * 0.05)) * 1e-5);
        }
        engine.adamStep = 4;
        const p0 = Float64Array.from(engine.params), g = Float64Array.from(engine.grads);
        const m0 = Float64Array.from(engine.adamM), v0 = Float64Array.from(engine.adamV);
        engine.adamw(h);
        assert.equal(engine.adamStep, 5);
        const t = 5;
        for (const spec of engine.layout) {
            const decayed = spec.shape.length === 2;
            for (let i = spec.offset; i < spec.offset + spec.numel; i += 13) {
                const m = h.beta1 * m0[i] + (1 - h.beta1) * g[i];
                const v = h.beta2 * v0[i] + (1 - h.beta2) * g[i] * g[i];
                const mHat = m / (1 - h.beta1 ** t), vHat = v / (1 - h.beta2 ** t);
                const p = p0[i] * (decayed ? 1 - h.lr * h.weightDecay : 1) - h.lr * mHat / (Math.sqrt(vHat) + h.eps);
                // fp32 rounding is relative to the terms summed, which may cancel.
                const mScale = Math.abs(h.beta1 * m0[i]) + Math.abs((1 - h.beta1) * g[i]);
                assert.ok(Math.abs(engine.adamM[i] - m) <= 1e-6 * mScale + 1e-15, `${spec.name} m: ${engine.adamM[i]} vs ${m}`);
                assert.ok(Math.abs(engine.adamV[i] - v) <= 1e-6 * v + 1e-15, `${spec.name} v: ${engine.adamV[i]} vs ${v}`);
                // fp32 arithmetic on a value of size ~1: a few ulps of p plus a few ulps of the step.
                assert.ok(Math.abs(engine.params[i] - p) <= 4e-7 * Math.abs(p) + 1e-8, `${spec.name}[${i - spec.offset}]: ${engine.params[i]} vs ${p}`);
            }
        }
        // A norm weight with zero gradient and zero moments must stay put (no decay).
        const norm = engine.layout.find((s) => s.name === 'model.norm.weight');
        engine.grads.fill(0);
        engine.adamM.fill(0);
        engine.adamV.fill(0);
        const before = engine.params[norm.offset];
        const emb = engine.params[0];
        engine.adamw(h);
        assert.equal(engine.params[norm.offset], before);
        assert.equal(engine.params[0], Math.fround(emb * Math.fround(1 - h.lr * h.weightDecay)));
        assert.throws(() => engine.adamw({ ...h, beta1: 1 }), /AdamW/);
        assert.throws(() => { engine.adamStep = -1; }, /adamStep/);
    }
    finally {
        engine.dispose();
    }
});
//# sourceMappingURL=optim.test.js.map