// A miner on several ranks (issue 19): what the protocol sees does not change.
// - Engine.create({ ranks }) trains a miner's window (H AdamW steps from θ) through the
//   sharded trainer; its pseudo-gradient Δ = θ − θ_end equals the one-rank engine's on
//   the same samples up to fp32 reduction order, and θ, the moments and the step
//   counter read back in canonical order.
// - Sharded compression (each rank compresses the tensors of its shard, concurrently)
//   gives the same error buffer and byte-identical payload bytes as one rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, EngineError } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
import { ADAMW, BATCH, SEQ_LEN, lcgTokens } from './data-parallel-helpers.js';
import {
  compressWithFeedbackAsync, compressWithFeedbackSharded, compressionShards, encodePayload, modelShapeHash,
} from '../../src/train/compress/index.js';

const config = loadModelConfig('tiny');
const seqLen = SEQ_LEN;
const batch = BATCH;
const H = 3;
const h = ADAMW;
const tokens = (seed: number) => lcgTokens(config, seed, false);

function norm(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
}

/** One miner window: θ in, H steps, Δ = θ − θ_end out (what runMiner does, without the network). */
async function window(engine: Engine, theta: Float32Array): Promise<{ delta: Float32Array; losses: number[] }> {
  engine.params.set(theta);
  const losses: number[] = [];
  for (let s = 0; s < H; s++) {
    const { inputs, targets } = tokens(100 + s);
    losses.push((await engine.trainStep(inputs, targets, h)).loss);
  }
  const end = engine.params;
  const delta = new Float32Array(theta.length);
  for (let i = 0; i < delta.length; i++) delta[i] = theta[i]! - end[i]!;
  return { delta, losses };
}

test('a 2-rank miner window gives the 1-rank pseudo-gradient up to fp32 reduction order', async () => {
  const one = Engine.create(config, { batch, seqLen, threads: 1 });
  const two = Engine.create(config, { batch, seqLen, threads: 1, device: 'cpu', ranks: 2 });
  try {
    assert.equal(one.ranks, 1);
    assert.equal(two.ranks, 2);
    one.initParams(7);
    two.initParams(7);
    assert.deepEqual(two.params, one.params, 'the same θ_0 from the same seed');
    const theta = one.params.slice();
    const a = await window(one, theta);
    const b = await window(two, theta);
    for (let s = 0; s < H; s++) assert.ok(Math.abs(a.losses[s]! - b.losses[s]!) < 1e-5, `loss of step ${s}: ${a.losses[s]} vs ${b.losses[s]}`);
    // AdamW moves every weight by about lr per step whatever the gradient's size, so a
    // weight whose gradient is as small as the reduction noise may move differently; the
    // pseudo-gradient as a whole must agree to fp32 noise (5e-6 of its norm measured,
    // 1e-4 allowed), far below its own size.
    const diff = new Float32Array(a.delta.length);
    for (let i = 0; i < diff.length; i++) diff[i] = a.delta[i]! - b.delta[i]!;
    const rel = norm(diff) / norm(a.delta);
    assert.ok(norm(a.delta) > 1e-3, 'the window moved θ');
    assert.ok(rel < 1e-4, `‖Δ₂ − Δ₁‖ / ‖Δ₁‖ = ${rel}`);
    assert.equal(two.adamStep, H);
    const mRel = (() => {
      const m1 = one.adamM, m2 = two.adamM;
      const d = new Float32Array(m1.length);
      for (let i = 0; i < d.length; i++) d[i] = m1[i]! - m2[i]!;
      return norm(d) / norm(m1);
    })();
    assert.ok(mRel < 2e-5, `AdamW m gathered from the shards: relative difference ${mRel}`);
    // The per-rank figures the status API shows: each rank holds half of the moments.
    const mem = two.rankMemory();
    assert.equal(mem.length, 2);
    assert.equal(mem[0]!.optimizerStateBytes, 2 * 4 * Math.ceil(two.numParams / 2));
    assert.ok(mem[0]!.optimizerStateBytes <= 0.51 * one.rankMemory()[0]!.optimizerStateBytes);
  } finally {
    one.dispose();
    two.dispose();
  }
});

test('a multi-rank engine keeps its moments across saves and refuses what it cannot do, with the reason', async () => {
  const two = Engine.create(config, { batch, seqLen, device: 'cpu', ranks: 2 });
  try {
    two.initParams(3);
    const { inputs, targets } = tokens(5);
    await two.trainStep(inputs, targets, h);
    // A node reads the moments every window to save them: the mirror pushes them back
    // unchanged before the next step, which the trainer accepts.
    const m = two.adamM.slice();
    await two.trainStep(inputs, targets, h);
    assert.equal(two.adamStep, 2);
    assert.notDeepEqual(two.adamM, m);
    // Loading other moments (a resume) is refused by name, not silently dropped.
    two.adamM.set(m);
    await assert.rejects(two.trainStep(inputs, targets, h), (e: Error) => e instanceof EngineError && /setAdamState is not available on the sharded engine/.test(e.message));
    await assert.rejects(two.evalLoss(inputs, targets, 1), /evalLoss is not available on the sharded engine: only validators evaluate/);
    assert.throws(() => Engine.create(config, { batch: 3, seqLen, device: 'cpu', ranks: 2 }), /batch 3 does not split evenly over 2 ranks/);
    assert.throws(() => Engine.create(config, { batch, seqLen, device: 'auto', ranks: 2 }), /give device cpu/);
  } finally {
    two.dispose();
  }
});

test('sharded compression: every rank compresses its shard\'s tensors; the gathered payload is byte-identical to one rank\'s', async () => {
  const engine = Engine.create(config, { batch, seqLen, threads: 1 });
  const layout = engine.layout;
  const n = engine.numParams;
  engine.dispose();
  // A pseudo-gradient and an error buffer already carrying two windows of feedback.
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const delta = new Float32Array(n).map(() => rnd() * 1e-3);
  const e0 = new Float32Array(n).map(() => rnd() * 1e-4);
  const opts = { chunk: 64, k: 64, demo: false };
  const header = { version: 1, runHash: new Uint8Array(32).fill(1), window: 4, uid: 2, modelShapeHash: modelShapeHash(layout), baseThetaHash: new Uint8Array(32).fill(3) };

  const eOne = e0.slice();
  const want = encodePayload(header, await compressWithFeedbackAsync(eOne, delta, layout, 0.95, opts));
  for (const ranks of [1, 2, 3, 4, 8]) {
    const shards = compressionShards(layout, ranks);
    assert.ok(shards.length >= Math.min(2, ranks), `${ranks} ranks: the work is split (${shards.length} parts)`);
    assert.deepEqual(shards.flatMap((p) => p.tensors.map((t) => t.name)), layout.map((t) => t.name), 'every tensor once, in order');
    const e = e0.slice();
    const got = encodePayload(header, await compressWithFeedbackSharded(e, delta, layout, 0.95, opts, ranks));
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${ranks} ranks: payload bytes differ from one rank's`);
    assert.ok(Buffer.from(e.buffer).equals(Buffer.from(eOne.buffer)), `${ranks} ranks: the error buffer differs from one rank's`);
  }
  // DeMo mode (DCT per chunk) shards the same way.
  const eA = e0.slice(), eB = e0.slice();
  const demo = { ...opts, demo: true };
  const a = encodePayload(header, await compressWithFeedbackAsync(eA, delta, layout, 0.95, demo));
  const b = encodePayload(header, await compressWithFeedbackSharded(eB, delta, layout, 0.95, demo, 4));
  assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'DeMo: payload bytes differ');
});
