// The engine over a backend reached by copies (how the CUDA backend is driven): the
// host copies must behave exactly like the CPU engine's shared memory, and move the
// state only where the design says. The "device" here is a second, real CPU engine
// behind the copy-based calls of the CUDA addon, so every number is checked bit for
// bit against the plain CPU engine running the same sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/train/engine.js';
const cfg = {
    name: 'device-test', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: false,
};
const B = 2;
const T = 16;
const h = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
function batchOf(seed) {
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    let x = seed;
    for (let i = 0; i < B * T; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        inputs[i] = x % 64;
        targets[i] = (x >>> 8) % 64;
    }
    return { inputs, targets };
}
/** The CUDA addon's copy-based calls, served by a CPU engine: every get returns a copy, every set copies in. */
class CpuBehindCopies {
    e;
    calls = [];
    constructor(e) {
        this.e = e;
    }
    numParams() { return this.e.numParams; }
    getAdamStep() { return this.e.adamStep; }
    getParams() { this.calls.push('getParams'); return this.e.params.slice(); }
    setParams(p) { this.calls.push('setParams'); this.e.params.set(p); }
    getGrads() { this.calls.push('getGrads'); return this.e.grads.slice(); }
    getAdamState() {
        this.calls.push('getAdamState');
        return { m: this.e.adamM.slice(), v: this.e.adamV.slice(), step: this.e.adamStep };
    }
    setAdamState(m, v, step) {
        this.calls.push('setAdamState');
        this.e.adamM.set(m);
        this.e.adamV.set(v);
        this.e.adamStep = step;
    }
    initParams(lo, hi) { this.e.initParams(BigInt(lo >>> 0) | (BigInt(hi >>> 0) << 32n)); }
    forwardBackward(i, t) { return this.e.forwardBackward(i, t); }
    trainStep(i, t, lr, beta1, beta2, eps, weightDecay, gradClip) {
        return this.e.trainStep(i, t, { lr, beta1, beta2, eps, weightDecay, gradClip });
    }
    evalLoss(i, t, n) { return this.e.evalLoss(i, t, n); }
    clipGradNorm(m) { return this.e.clipGradNorm(m); }
    adamw(lr, beta1, beta2, eps, weightDecay) { this.e.adamw({ lr, beta1, beta2, eps, weightDecay }); }
    dispose() { this.e.dispose(); }
}
const same = (a, b, what) => {
    assert.equal(a.length, b.length, what);
    assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${what}: bits differ`);
};
test('an engine over copies matches the CPU engine bit for bit through a miner-like sequence', async () => {
    const ref = Engine.create(cfg, { batch: B, seqLen: T, threads: 1 });
    const inner = new CpuBehindCopies(Engine.create(cfg, { batch: B, seqLen: T, threads: 1 }));
    const dev = Engine.overDevice(cfg, inner, { batch: B, seqLen: T });
    try {
        assert.equal(dev.device, 'cuda');
        for (const e of [ref, dev])
            e.initParams(7n);
        same(dev.params, ref.params, 'init');
        // a window: θ set from the host, H steps, θ read back, a delta taken, θ set again
        const theta = ref.params.slice();
        for (let i = 0; i < theta.length; i += 97)
            theta[i] += 0.01;
        for (let w = 0; w < 2; w++) {
            for (const e of [ref, dev])
                e.params.set(theta);
            for (let s = 0; s < 3; s++) {
                const { inputs, targets } = batchOf(10 * w + s);
                const [a, b] = [await ref.trainStep(inputs, targets, h), await dev.trainStep(inputs, targets, h)];
                assert.equal(b.loss, a.loss, `window ${w} step ${s} loss`);
                assert.equal(b.gradNorm, a.gradNorm, `window ${w} step ${s} grad norm`);
            }
            same(dev.params, ref.params, `params after window ${w}`);
            same(dev.adamM, ref.adamM, `adamM after window ${w}`);
            same(dev.adamV, ref.adamV, `adamV after window ${w}`);
            for (let i = 0; i < theta.length; i++)
                theta[i] = theta[i] - 0.5 * (theta[i] - ref.params[i]);
        }
        // resuming: moments and the step counter written from the host
        const m = ref.adamM.slice().map((x) => x * 0.5);
        for (const e of [ref, dev]) {
            e.adamM.set(m);
            e.adamStep = 40;
        }
        assert.equal(dev.adamStep, 40);
        // the split calls and evaluation
        const { inputs, targets } = batchOf(99);
        const [la, lb] = [await ref.forwardBackward(inputs, targets), await dev.forwardBackward(inputs, targets)];
        assert.equal(lb, la);
        same(dev.grads, ref.grads, 'grads');
        assert.equal(dev.clipGradNorm(0.05), ref.clipGradNorm(0.05));
        same(dev.grads, ref.grads, 'clipped grads');
        for (const e of [ref, dev])
            e.adamw(h);
        same(dev.params, ref.params, 'params after adamw');
        same(dev.adamM, ref.adamM, 'adamM after adamw (from the host-written moments)');
        assert.equal(dev.adamStep, ref.adamStep);
        same(await dev.evalLoss(inputs, targets, 2), await ref.evalLoss(inputs, targets, 2), 'evalLoss');
    }
    finally {
        ref.dispose();
        dev.dispose();
    }
});
test('the host copies move only where needed: nothing between steps, θ once each way per window', async () => {
    const inner = new CpuBehindCopies(Engine.create(cfg, { batch: B, seqLen: T, threads: 1 }));
    const dev = Engine.overDevice(cfg, inner, { batch: B, seqLen: T });
    try {
        dev.initParams(3n);
        const theta = dev.params.slice(); // one pull (init changed params on the device)
        inner.calls = [];
        dev.params.set(theta); // host copy is current: no pull; marked for a push
        for (let s = 0; s < 5; s++) {
            const { inputs, targets } = batchOf(s);
            await dev.trainStep(inputs, targets, h);
        }
        assert.deepEqual(inner.calls, ['setParams'], 'θ pushed once before the first step, nothing between steps');
        inner.calls = [];
        const after = dev.params.slice();
        void dev.params; // a second look while current costs nothing
        assert.deepEqual(inner.calls, ['getParams'], 'θ pulled once after the steps');
        assert.notDeepEqual(after, theta);
        // grads are read-only copies: looking at them does not push anything
        inner.calls = [];
        void dev.grads;
        await dev.evalLoss(batchOf(1).inputs, batchOf(1).targets, 1);
        assert.deepEqual(inner.calls.filter((c) => c.startsWith('set')), ['setParams'], 'only θ (handed out above) is pushed');
        const t = dev.transfers;
        assert.ok(t.pulls.params >= 2 && t.pushes.params >= 2 && t.pulls.grads === 1);
    }
    finally {
        dev.dispose();
    }
});
test('device cuda without a usable CUDA addon is a clear EngineError; logits and profileStep are CPU-only', async () => {
    // this machine (and CI) has no GPU: asking for cuda must say why, not fall back silently
    assert.throws(() => Engine.create(cfg, { batch: B, seqLen: T, device: 'cuda' }), (e) => e instanceof EngineError && /device cuda requested, but/.test(e.message));
    assert.throws(() => Engine.create(cfg, { batch: B, seqLen: T, device: 'tpu' }), EngineError);
    const auto = Engine.create(cfg, { batch: B, seqLen: T, device: 'auto' });
    try {
        assert.equal(auto.device, 'cpu');
    }
    finally {
        auto.dispose();
    }
    const dev = Engine.overDevice(cfg, new CpuBehindCopies(Engine.create(cfg, { batch: B, seqLen: T, threads: 1 })), { batch: B, seqLen: T });
    try {
        await assert.rejects(dev.logits(batchOf(1).inputs, 1), EngineError);
        assert.throws(() => dev.profileStep(batchOf(1).inputs, batchOf(1).targets), EngineError);
    }
    finally {
        dev.dispose();
    }
});
//# sourceMappingURL=device-engine.test.js.map