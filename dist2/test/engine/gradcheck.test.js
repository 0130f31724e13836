// Finite-difference check of the gradient of every parameter tensor. The loss is
// differentiated numerically in float64 (central differences on an independent
// float64 model, test/engine/float64-llama.ts), so the only error on the reference
// side is ~h^2 truncation (h = 1e-5: ~1e-10) and ~1e-16/h rounding (~1e-11); the
// engine's fp32 gradients carry ~1e-6 of each tensor's scale (measured 1.5e-6), so
// we accept 2e-5 of the tensor's largest |gradient|.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { float64Loss } from './float64-llama.js';
import { loadEngineFixture } from './fixtures.js';
const H = 1e-5;
const TOL = 2e-5;
for (const name of ['fd-untied', 'fd-tied']) {
    test(`finite differences agree with every parameter tensor's gradient (${name})`, async () => {
        const fx = loadEngineFixture(name);
        const c = fx.config;
        const engine = Engine.create(c, { batch: fx.batch, seqLen: fx.seqLen });
        try {
            engine.params.set(fx.params);
            const loss = await engine.forwardBackward(fx.inputs, fx.targets);
            const p64 = Float64Array.from(fx.params);
            const lossAt = () => float64Loss(c, p64, fx.inputs, fx.targets, fx.batch, fx.seqLen);
            assert.ok(Math.abs(lossAt() - loss) < 1e-5 * loss, 'float64 model and engine agree on the loss');
            let checked = 0;
            for (const spec of engine.layout) {
                const g = engine.grads.subarray(spec.offset, spec.offset + spec.numel);
                let argmax = 0;
                let scale = 0;
                for (let i = 0; i < g.length; i++)
                    if (Math.abs(g[i]) > scale) {
                        scale = Math.abs(g[i]);
                        argmax = i;
                    }
                assert.ok(scale > 0, `${spec.name}: gradient is all zero`);
                // The largest coordinate plus three spread over the tensor.
                const coords = [argmax, 1, Math.floor(g.length / 2) + 1, g.length - 2];
                for (const i of coords) {
                    const j = spec.offset + i;
                    const saved = p64[j];
                    p64[j] = saved + H;
                    const up = lossAt();
                    p64[j] = saved - H;
                    const down = lossAt();
                    p64[j] = saved;
                    const fd = (up - down) / (2 * H);
                    const err = Math.abs(fd - g[i]);
                    assert.ok(err <= TOL * scale, `${spec.name}[${i}]: engine ${g[i]} vs finite difference ${fd} (tensor scale ${scale})`);
                    checked++;
                }
            }
            assert.equal(checked, engine.layout.length * 4);
        }
        finally {
            engine.dispose();
        }
    });
}
//# sourceMappingURL=gradcheck.test.js.map