// The Float32Array views are the engine's own memory (no copies), in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { loadEngineFixture } from './fixtures.js';
test('a write through the params view changes the engine forward pass', async () => {
    const fx = loadEngineFixture('fd-tied');
    const engine = Engine.create(fx.config, { batch: fx.batch, seqLen: fx.seqLen });
    try {
        engine.params.set(fx.params);
        const before = await engine.logits(fx.inputs, 1);
        // Zero the final norm weight: every logit becomes exactly 0.
        const norm = engine.layout.find((s) => s.name === 'model.norm.weight');
        engine.params.fill(0, norm.offset, norm.offset + norm.numel);
        const after = await engine.logits(fx.inputs, 1);
        assert.ok(before.some((v) => v !== 0));
        assert.ok(after.every((v) => v === 0));
    }
    finally {
        engine.dispose();
    }
});
test('the engine writes (forwardBackward, adamw, initParams) are visible through the views', async () => {
    const fx = loadEngineFixture('fd-untied');
    const engine = Engine.create(fx.config, { batch: fx.batch, seqLen: fx.seqLen });
    try {
        const params = engine.params;
        engine.params.set(fx.params);
        engine.grads.fill(123);
        await engine.forwardBackward(fx.inputs, fx.targets);
        assert.ok(!engine.grads.includes(123), 'gradients were overwritten in place');
        const snapshot = params.slice();
        engine.adamw({ lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
        assert.equal(engine.params, params, 'the same view object');
        let changed = 0;
        for (let i = 0; i < params.length; i++)
            if (params[i] !== snapshot[i])
                changed++;
        assert.ok(changed > params.length * 0.8, `${changed} of ${params.length} parameters moved`);
        assert.ok(engine.adamM.some((v) => v !== 0) && engine.adamV.some((v) => v !== 0));
        engine.initParams(3);
        assert.ok(engine.adamM.every((v) => v === 0), 'initParams resets the moments');
        assert.equal(params[engine.layout[1].offset], 1, 'first norm weight is 1 after init');
    }
    finally {
        engine.dispose();
    }
    assert.equal(engine.params.length, 0, 'dispose detaches the views');
    assert.throws(() => engine.initParams(1), /disposed/);
});
//# sourceMappingURL=memory.test.js.map