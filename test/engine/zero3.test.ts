// Full parameter sharding (ZeRO-3) on the CPU collectives backend: one step on 2 and 4
// ranks equals one single-engine step on the concatenated batch (loss, gradient norm,
// every tensor's gradient, θ after the step, both moments), for a tied and an untied
// model; the pieces gather back to the same canonical θ; and the engine's counters
// show a rank holding 1/ranks of the model plus one gathered unit, never the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { ShardedEngine } from '../../src/train/sharded-engine.js';
import { loadModelConfig, parameterLayout, type ModelConfig } from '../../src/train/model-config.js';
import { ADAMW, BATCH, SEQ_LEN, checkTheta, lcgTokens, relErr } from './data-parallel-helpers.js';

const tiny = loadModelConfig('tiny'); // tied head; the embedding is 97 % of it
// Untied, with a small vocabulary, so the layers are most of the model and the
// "one layer at a time" bound is far below the whole model.
const deep: ModelConfig = { ...tiny, name: 'deep-untied', vocab_size: 512, num_hidden_layers: 6, tie_word_embeddings: false };
const seqLen = SEQ_LEN;
const batch = BATCH;
const h = ADAMW;
const tokens = lcgTokens;

function checkPerTensor(config: ModelConfig, got: Float32Array, want: Float32Array, what: string): void {
  for (const t of parameterLayout(config)) {
    const a = got.subarray(t.offset, t.offset + t.numel), b = want.subarray(t.offset, t.offset + t.numel);
    const e = relErr(a, b);
    assert.ok(e <= 1e-5, `${what} of ${t.name}: rel err ${e}`);
  }
}


const cases: Array<[ModelConfig, number]> = [[tiny, 2], [tiny, 4], [deep, 4]];
for (const [config, ranks] of cases) {
  test(`ZeRO-3 over ${ranks} CPU ranks (${config.name}): one step equals the single engine's on the whole batch`, async () => {
    const single = Engine.create(config, { batch, seqLen, threads: 1 });
    const sharded = ShardedEngine.create(config, { ranks, batch, seqLen, zero: 3 });
    try {
      assert.equal(sharded.zero, 3);
      single.initParams(7);
      const theta = Float32Array.from(single.params);
      sharded.setParams(theta);
      assert.deepEqual(sharded.params(), theta, 'the pieces gather back to the canonical θ, bit for bit');
      for (const seed of [1, 2]) { // the second step has nonzero moments and bias correction t = 2
        const { inputs, targets } = tokens(config, seed);
        if (seed === 2) {
          // Start step 2 from the same state on both sides (checkTheta's noise-level
          // elements would otherwise move step 2's gradients by more than reduction noise).
          single.params.set(sharded.params());
          single.adamM.set(sharded.adamM());
          single.adamV.set(sharded.adamV());
        }
        const loss1 = await single.forwardBackward(inputs, targets);
        const grads1 = Float32Array.from(single.grads);
        const norm1 = single.clipGradNorm(h.gradClip);
        single.adamw(h);
        const got = await sharded.trainStep(inputs, targets, h);
        assert.ok(Math.abs(got.loss - loss1) <= 1e-5 * loss1, `loss ${got.loss} vs ${loss1}`);
        assert.ok(Math.abs(got.gradNorm - norm1) <= 1e-5 * norm1, `grad norm ${got.gradNorm} vs ${norm1}`);
        checkPerTensor(config, sharded.grads(), grads1, 'gradient');
        checkTheta(sharded.params(), Float32Array.from(single.params), grads1);
        checkPerTensor(config, sharded.adamM(), Float32Array.from(single.adamM), 'adam m');
        checkPerTensor(config, sharded.adamV(), Float32Array.from(single.adamV), 'adam v');
      }
      assert.equal(sharded.adamStep, 2);
    } finally {
      single.dispose();
    }
  });
}

test('ZeRO-3 computes what ZeRO-2 computes: the same gradient, bit for bit, from the same θ and batch', async () => {
  const z2 = ShardedEngine.create(deep, { ranks: 2, batch, seqLen, seed: 5, zero: 2 });
  const z3 = ShardedEngine.create(deep, { ranks: 2, batch, seqLen, seed: 5, zero: 3 });
  assert.deepEqual(z3.params(), z2.params(), 'the same initial θ from the same seed');
  const { inputs, targets } = tokens(deep, 4);
  const a = await z2.trainStep(inputs, targets, h);
  const b = await z3.trainStep(inputs, targets, h);
  assert.equal(b.loss, a.loss);
  // Each rank runs the same arithmetic on the same weights and the reduce-scatter adds
  // the ranks in the same order; only where the weights come from differs.
  assert.deepEqual(z3.grads(), z2.grads());
});

