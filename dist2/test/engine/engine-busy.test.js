// While an async native call runs on a worker thread it reads and writes the engine's
// memory; the views JS holds are that same memory. The Engine refuses, with an error
// naming the call in flight, both a second call and any access to a view of the state
// that call uses, and allows both again once it settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
import { loadNative } from '../../src/native/index.js';
function batchOf(n, V, seed) {
    const inputs = new Int32Array(n), targets = new Int32Array(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        inputs[i] = x % V;
        targets[i] = (x >>> 8) % V;
    }
    return { inputs, targets };
}
const H = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
function busyError(re) {
    return (e) => {
        assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
        assert.match(e.message, re);
        return true;
    };
}
test('during trainStep the state views and every other call are refused, naming trainStep; afterwards they work', async () => {
    // tiny at B=4, T=64: a step is long enough (0.1-1 s) to still run after the synchronous checks below.
    const cfg = loadModelConfig('tiny');
    const engine = Engine.create(cfg, { batch: 4, seqLen: 64 });
    try {
        engine.initParams(1);
        const { inputs, targets } = batchOf(4 * 64, cfg.vocab_size, 3);
        const step = engine.trainStep(inputs, targets, H);
        const view = /^engine\.(params|grads|adamM|adamV) cannot be used while trainStep is running .*; await it first$/;
        assert.throws(() => { engine.params[0] = 1; }, busyError(view));
        assert.throws(() => engine.params.set(new Float32Array(4)), busyError(/engine\.params cannot be used while trainStep/));
        assert.throws(() => engine.grads, busyError(/engine\.grads cannot be used while trainStep/));
        assert.throws(() => engine.adamM, busyError(/engine\.adamM cannot be used while trainStep/));
        assert.throws(() => engine.adamV, busyError(/engine\.adamV cannot be used while trainStep/));
        assert.throws(() => { engine.adamStep = 5; }, busyError(/adamStep cannot be used while trainStep is running/));
        const call = (name) => new RegExp(`^engine busy: ${name} called while trainStep is still running; await it first$`);
        await assert.rejects(engine.trainStep(inputs, targets, H), busyError(call('trainStep')));
        await assert.rejects(engine.forwardBackward(inputs, targets), busyError(call('forwardBackward')));
        await assert.rejects(engine.evalLoss(inputs, targets, 1), busyError(call('evalLoss')));
        await assert.rejects(engine.logits(inputs, 1), busyError(call('logits')));
        assert.throws(() => engine.initParams(2), busyError(call('initParams')));
        assert.throws(() => engine.clipGradNorm(1), busyError(call('clipGradNorm')));
        assert.throws(() => engine.adamw(H), busyError(call('adamw')));
        assert.throws(() => engine.profileStep(inputs, targets), busyError(call('profileStep')));
        assert.throws(() => engine.dispose(), busyError(call('dispose')));
        const r = await step;
        assert.ok(Number.isFinite(r.loss));
        assert.equal(engine.adamStep, 1, 'exactly one step ran');
        // Settled: views and calls work again.
        engine.params[0] = 0.25;
        assert.equal(engine.params[0], 0.25);
        assert.ok(engine.grads.some((v) => v !== 0) && engine.adamM.some((v) => v !== 0));
        engine.adamStep = 1;
        await engine.evalLoss(inputs, targets, 1);
    }
    finally {
        engine.dispose();
    }
});
test('a call that only reads params leaves the other views usable; a failed call frees the engine', async () => {
    const cfg = loadModelConfig('tiny');
    const engine = Engine.create(cfg, { batch: 4, seqLen: 64 });
    try {
        engine.initParams(1);
        const { inputs, targets } = batchOf(4 * 64, cfg.vocab_size, 5);
        const evaluating = engine.evalLoss(inputs, targets, 4);
        assert.throws(() => engine.params, busyError(/^engine\.params cannot be used while evalLoss is running/));
        engine.adamM[0] = 1; // evalLoss neither reads nor writes the moments or the gradients
        engine.grads[0] = 1;
        await evaluating;
        engine.params[0] = 0;
        // Bad input is refused before the call starts and leaves the engine idle.
        await assert.rejects(engine.forwardBackward(new Int32Array(3), targets), EngineError);
        assert.equal(engine.params[0], 0);
    }
    finally {
        engine.dispose();
    }
});
test('the raw native engine refuses a second call, naming the call in flight', async () => {
    const cfg = loadModelConfig('tiny');
    const native = new (loadNative().NativeEngine)(cfg, 4, 64, 0);
    try {
        native.initParams(1, 0);
        const { inputs, targets } = batchOf(4 * 64, cfg.vocab_size, 7);
        const step = native.forwardBackward(inputs, targets);
        assert.throws(() => native.evalLoss(inputs, targets, 1), /^Error: evalLoss: engine busy: forwardBackward is still running; await it first$/);
        assert.throws(() => native.setAdamStep(1), /^Error: setAdamStep: engine busy: forwardBackward is still running/);
        assert.throws(() => native.dispose(), /^Error: dispose: engine busy: forwardBackward is still running/);
        await step;
        await native.evalLoss(inputs, targets, 1);
    }
    finally {
        native.dispose();
    }
});
//# sourceMappingURL=engine-busy.test.js.map