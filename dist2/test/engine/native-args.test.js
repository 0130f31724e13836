// Every numeric argument of the CPU addon is checked at the boundary: type, finiteness
// and range, with an error naming the call, the argument and the value. Before, the
// binding cast doubles to integers unchecked (NaN and out-of-range casts are undefined
// behaviour in C++), truncated fractions, and took NaN hyper-parameters into the weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative } from '../../src/native/index.js';
const small = {
    name: 'test-small', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: true,
};
const B = 2, T = 4;
const INT_BAD = (lo, hi) => [
    [lo - 1, String(lo - 1)], [hi + 1, String(hi + 1)], [1.5, '1.5'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'],
];
/**
 * Calls `fn` and expects it to throw synchronously, matching `message` exactly. Whatever
 * the call made anyway (an engine, a promise) is cleaned up, so that a failing row
 * leaves nothing behind.
 */
async function expectThrow(fn, message, kind) {
    let made;
    try {
        made = fn();
    }
    catch (e) {
        assert.equal(e.message, message);
        assert.equal(e.constructor.name, kind, `${message}: ${e.constructor.name}`);
        return;
    }
    if (made instanceof Promise)
        await made.catch(() => undefined);
    else if (made && typeof made.dispose === 'function')
        made.dispose();
    assert.fail(`no error; expected: ${message}`);
}
/** An error for `v` given as the argument named `name` of `call`, with `what` the rule. */
function message(call, name, what, shown) {
    return `${call}: ${name} must be ${what}, got ${shown}`;
}
test('NativeEngine(config, batch, seqLen, threads): every number is checked and named', async () => {
    const { NativeEngine } = loadNative();
    const make = (cfg, b = B, t = T, th = 1) => () => new NativeEngine({ ...small, ...cfg }, b, t, th);
    const intFields = [
        ['vocab_size', 2 ** 30], ['hidden_size', 2 ** 20], ['intermediate_size', 2 ** 22], ['num_hidden_layers', 4096],
        ['num_attention_heads', 2 ** 20], ['num_key_value_heads', 2 ** 20],
    ];
    for (const [field, hi] of intFields) {
        for (const [v, shown] of INT_BAD(1, hi)) {
            await expectThrow(make({ [field]: v }), message('NativeEngine', `config.${field}`, `an integer in [1, ${hi}]`, shown), 'RangeError');
        }
        await expectThrow(make({ [field]: '8' }), message('NativeEngine', `config.${field}`, 'a number', '"8"'), 'TypeError');
    }
    for (const field of ['rms_norm_eps', 'rope_theta']) {
        for (const [v, shown] of [[0, '0'], [-1e-5, '-0.00001'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity']]) {
            await expectThrow(make({ [field]: v }), message('NativeEngine', `config.${field}`, 'a finite number > 0', shown), 'RangeError');
        }
        await expectThrow(make({ [field]: undefined }), message('NativeEngine', `config.${field}`, 'a number', 'undefined'), 'TypeError');
    }
    for (const [v, shown] of [...INT_BAD(1, 65536), [-3, '-3']]) {
        await expectThrow(make({}, v), message('NativeEngine', 'batch', 'an integer in [1, 65536]', shown), 'RangeError');
    }
    await expectThrow(make({}, '2'), message('NativeEngine', 'batch', 'a number', '"2"'), 'TypeError');
    await expectThrow(() => new NativeEngine(small, B, undefined, 1), message('NativeEngine', 'seqLen', 'a number', 'undefined'), 'TypeError');
    for (const [v, shown] of INT_BAD(1, 2 ** 20)) {
        await expectThrow(make({}, B, v), message('NativeEngine', 'seqLen', 'an integer in [1, 1048576]', shown), 'RangeError');
    }
    for (const [v, shown] of INT_BAD(0, 1024)) {
        await expectThrow(make({}, B, T, v), message('NativeEngine', 'threads', 'an integer in [0, 1024]', shown), 'RangeError');
    }
    // The good values still make an engine.
    const e = make({})();
    e.dispose();
});
test('engine methods check their numbers: seeds, adamStep, hyper-parameters, nSeq, maxNorm', async () => {
    const { NativeEngine } = loadNative();
    const e = new NativeEngine(small, B, T, 1);
    try {
        e.initParams(1, 0);
        const ok = new Int32Array(B * T).fill(1);
        const h = [1e-3, 0.9, 0.95, 1e-8, 0.1];
        for (const [v, shown] of INT_BAD(0, 2 ** 32 - 1)) {
            await expectThrow(() => e.initParams(v, 0), message('initParams', 'seedLow', 'an integer in [0, 4294967295]', shown), 'RangeError');
            await expectThrow(() => e.initParams(0, v), message('initParams', 'seedHigh', 'an integer in [0, 4294967295]', shown), 'RangeError');
        }
        for (const [v, shown] of INT_BAD(0, Number.MAX_SAFE_INTEGER)) {
            await expectThrow(() => e.setAdamStep(v), message('setAdamStep', 'adamStep', 'an integer in [0, 9007199254740991]', shown), 'RangeError');
        }
        // [position among (lr, beta1, beta2, eps, weightDecay), name, rule, bad values]
        const rules = [
            [0, 'lr', 'a finite number >= 0', [[Number.NaN, 'NaN'], [-1, '-1'], [Number.POSITIVE_INFINITY, 'Infinity']]],
            [1, 'beta1', 'a number in [0, 1)', [[1, '1'], [-0.1, '-0.1'], [Number.NaN, 'NaN']]],
            [2, 'beta2', 'a number in [0, 1)', [[1.5, '1.5'], [Number.NaN, 'NaN']]],
            [3, 'eps', 'a finite number > 0', [[0, '0'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity']]],
            [4, 'weightDecay', 'a finite number >= 0', [[Number.NaN, 'NaN'], [-1, '-1']]],
        ];
        for (const [i, name, rule, bads] of rules) {
            for (const [v, shown] of bads) {
                const args = h.slice();
                args[i] = v;
                await expectThrow(() => e.adamw(...args), message('adamw', name, rule, shown), 'RangeError');
                await expectThrow(() => e.trainStep(ok, ok, ...args, 1), message('trainStep', name, rule, shown), 'RangeError');
            }
        }
        await expectThrow(() => e.adamw(...h.slice(0, 4), 'x'), message('adamw', 'weightDecay', 'a number', '"x"'), 'TypeError');
        for (const [v, shown] of [[0, '0'], [-1, '-1'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity']]) {
            await expectThrow(() => e.trainStep(ok, ok, ...h, v), message('trainStep', 'gradClip', 'a finite number > 0', shown), 'RangeError');
            await expectThrow(() => e.clipGradNorm(v), message('clipGradNorm', 'maxNorm', 'a finite number > 0', shown), 'RangeError');
        }
        for (const [v, shown] of INT_BAD(1, B)) {
            await expectThrow(() => e.evalLoss(ok, ok, v), message('evalLoss', 'nSeq', `an integer in [1, ${B}]`, shown), 'RangeError');
            await expectThrow(() => e.logits(ok, v), message('logits', 'nSeq', `an integer in [1, ${B}]`, shown), 'RangeError');
        }
        // Nothing above reached the engine: it still trains.
        const r = await e.trainStep(ok, ok, ...h, 1);
        assert.ok(Number.isFinite(r.loss) && e.getAdamStep() === 1);
    }
    finally {
        e.dispose();
    }
});
test('setThreads and benchSgemm check their numbers', async () => {
    const native = loadNative();
    const before = native.getThreads();
    try {
        for (const [v, shown] of [...INT_BAD(1, 1024), [2 ** 32 + 1, '4294967297']]) {
            await expectThrow(() => native.setThreads(v), message('setThreads', 'n', 'an integer in [1, 1024]', shown), 'RangeError');
        }
        assert.equal(native.getThreads(), before);
    }
    finally {
        native.setThreads(before);
    }
    const shape = { transA: false, transB: false, m: 4, n: 4, k: 4, count: 1 };
    for (const dim of ['m', 'n', 'k']) {
        for (const [v, shown] of INT_BAD(1, 2 ** 31 - 1)) {
            await expectThrow(() => native.benchSgemm([shape, { ...shape, [dim]: v }], 1), message('benchSgemm', `shapes[1].${dim}`, 'an integer in [1, 2147483647]', shown), 'RangeError');
        }
    }
    for (const [v, shown] of INT_BAD(0, 2 ** 31 - 1)) {
        await expectThrow(() => native.benchSgemm([{ ...shape, count: v }], 1), message('benchSgemm', 'shapes[0].count', 'an integer in [0, 2147483647]', shown), 'RangeError');
    }
    for (const [v, shown] of INT_BAD(1, 2 ** 31 - 1)) {
        await expectThrow(() => native.benchSgemm([shape], v), message('benchSgemm', 'repeats', 'an integer in [1, 2147483647]', shown), 'RangeError');
    }
    await expectThrow(() => native.benchSgemm([shape, 7], 1), 'benchSgemm: shapes[1] must be an object, got 7', 'TypeError');
});
test('the compression calls check their numbers', async () => {
    const c = loadNative().compress;
    // One 8x8 tensor, chunk 8, k 4.
    const meta = new Float64Array([0, 8, 8]);
    const params = new Float32Array(64);
    const geom = (chunk, k) => [meta, chunk, k, false];
    for (const [v, shown] of INT_BAD(1, 128)) {
        await expectThrow(() => c.tensorNorms(...geom(v, 4), {}), message('tensorNorms', 'chunk', 'an integer in [1, 128]', shown), 'RangeError');
    }
    for (const [v, shown] of INT_BAD(2, 16384)) {
        await expectThrow(() => c.tensorNorms(...geom(8, v), {}), message('tensorNorms', 'k', 'an integer in [2, 16384]', shown), 'RangeError');
    }
    for (const [v, shown] of [[Number.NaN, 'NaN'], [Number.NEGATIVE_INFINITY, '-Infinity']]) {
        await expectThrow(() => c.compressFeedback(new Float32Array(64), new Float32Array(64), ...geom(8, 4), v), message('compressFeedback', 'beta', 'a finite number', shown), 'RangeError');
        await expectThrow(() => c.compressFeedbackAsync(new Float32Array(64), new Float32Array(64), ...geom(8, 4), v), message('compressFeedbackAsync', 'beta', 'a finite number', shown), 'RangeError');
        await expectThrow(() => c.aggregateAndStep(params, ...geom(8, 4), [], null, v, 1), message('aggregateAndStep', 'lr', 'a finite number', shown), 'RangeError');
        await expectThrow(() => c.aggregateAndStepAsync(params, ...geom(8, 4), [], null, v, 1), message('aggregateAndStepAsync', 'lr', 'a finite number', shown), 'RangeError');
    }
    for (const [v, shown] of [[Number.NaN, 'NaN'], [-1, '-1'], [Number.POSITIVE_INFINITY, 'Infinity']]) {
        await expectThrow(() => c.aggregateAndStep(params, ...geom(8, 4), [], null, 1, v), message('aggregateAndStep', 'clipScale', 'a finite number >= 0', shown), 'RangeError');
    }
    // A clipScale that is not a number used to be taken as 1.
    await expectThrow(() => c.aggregateAndStep(params, ...geom(8, 4), [], null, 1, 'x'), message('aggregateAndStep', 'clipScale', 'a number', '"x"'), 'TypeError');
    for (const [v, shown] of [[-1, '-1'], [1.5, '1.5'], [Number.NaN, 'NaN'], [9, '9']]) {
        await expectThrow(() => c.decodeRecords(new Uint8Array(8), v, ...geom(8, 4)), message('decodeRecords', 'pos', 'an integer in [0, 8]', shown), 'RangeError');
    }
    for (const [v, shown] of [[1.5, '1.5'], [Number.NaN, 'NaN'], [2e9, '2000000000']]) {
        await expectThrow(() => c.reproducibleCosPi(v, 4), message('reproducibleCosPi', 'num', 'an integer in [-1000000000, 1000000000]', shown), 'RangeError');
    }
    for (const [v, shown] of [[0, '0'], [0.5, '0.5'], [Number.NaN, 'NaN']]) {
        await expectThrow(() => c.reproducibleCosPi(1, v), message('reproducibleCosPi', 'den', 'an integer in [1, 1000000000]', shown), 'RangeError');
    }
    assert.ok(Math.abs(c.reproducibleCosPi(1, 3) - 0.5) < 1e-12, 'good values still work');
});
//# sourceMappingURL=native-args.test.js.map