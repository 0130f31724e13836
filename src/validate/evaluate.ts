// Evaluation of one miner's payload against θ_w (DESIGN.md, "Gauntlet"):
//   L_before on its own samples and on random samples; apply only its payload,
//   clipped against the window's per-tensor median norms, at η_outer·0.2; L_after on
//   both; put θ_w back and check it by thetaHash.
// The engine's parameter buffer is the working copy: the caller's θ is never written.
import { createHash } from 'node:crypto';
import type { Engine } from '../train/engine.js';
import { aggregateAndStepAsync, type CompressedModel } from '../train/compress/index.js';
import { copyAsync, thetaHashAsync } from '../train/compress/offload.js';
import { samplePool, minerTrainingSamples, ownEvalSamples, pseudoUid, makeBatch, type Dataset } from '../train/data/index.js';
import { GauntletError } from './config.js';
import { relativeDrop, indicator } from './scores.js';

export interface EvalBatch {
  inputs: Int32Array;
  targets: Int32Array;
  /** Sequences in the batch. */
  n: number;
}

export interface Evaluation {
  uid: number;
  ownBefore: number;
  ownAfter: number;
  randomBefore: number;
  randomAfter: number;
  /** Gradient score: relative loss drop on random data. */
  score: number;
  ownDrop: number;
  /** +1: own data improved more than random data. */
  indicator: 1 | -1;
  /** False when a loss came out non-finite or the aggregate skipped a tensor: treat as invalid. */
  finite: boolean;
  /** Tensors whose payload norm exceeded the window's median and were clipped. */
  clippedTensors: number;
}

function u64le(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

/** The seed of the validator's private choice of own-data samples for (uid, window). */
export function ownEvalSeed(nonce: Uint8Array, uid: number, window: number): Uint8Array {
  const u = Buffer.alloc(4);
  u.writeUInt32LE(uid >>> 0);
  return new Uint8Array(createHash('sha256').update('gauntlet-own').update(nonce).update(u).update(u64le(window)).digest());
}

/** Sample indices the miner trained on in `window`, the subset the validator scores it on. */
export function ownSampleIndices(
  runHash: Uint8Array, uid: number, window: number, batch: number, innerSteps: number, sampleCount: number, count: number, nonce: Uint8Array,
): number[] {
  const trained = minerTrainingSamples(samplePool(runHash, uid, window, batch * innerSteps, sampleCount), batch, innerSteps);
  return ownEvalSamples(trained, count, ownEvalSeed(nonce, uid, window));
}

/** "Random" sample indices for `window`: the pool of a pseudo-uid only the nonce holder knows. */
export function randomSampleIndices(runHash: Uint8Array, window: number, sampleCount: number, count: number, nonce: Uint8Array): number[] {
  return samplePool(runHash, pseudoUid(nonce, window), window, count, sampleCount);
}

export function evalBatch(ds: Dataset, indices: number[], seqLen: number): EvalBatch {
  return { ...makeBatch(ds, indices, seqLen), n: indices.length };
}

/** Mean per-sequence loss of the engine's current parameters on a batch. */
export async function meanLoss(engine: Engine, b: EvalBatch): Promise<number> {
  const losses = await engine.evalLoss(b.inputs, b.targets, b.n);
  let s = 0;
  for (let i = 0; i < b.n; i++) s += losses[i]!;
  return s / b.n;
}

export interface EvaluateOptions {
  engine: Engine;
  /** θ_w; copied into the engine, never modified. */
  theta: Float32Array;
  /** thetaHash(theta), checked after the engine's copy is restored. */
  thetaHash: string;
  uid: number;
  payload: CompressedModel;
  /** Per-tensor clip thresholds of the window's accepted set (medianNorms). */
  medianNorms: Float32Array;
  /** η_outer · evalLrScale. */
  lr: number;
  own: EvalBatch;
  random: EvalBatch;
  /** L_before on the random batch, when already known for this θ_w (it is shared by every miner of the window). */
  randomBefore?: number;
}

export async function evaluatePayload(o: EvaluateOptions): Promise<Evaluation> {
  const { engine } = o;
  if (engine.params.length !== o.theta.length) throw new GauntletError('bad_input', `θ has ${o.theta.length} floats, the engine ${engine.params.length}`);
  await copyAsync(engine.params, o.theta);
  try {
    const ownBefore = await meanLoss(engine, o.own);
    const randomBefore = o.randomBefore ?? (await meanLoss(engine, o.random));
    // Off the event loop; the engine is idle and nothing else writes its params meanwhile.
    const stats = await aggregateAndStepAsync(engine.params, engine.layout, [{ uid: o.uid, payload: o.payload }], o.lr, { medianNorms: o.medianNorms });
    const ownAfter = await meanLoss(engine, o.own);
    const randomAfter = await meanLoss(engine, o.random);
    const norms = stats.norms[0]!;
    let clippedTensors = 0;
    for (let t = 0; t < norms.length; t++) if (norms[t]! > stats.thresholds[t]!) clippedTensors++;
    const skipped = stats.skipped.some((s) => s !== 0);
    const score = relativeDrop(randomBefore, randomAfter);
    const ownDrop = relativeDrop(ownBefore, ownAfter);
    const finite = !skipped && [ownBefore, ownAfter, randomBefore, randomAfter, score, ownDrop].every(Number.isFinite);
    return {
      uid: o.uid, ownBefore, ownAfter, randomBefore, randomAfter,
      score: finite ? score : 0, ownDrop: finite ? ownDrop : 0,
      indicator: finite ? indicator(ownDrop, score) : -1,
      finite, clippedTensors,
    };
  } finally {
    await copyAsync(engine.params, o.theta);
    const got = await thetaHashAsync(engine.params);
    if (got !== o.thetaHash) throw new GauntletError('theta_not_restored', `θ hashes to ${got.slice(0, 12)}… after evaluating uid ${o.uid}, expected ${o.thetaHash.slice(0, 12)}…`);
  }
}
