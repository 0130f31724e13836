// The engine against PyTorch (float64) on fixed tiny LLaMAs: logits, loss,
// per-sequence eval loss and the gradient of every parameter tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { loadEngineFixture, scaledMaxError } from './fixtures.js';
// fp32 engine vs float64 reference: errors come from fp32 rounding through ~2 layers
// (relative ~1e-7 per op, a few hundred ops deep), so 1e-5 of each tensor's scale
// leaves a margin of ~10x over what we measure while catching any real mistake
// (a wrong sign, scale or index shows up at 1e-2 or more).
const TOL = 1e-5;
for (const name of ['fd-untied', 'fd-tied']) {
    test(`engine matches the PyTorch reference (${name})`, async () => {
        const fx = loadEngineFixture(name);
        const engine = Engine.create(fx.config, { batch: fx.batch, seqLen: fx.seqLen });
        try {
            assert.equal(engine.numParams, fx.params.length);
            engine.params.set(fx.params);
            const logits = await engine.logits(fx.inputs, fx.batch);
            assert.equal(logits.length, fx.logits.length);
            const logitErr = scaledMaxError(logits, fx.logits);
            assert.ok(logitErr < TOL, `logits: scaled error ${logitErr}`);
            const perSeq = await engine.evalLoss(fx.inputs, fx.targets, fx.batch);
            assert.ok(scaledMaxError(perSeq, fx.perSeqLoss) < TOL, `per-sequence loss ${perSeq} vs ${fx.perSeqLoss}`);
            const first = await engine.evalLoss(fx.inputs, fx.targets, 1);
            assert.ok(Math.abs(first[0] - fx.perSeqLoss[0]) < TOL * fx.perSeqLoss[0]);
            const loss = await engine.forwardBackward(fx.inputs, fx.targets);
            assert.ok(Math.abs(loss - fx.loss) < TOL * fx.loss, `loss ${loss} vs ${fx.loss}`);
            for (const spec of engine.layout) {
                const ref = fx.grads.get(spec.name);
                assert.ok(ref, `fixture lacks ${spec.name}`);
                const got = engine.grads.subarray(spec.offset, spec.offset + spec.numel);
                const err = scaledMaxError(got, ref);
                assert.ok(err < TOL, `${spec.name}: scaled gradient error ${err}`);
            }
        }
        finally {
            engine.dispose();
        }
    });
}
test('the reference check can fail: a perturbed weight is detected', async () => {
    const fx = loadEngineFixture('fd-untied');
    const engine = Engine.create(fx.config, { batch: fx.batch, seqLen: fx.seqLen });
    try {
        engine.params.set(fx.params);
        const spec = engine.layout.find((s) => s.name === 'model.layers.1.self_attn.k_proj.weight');
        engine.params[spec.offset + 3] += 1e-3;
        const logits = await engine.logits(fx.inputs, fx.batch);
        assert.ok(scaledMaxError(logits, fx.logits) > TOL);
    }
    finally {
        engine.dispose();
    }
});
//# sourceMappingURL=reference.test.js.map