for (const ranks of [2, 4]) {
  test(`ZeRO-3 over ${ranks} ranks: a rank holds 1/${ranks} of the parameters plus one gathered unit`, async () => {
    for (const config of [tiny, deep]) {
      const sharded = ShardedEngine.create(config, { ranks, batch, seqLen, zero: 3 });
      const { inputs, targets } = tokens(config, 3);
      await sharded.trainStep(inputs, targets, h);
      const m = sharded.paramMemory;
      const layout = parameterLayout(config);
      const model = 4 * layout.reduce((s, t) => s + t.numel, 0);
      assert.equal(m.modelBytes, model);
      // Each unit is split into ceil(numel/ranks) floats per rank: at most one float of padding a unit.
      const units = config.num_hidden_layers + 2;
      assert.ok(m.shardBytes >= model / ranks && m.shardBytes <= model / ranks + 4 * units, `shard ${m.shardBytes} of ${model}`);
      // While a layer runs, a rank holds its shard and that one layer (padded to the ranks), nothing else.
      const layerNumel = layout.filter((t) => t.name.startsWith('model.layers.0.')).reduce((s, t) => s + t.numel, 0);
      const layerBytes = 4 * ranks * Math.ceil(layerNumel / ranks);
      assert.equal(m.peakLayerBytes, m.shardBytes + layerBytes, `${config.name}: peak while layers ran`);
      // The step's peak is the shard plus the largest unit (the embedding, or the untied head).
      const vd = config.vocab_size * config.hidden_size;
      const largest = 4 * ranks * Math.max(Math.ceil(vd / ranks), Math.ceil(layerNumel / ranks),
        Math.ceil(((config.tie_word_embeddings ? 0 : vd) + config.hidden_size) / ranks));
      assert.equal(m.largestUnitBytes, largest);
      assert.equal(m.peakBytes, m.shardBytes + largest, `${config.name}: peak over the step`);
      if (config === deep) {
        assert.ok(m.peakLayerBytes < model * (1 / ranks + 0.2), `${m.peakLayerBytes} of ${model}`);
        assert.ok(m.peakBytes < 0.75 * model, `${m.peakBytes} of ${model}`);
      }
      // Gradients: its pieces, the open unit, and (tied) the embedding's, open through backward.
      assert.ok(m.peakGradBytes <= m.shardBytes + largest + (config.tie_word_embeddings ? layerBytes + 4 * ranks * Math.ceil(config.hidden_size / ranks) : 0),
        `${config.name}: peak gradient bytes ${m.peakGradBytes}`);
    }
  });
}

test('ZeRO-2 holds the whole model on every rank (the contrast the counters draw)', async () => {
  const z2 = ShardedEngine.create(deep, { ranks: 4, batch, seqLen, zero: 2 });
  const { inputs, targets } = tokens(deep, 3);
  await z2.trainStep(inputs, targets, h);
  const m = z2.paramMemory;
  assert.equal(z2.zero, 2);
  assert.equal(m.peakBytes, m.modelBytes);
  assert.equal(m.shardBytes, m.modelBytes);
});

test('ZeRO-3: a rank that fails stops every rank with one error naming it; θ is untouched', async () => {
  const sharded = ShardedEngine.create(tiny, { ranks: 4, batch, seqLen, seed: 3, zero: 3 });
  const before = sharded.params();
  const { inputs, targets } = tokens(tiny, 9);
  await assert.rejects(sharded.trainStep(inputs, targets, h, 1), (e: Error) => {
    assert.match(e.message, /rank 1: injected failure after backward/);
    assert.match(e.message, /all 4 ranks stopped/);
    return true;
  });
  assert.deepEqual(sharded.params(), before, 'no rank updated its piece of θ');
  await assert.rejects(sharded.trainStep(inputs, targets, h), /a previous step failed \(.*rank 1/);
});

test('a ZeRO stage other than 1, 2 or 3 is refused naming it', () => {
  assert.throws(() => ShardedEngine.create(tiny, { ranks: 2, batch, seqLen, zero: 4 as 3 }), /zero/);
});
