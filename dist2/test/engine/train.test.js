// Training behaviour: overfitting one batch, the event loop during a step, one call
// at a time per engine, and clear errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
const small = {
    name: 'test-small', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: true,
};
function batchOf(B, T, V, seed) {
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    let x = seed;
    for (let i = 0; i < B * T; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        inputs[i] = x % V;
        targets[i] = (x >>> 8) % V;
    }
    return { inputs, targets };
}
test('overfitting one repeated batch drives the loss toward zero', async () => {
    const engine = Engine.create(small, { batch: 2, seqLen: 16 });
    try {
        engine.initParams(1);
        const { inputs, targets } = batchOf(2, 16, 64, 5);
        const h = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 };
        const first = await engine.trainStep(inputs, targets, h);
        assert.ok(Math.abs(first.loss - Math.log(64)) < 0.1, `initial loss ${first.loss} ~ ln(64)`);
        let last = first;
        for (let s = 0; s < 150; s++)
            last = await engine.trainStep(inputs, targets, h);
        assert.ok(last.loss < 0.05, `loss after 150 steps: ${last.loss}`);
        const perSeq = await engine.evalLoss(inputs, targets, 2);
        assert.ok(perSeq.every((v) => v < 0.05));
    }
    finally {
        engine.dispose();
    }
});
test('the event loop keeps running during a train step; a second call on the engine is refused', async () => {
    // tiny (GPT-2 vocabulary) at B=4, T=64: a step takes long enough (~0.1-1 s) that a
    // blocked loop would show no tick at all; we assert ticks happened, not how many.
    const cfg = loadModelConfig('tiny');
    const engine = Engine.create(cfg, { batch: 4, seqLen: 64 });
    try {
        engine.initParams(1);
        const { inputs, targets } = batchOf(4, 64, cfg.vocab_size, 9);
        let ticks = 0;
        const timer = setInterval(() => ticks++, 1);
        const step = engine.trainStep(inputs, targets, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
        await assert.rejects(engine.forwardBackward(inputs, targets), (e) => e instanceof EngineError && /busy/.test(e.message));
        assert.throws(() => engine.adamw({ lr: 1, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 }), /busy/);
        const r = await step;
        clearInterval(timer);
        assert.ok(ticks >= 2, `only ${ticks} timer ticks during the step`);
        assert.ok(Number.isFinite(r.loss) && r.gradNorm > 0);
        assert.equal(engine.adamStep, 1);
        await engine.forwardBackward(inputs, targets); // usable again once the step is done
    }
    finally {
        engine.dispose();
    }
});
test('bad input gets a clear EngineError, never a crash', async () => {
    const engine = Engine.create(small, { batch: 2, seqLen: 4 });
    try {
        engine.initParams(1);
        const ok = new Int32Array(8).fill(1);
        const bad = async (p, re) => {
            await assert.rejects(p, (e) => e instanceof EngineError && re.test(e.message));
        };
        await bad(engine.forwardBackward(new Int32Array(7), ok), /inputs has 7 elements, expected 8/);
        await bad(engine.forwardBackward(ok, new Int32Array(9)), /targets has 9/);
        await bad(engine.forwardBackward(new Float32Array(8), ok), /Int32Array/);
        await bad(engine.forwardBackward(Int32Array.from([0, 1, 2, 64, 0, 0, 0, 0]), ok), /inputs\[3\] = 64 is not a token id/);
        await bad(engine.forwardBackward(ok, Int32Array.from([0, 1, -1, 0, 0, 0, 0, 0])), /targets\[2\] = -1/);
        await bad(engine.forwardBackward(ok, new Int32Array(8).fill(-100)), /every target is -100/);
        await bad(engine.evalLoss(ok, ok, 3), /nSeq/);
        await bad(engine.logits(ok, 0), /nSeq/);
        await bad(engine.trainStep(ok, ok, { lr: 1, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 0 }), /gradClip/);
        assert.throws(() => engine.clipGradNorm(-1), EngineError);
        assert.throws(() => Engine.create(small, { batch: 0, seqLen: 4 }), EngineError);
        assert.throws(() => Engine.create({ ...small, num_key_value_heads: 3 }, { batch: 1, seqLen: 4 }), EngineError);
        // Non-finite parameters give a non-finite loss, reported as an error.
        engine.params[5] = Number.NaN;
        await bad(engine.forwardBackward(ok, ok), /non-finite loss/);
        await bad(engine.evalLoss(ok, ok, 1), /non-finite loss/);
        // evalLoss accepts a whole batch and uses its first nSeq rows; all-ignored rows give NaN.
        engine.initParams(1);
        const tg = Int32Array.from([1, 2, 3, 4, -100, -100, -100, -100]);
        const two = await engine.evalLoss(ok, tg, 2);
        assert.ok(Number.isFinite(two[0]) && Number.isNaN(two[1]));
        const one = await engine.evalLoss(ok, tg, 1);
        assert.equal(one[0], two[0]);
    }
    finally {
        engine.dispose();
    }
});
//# sourceMappingURL=train.test.js.map