// A tiny world for evaluation tests: a 64-token model, a dataset of sequences from a
// fixed random bigram chain (learnable structure shared by all samples), and honest
// miners that train H AdamW steps on their own pool and compress Δ as miner.ts does.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Engine } from '../../src/train/engine.js';
import { compressWithFeedback, encodePayload, modelShapeHash, thetaHashBytes, } from '../../src/train/compress/index.js';
import { encodeShard, writeManifest, sha256FileSync, openDataset, makeBatch, samplePool, minerTrainingSamples, Xoshiro256StarStar, } from '../../src/train/data/index.js';
export const tinyConfig = {
    name: 'gauntlet-test',
    vocab_size: 64,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 32,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: true,
};
export const compression = { chunk: 8, k: 8, demo: false };
export const spec = { batch: 8, innerSteps: 4, seqLen: 16, outer: { lr: 1, maxPayloads: 8 }, compression };
export const inner = { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
export const runHash = new Uint8Array(createHash('sha256').update('gauntlet-test-run').digest());
/** Each token is followed by one of 3 successors (fixed per token); 40 000 tokens in one llm.c shard. */
export function makeWorld() {
    const dir = mkdtempSync(join(tmpdir(), 'gm-gauntlet-world-'));
    const rng = Xoshiro256StarStar.fromDigest(new Uint8Array(createHash('sha256').update('bigram').digest()));
    const next = Array.from({ length: 64 }, () => [rng.nextBelow(64), rng.nextBelow(64), rng.nextBelow(64)]);
    const tokens = new Uint16Array(40000);
    for (let i = 1; i < tokens.length; i++)
        tokens[i] = next[tokens[i - 1]][rng.nextBelow(3)];
    writeFileSync(join(dir, 'shard_000.bin'), encodeShard(tokens, 'llmc-bin'));
    const file = join(dir, 'shard_000.bin');
    writeManifest(dir, {
        format: 'gradmesh-dataset', version: 1, tokenizer: 'gpt2', vocabSize: 64, eotToken: 0, seqLen: spec.seqLen,
        totalTokens: tokens.length, shards: [{ file: 'shard_000.bin', tokens: tokens.length, bytes: encodeShard(tokens, 'llmc-bin').length, sha256: sha256FileSync(file) }],
    });
    const ds = openDataset(dir);
    const engine = Engine.create(tinyConfig, { batch: spec.batch, seqLen: spec.seqLen, threads: 1 });
    engine.initParams(7);
    const theta0 = Float32Array.from(engine.params);
    return {
        dir, ds, engine, theta0,
        close: () => {
            engine.dispose();
            ds.close();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
/**
 * An honest miner's payload bytes for (uid, window) from θ: H AdamW steps on its
 * own training samples, Δ = θ − θ_end, compressed with a fresh error buffer. The
 * engine's parameters are left at θ.
 */
export async function honestPayload(w, theta, uid, window, chooseSamples) {
    const { engine, ds } = w;
    engine.params.set(theta);
    engine.adamM.fill(0);
    engine.adamV.fill(0);
    engine.adamStep = 0;
    const B = spec.batch;
    const H = spec.innerSteps;
    const pool = samplePool(runHash, uid, window, B * H, ds.sampleCount(spec.seqLen));
    const assigned = minerTrainingSamples(pool, B, H);
    const samples = chooseSamples ? chooseSamples(window, assigned) : assigned;
    for (let h = 0; h < H; h++) {
        const { inputs, targets } = makeBatch(ds, samples.slice(h * B, (h + 1) * B), spec.seqLen);
        await engine.trainStep(inputs, targets, inner);
    }
    const delta = new Float32Array(theta.length);
    for (let i = 0; i < delta.length; i++)
        delta[i] = theta[i] - engine.params[i];
    engine.params.set(theta);
    const compressed = compressWithFeedback(new Float32Array(theta.length), delta, engine.layout, 0.95, compression);
    return encodePayload({ version: 1, runHash, window, uid, modelShapeHash: modelShapeHash(engine.layout), baseThetaHash: thetaHashBytes(theta) }, compressed);
}
//# sourceMappingURL=fixture.js.map