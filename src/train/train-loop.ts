// The single-node training loop: batches from a callback, one engine trainStep each,
// a learning-rate schedule and a per-step report. Reused by `gradmesh train` and by
// anything else that trains on one node.
import { EngineError, type AdamWHparams, type Engine } from './engine.js';

export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
}

/** Returns the batch for step `step` (0-based): engine.batch × engine.seqLen tokens each. */
export type BatchSource = (step: number) => Batch | Promise<Batch>;

export interface StepReport {
  step: number;
  steps: number;
  loss: number;
  gradNorm: number;
  lr: number;
  stepMs: number;
  tokensPerSecond: number;
}

export interface TrainLoopOptions {
  steps: number;
  /** Peak learning rate and the other AdamW settings. */
  hparams: AdamWHparams & { gradClip: number };
  /** Linear warm-up steps, then cosine decay to minLrRatio·lr at the last step (0 = constant after warm-up). */
  warmupSteps?: number;
  cosine?: boolean;
  minLrRatio?: number;
  onStep?: (r: StepReport) => void;
  signal?: AbortSignal;
}

/** Warm-up then (optionally) cosine decay; step is 0-based. */
export function learningRate(step: number, steps: number, lr: number, warmup = 0, cosine = false, minRatio = 0.1): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  if (!cosine || steps <= warmup + 1) return lr;
  const progress = Math.min(1, (step - warmup) / (steps - warmup - 1));
  return lr * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Trains for opts.steps steps (fewer if aborted); returns the reports. */
export async function trainLoop(engine: Engine, nextBatch: BatchSource, opts: TrainLoopOptions): Promise<StepReport[]> {
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new EngineError(`steps must be a non-negative integer, got ${opts.steps}`);
  const reports: StepReport[] = [];
  const tokens = engine.batch * engine.seqLen;
  for (let step = 0; step < opts.steps && !opts.signal?.aborted; step++) {
    const batch = await nextBatch(step);
    const lr = learningRate(step, opts.steps, opts.hparams.lr, opts.warmupSteps ?? 0, opts.cosine ?? false, opts.minLrRatio ?? 0.1);
    const t0 = performance.now();
    const { loss, gradNorm } = await engine.trainStep(batch.inputs, batch.targets, { ...opts.hparams, lr });
    const stepMs = performance.now() - t0;
    const report = { step: step + 1, steps: opts.steps, loss, gradNorm, lr, stepMs, tokensPerSecond: tokens / (stepMs / 1e3) };
    reports.push(report);
    opts.onStep?.(report);
  }
  return reports;
}

/** Contiguous (T+1)-token windows at seeded pseudo-random offsets of a token array. */
export function windowBatchSource(tokens: ArrayLike<number>, batch: number, seqLen: number, seed: number, vocab: number): BatchSource {
  const windows = tokens.length - seqLen;
  if (windows < 1) throw new EngineError(`need more than ${seqLen} tokens for sequence length ${seqLen}, got ${tokens.length}`);
  let state = seed >>> 0;
  // mulberry32: a small seeded generator; training order need not match across nodes here.
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const inputs = new Int32Array(batch * seqLen), targets = new Int32Array(batch * seqLen);
    for (let b = 0; b < batch; b++) {
      const start = Math.floor(next() * windows);
      for (let t = 0; t < seqLen; t++) {
        const x = tokens[start + t]!, y = tokens[start + t + 1]!;
        if (x >= vocab || y >= vocab) throw new EngineError(`token ${Math.max(x, y)} at offset ${start + t} is outside the model vocabulary (${vocab})`);
        inputs[b * seqLen + t] = x;
        targets[b * seqLen + t] = y;
      }
    }
    return { inputs, targets };
  };
}
