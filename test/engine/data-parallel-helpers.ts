// What the data-parallel engine tests (sharded, zero3, sharded-miner) share: the
// AdamW settings, a deterministic token batch and the two comparisons against the
// single engine, whose tolerances come from fp32 reduction order.
import assert from 'node:assert/strict';
import type { AdamWHparams } from '../../src/train/engine.js';
import type { ModelConfig } from '../../src/train/model-config.js';

export const SEQ_LEN = 16;
export const BATCH = 4;
export const ADAMW: AdamWHparams & { gradClip: number } = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };

/**
 * A batch of BATCH × SEQ_LEN tokens from an LCG seeded by `seed`. With `ignored`, every
 * 7th target from the 4th is −100 (ignored), so the ranks' slices hold different
 * numbers of counted targets and the loss must be normalised over the whole batch.
 */
export function lcgTokens(config: ModelConfig, seed: number, ignored = true): { inputs: Int32Array; targets: Int32Array } {
  const n = BATCH * SEQ_LEN;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    inputs[i] = s % config.vocab_size;
    targets[i] = ignored && i % 7 === 3 ? -100 : (s >>> 8) % config.vocab_size;
  }
  return { inputs, targets };
}

/** Largest |a−b| relative to the largest |b| (a whole-tensor scale, as fp32 reduction noise is). */
export function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

/**
 * θ after an AdamW step. AdamW normalises each update to about lr, so where a gradient
 * is as small as fp32 reduction noise (next to eps) the two summation orders can give
 * different updates, each at most ~lr: those elements are only held to that bound.
 * Every element whose gradient stands above the noise must agree to 1e-3 of lr.
 */
export function checkTheta(got: Float32Array, want: Float32Array, grads: Float32Array, lr = ADAMW.lr): void {
  let gmax = 0;
  for (const v of grads) gmax = Math.max(gmax, Math.abs(v));
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    const bound = Math.abs(grads[i]!) >= 1e-4 * gmax ? 1e-3 * lr + 1e-7 * Math.abs(want[i]!) : 2.2 * lr;
    if (d > bound) assert.fail(`θ[${i}] differs by ${d} (bound ${bound}, gradient ${grads[i]})`);
  }
}
