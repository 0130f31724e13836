// Data parallel with sharded AdamW states (CPU collectives backend): one step on 2
// and 4 ranks equals one single-engine step on the concatenated batch (loss, every
// gradient, θ after the step, both moments), up to fp32 reduction order; the state
// per rank is 1/ranks of the single engine's; a failing rank stops every rank with
// one error naming it; the NCCL loader fails clearly without the library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/train/engine.js';
import { ShardedEngine, ncclLoadError } from '../../src/train/sharded-engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
import { ADAMW, BATCH, SEQ_LEN, checkTheta, lcgTokens, relErr } from './data-parallel-helpers.js';

const config = loadModelConfig('tiny');
const seqLen = SEQ_LEN;
const batch = BATCH;
const h = ADAMW;
const tokens = (seed: number) => lcgTokens(config, seed);

for (const ranks of [2, 4]) {
  test(`ZeRO-1/2 over ${ranks} CPU ranks: one step equals the single engine's on the whole batch`, async () => {
    const single = Engine.create(config, { batch, seqLen, threads: 1 });
    const sharded = ShardedEngine.create(config, { ranks, batch, seqLen });
    try {
      single.initParams(7);
      sharded.setParams(Float32Array.from(single.params));
      assert.deepEqual(sharded.params(), Float32Array.from(single.params));
      for (const seed of [1, 2]) { // two steps, so the second uses nonzero moments and bias correction t = 2
        const { inputs, targets } = tokens(seed);
        if (seed === 2) {
          // Start step 2 from the same state on both sides: step 1's few noise-level
          // elements (checkTheta) would otherwise move step 2's gradients by more than
          // reduction noise, and this step is here to check t = 2 with nonzero moments.
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
        const eg = relErr(sharded.grads(), grads1);
        assert.ok(eg <= 1e-5, `gradient rel err ${eg}`);
        // every tensor's gradient, so a shard boundary error in one small tensor cannot hide
        checkTheta(sharded.params(), Float32Array.from(single.params), grads1);
        assert.ok(relErr(sharded.adamM(), Float32Array.from(single.adamM)) <= 1e-5, 'adam m');
        assert.ok(relErr(sharded.adamV(), Float32Array.from(single.adamV)) <= 1e-5, 'adam v');
      }
      assert.equal(sharded.adamStep, 2);
      // The optimiser state really is sharded: each rank holds ceil(N/ranks) of m and v.
      const singleState = 2 * 4 * single.numParams;
      assert.ok(sharded.stateBytesPerRank <= (1.1 / ranks) * singleState, `${sharded.stateBytesPerRank} vs ${singleState}`);
      assert.ok(sharded.stateBytesPerRank >= singleState / ranks);
    } finally {
      single.dispose();
    }
  });
}

test('every tensor gradient matches, not only the whole-vector maximum (4 ranks)', async () => {
  const single = Engine.create(config, { batch, seqLen, threads: 1 });
  const sharded = ShardedEngine.create(config, { ranks: 4, batch, seqLen });
  try {
    single.initParams(11);
    sharded.setParams(Float32Array.from(single.params));
    const { inputs, targets } = tokens(5);
    await single.forwardBackward(inputs, targets);
    const g1 = Float32Array.from(single.grads);
    await sharded.trainStep(inputs, targets, h);
    const g = sharded.grads();
    const { parameterLayout } = await import('../../src/train/model-config.js');
    for (const t of parameterLayout(config)) {
      const a = g.subarray(t.offset, t.offset + t.numel), b = g1.subarray(t.offset, t.offset + t.numel);
      assert.ok(relErr(a, b) <= 1e-5, `${t.name}: rel err ${relErr(a, b)}`);
    }
  } finally {
    single.dispose();
  }
});

test('a rank that fails stops every rank with one error naming it; the engine then refuses to step', async () => {
  const sharded = ShardedEngine.create(config, { ranks: 4, batch, seqLen, seed: 3 });
  const before = sharded.params();
  const { inputs, targets } = tokens(9);
  await assert.rejects(sharded.trainStep(inputs, targets, h, 2), (e: Error) => {
    assert.match(e.message, /rank 2: injected failure after backward/);
    assert.match(e.message, /all 4 ranks stopped/);
    return true;
  });
  assert.deepEqual(sharded.params(), before, 'no rank updated θ');
  await assert.rejects(sharded.trainStep(inputs, targets, h), /a previous step failed \(rank 2/);
});

test('bad shapes are refused with the reason', () => {
  assert.throws(() => ShardedEngine.create(config, { ranks: 3, batch: 4, seqLen }), /batch.*multiple of ranks \(3\)/);
  const s = ShardedEngine.create(config, { ranks: 2, batch, seqLen });
  assert.throws(() => s.setParams(new Float32Array(3)), /setParams: params has 3 elements, expected/);
});

test('the NCCL loader names every path it tried when libnccl.so.2 is absent', (t) => {
  const err = ncclLoadError();
  if (err === '') {
    t.skip('libnccl.so.2 is installed here: the loader found it');
    return;
  }
  assert.match(err, /NCCL could not be loaded \(set GM_NCCL_PATH/);
  assert.match(err, /libnccl\.so\.2/);
});
