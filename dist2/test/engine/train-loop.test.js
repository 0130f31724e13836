// The training loop used by `gradmesh train`: token files, window batches, the
// learning-rate schedule, and loss going down on learnable data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, EngineError } from '../../src/train/engine.js';
import { readTokenFile } from '../../src/train/token-file.js';
import { heldOutLossOf, learningRate, splitHeldOut, trainLoop, windowBatchSource } from '../../src/train/train-loop.js';
test('readTokenFile reads flat uint16 and llm.c shards, and rejects damaged ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-tokens-'));
    try {
        const flat = Buffer.alloc(6);
        [1, 513, 65535].forEach((v, i) => flat.writeUInt16LE(v, 2 * i));
        writeFileSync(join(dir, 'flat.u16'), flat);
        assert.deepEqual(Array.from(readTokenFile(join(dir, 'flat.u16'))), [1, 513, 65535]);
        const llmc = Buffer.alloc(1024 + 8);
        llmc.writeInt32LE(20240520, 0);
        llmc.writeInt32LE(1, 4);
        llmc.writeInt32LE(3, 8);
        [7, 8, 9, 10].forEach((v, i) => llmc.writeUInt16LE(v, 1024 + 2 * i));
        writeFileSync(join(dir, 'a.bin'), llmc);
        assert.deepEqual(Array.from(readTokenFile(join(dir, 'a.bin'))), [7, 8, 9]);
        llmc.writeInt32LE(99, 8);
        writeFileSync(join(dir, 'bad.bin'), llmc);
        assert.throws(() => readTokenFile(join(dir, 'bad.bin')), /says 99 tokens/);
        writeFileSync(join(dir, 'odd.u16'), Buffer.alloc(3));
        assert.throws(() => readTokenFile(join(dir, 'odd.u16')), EngineError);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test('learningRate: linear warm-up, then constant or cosine down to minRatio', () => {
    assert.equal(learningRate(0, 100, 1, 4), 0.25);
    assert.equal(learningRate(3, 100, 1, 4), 1);
    assert.equal(learningRate(50, 100, 1, 4), 1);
    assert.equal(learningRate(4, 100, 1, 4, true, 0.1), 1);
    assert.ok(Math.abs(learningRate(99, 100, 1, 4, true, 0.1) - 0.1) < 1e-12);
});
test('trainLoop on windows of a repeating token stream drives the loss down', async () => {
    const cfg = {
        name: 'loop', vocab_size: 32, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1,
        num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 16, rms_norm_eps: 1e-5,
        rope_theta: 10000, tie_word_embeddings: false,
    };
    const tokens = Uint16Array.from({ length: 400 }, (_, i) => (i * 5) % 32);
    const source = windowBatchSource(tokens, 2, 16, 3, cfg.vocab_size);
    const { inputs, targets } = await source(0);
    for (let i = 0; i < inputs.length; i++)
        assert.equal(targets[i], (inputs[i] + 5) % 32, 'targets are the next tokens');
    const engine = Engine.create(cfg, { batch: 2, seqLen: 16 });
    try {
        engine.initParams(2);
        const seen = [];
        const reports = await trainLoop(engine, source, {
            steps: 60, hparams: { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 },
            warmupSteps: 5, onStep: (r) => seen.push(r.step),
        });
        assert.deepEqual(seen, Array.from({ length: 60 }, (_, i) => i + 1));
        assert.ok(reports[0].loss > 3 && reports[59].loss < 0.2, `loss ${reports[0].loss} -> ${reports[59].loss}`);
        assert.equal(engine.adamStep, 60);
    }
    finally {
        engine.dispose();
    }
    assert.throws(() => windowBatchSource(tokens, 1, 400, 1, 32), /need more than 400 tokens/);
    const big = windowBatchSource(Uint16Array.from([1, 2, 40, 3, 4]), 1, 4, 1, 32);
    assert.throws(() => big(0), /outside the model vocabulary/);
});
test('trainLoop evaluates every evalEvery steps and once at the end (also when stopped early), and reports an ETA', async () => {
    const cfg = {
        name: 'loop-eval', vocab_size: 16, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1,
        num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 8, rms_norm_eps: 1e-5,
        rope_theta: 10000, tie_word_embeddings: true,
    };
    const tokens = Uint16Array.from({ length: 300 }, (_, i) => (i * 3) % 16);
    const split = splitHeldOut(tokens, 8, 4, 2);
    assert.deepEqual(split.heldOut.map((b) => b.n), [2, 1], '10% of 300 tokens hold 3 sequences of 9, in batches of at most 2');
    assert.equal(split.train.length, 300 - 3 * 9);
    assert.deepEqual(Array.from(split.heldOut[0].inputs.subarray(0, 8)), Array.from(tokens.subarray(273, 281)), 'held out: the tail, never trained on');
    assert.equal(splitHeldOut(tokens.subarray(0, 40), 8, 4, 2).heldOut.length, 0, 'too few tokens to hold any out');
    const engine = Engine.create(cfg, { batch: 2, seqLen: 8, threads: 1 });
    try {
        engine.initParams(1);
        const source = windowBatchSource(split.train, 2, 8, 1, cfg.vocab_size);
        const hparams = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 };
        const evals = [];
        const evaluate = () => heldOutLossOf(engine, split.heldOut);
        const reports = await trainLoop(engine, source, {
            steps: 10, hparams, evalEvery: 4, evaluate, onEval: (e) => evals.push([e.step, e.final]),
        });
        assert.deepEqual(evals, [[4, false], [8, false], [10, true]]);
        assert.deepEqual(reports.map((r) => r.heldOutLoss !== undefined), [false, false, false, true, false, false, false, true, false, true]);
        assert.ok(reports.every((r) => Number.isFinite(r.etaMs) && r.etaMs >= 0));
        assert.equal(reports[9].etaMs, 0);
        assert.ok(reports[9].heldOutLoss > 0 && reports[9].heldOutLoss < reports[3].heldOutLoss, 'held-out loss goes down on this stream');
        const only = [];
        const ac = new AbortController();
        await trainLoop(engine, source, {
            steps: 10, hparams, evaluate, signal: ac.signal, onEval: (e) => only.push(e.step),
            onStep: (r) => { if (r.step === 3)
                ac.abort(); },
        });
        assert.deepEqual(only, [3], 'evalEvery 0: only the final evaluation, after the last step done');
    }
    finally {
        engine.dispose();
    }
});
//# sourceMappingURL=train-loop.test.js.map