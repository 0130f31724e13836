// profileStep records the sgemm calls of its own engine only. The recording target
// used to be one process-wide pointer: another engine's step running on a worker
// thread meanwhile pushed its calls into the profile (a data race on the vector).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
const small = {
    name: 'test-small', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: true,
};
function tokens(n, V) {
    return Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % V);
}
/** The shapes and counts of a profile, without the times. */
function calls(p) {
    return p.shapes.map((s) => `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'} ${s.m}x${s.n}x${s.k} x${s.count}`).sort();
}
test('a profile holds only its engine\'s sgemm calls while another engine trains', async () => {
    const a = Engine.create(small, { batch: 2, seqLen: 8, threads: 1 });
    const cfgB = loadModelConfig('tiny');
    const b = Engine.create(cfgB, { batch: 4, seqLen: 64, threads: 1 });
    try {
        a.initParams(1);
        b.initParams(2);
        const inA = tokens(16, small.vocab_size);
        const alone = calls(a.profileStep(inA, inA));
        assert.ok(alone.length > 0);
        const inB = tokens(4 * 64, cfgB.vocab_size);
        // b's step runs on a worker thread for 0.1-1 s; a profiles on the JS thread all that
        // time, yielding to the event loop between profiles only to see b's step settle.
        let done = false;
        const stepB = b.trainStep(inB, inB, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 }).finally(() => {
            done = true;
        });
        const during = [];
        while (!done) {
            during.push(calls(a.profileStep(inA, inA)));
            await new Promise((r) => setImmediate(r));
        }
        await stepB;
        assert.ok(during.length >= 2, `only ${during.length} profiles during b's step`);
        during.forEach((d, i) => assert.deepEqual(d, alone, `profile ${i} of ${during.length} taken during b's step`));
        // And b's profile is b's own.
        const own = calls(b.profileStep(inB, inB));
        assert.notDeepEqual(own, alone);
    }
    finally {
        a.dispose();
        b.dispose();
    }
});
//# sourceMappingURL=profile-per-engine.test.js.map