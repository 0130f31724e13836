// The data-parallel sharded trainer (sharded-engine.ts) behind the Engine API, so that a
// miner with several ranks runs the same window code as one with one: Engine.create
// with `ranks > 1` wraps it with Engine.overDevice, whose host mirror keeps θ and the
// AdamW moments in canonical order on the JS side and copies them only when a caller
// looks (host-mirror.ts). The trainer's state is reached by copies (its ranks hold
// their own weights and shards), which is exactly the device-backend contract.
//
// What the sharded trainer does not do (yet) is refused with the reason: forward/backward
// alone, clipping or AdamW as separate calls, evaluation (only validators evaluate, and
// they train on one rank), and loading AdamW moments other than its own (it has no call
// for that: a resumed multi-rank miner starts its moments afresh, context.ts says so).
import type { DeviceEngineHandle } from './engine.js';
import type { ModelConfig } from './model-config.js';
import { ShardedEngine } from './sharded-engine.js';

/** Thrown where the sharded trainer lacks a call the one-rank engine has. */
export class ShardedUnsupportedError extends Error {
  constructor(call: string, why: string) {
    super(`${call} is not available on the sharded engine: ${why}`);
    this.name = 'ShardedUnsupportedError';
  }
}

/** Per-rank figures for the status API: what each rank holds, in bytes. */
export interface RankMemory {
  rank: number;
  /** The rank's engine state: weights and gradient (a full replica under ZeRO-1/2) and its AdamW shard. */
  memoryBytes: number;
  /** AdamW moments (m and v) this rank holds: its shard only. */
  optimizerStateBytes: number;
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class ShardedDeviceHandle implements DeviceEngineHandle {
  private engine: ShardedEngine;

  constructor(
    private readonly config: ModelConfig,
    readonly ranks: number,
    readonly batch: number,
    readonly seqLen: number,
  ) {
    this.engine = ShardedEngine.create(config, { ranks, batch, seqLen, seed: 0 });
  }

  numParams(): number {
    return this.engine.numParams;
  }
  getAdamStep(): number {
    return this.engine.adamStep;
  }

  /** The trainer is rebuilt from the seed: the same init as Engine.initParams, with zeroed moments and step 0. */
  initParams(seedLow: number, seedHigh: number): void {
    const seed = seedHigh * 2 ** 32 + seedLow;
    if (!Number.isSafeInteger(seed) || seed >= 2 ** 52) throw new ShardedUnsupportedError('initParams', `seed ${seed} is above 2^52`);
    this.engine = ShardedEngine.create(this.config, { ranks: this.ranks, batch: this.batch, seqLen: this.seqLen, seed });
  }

  getParams(): Float32Array {
    return this.engine.params();
  }
  setParams(params: Float32Array): void {
    this.engine.setParams(params);
  }
  getGrads(): Float32Array {
    return this.engine.grads();
  }
  getAdamState(): { m: Float32Array; v: Float32Array; step: number } {
    return { m: this.engine.adamM(), v: this.engine.adamV(), step: this.engine.adamStep };
  }

  /**
   * The host mirror pushes the moments back after a caller looked at them (a node saves
   * them every window): accepted when they are the trainer's own, refused otherwise.
   */
  setAdamState(m: Float32Array, v: Float32Array, step: number): void {
    if (step === this.engine.adamStep && sameFloats(m, this.engine.adamM()) && sameFloats(v, this.engine.adamV())) return;
    throw new ShardedUnsupportedError('setAdamState', 'it cannot load AdamW moments other than its own yet (a resumed multi-rank miner starts them afresh)');
  }

  trainStep(inputs: Int32Array, targets: Int32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, gradClip: number): Promise<{ loss: number; gradNorm: number }> {
    return this.engine.trainStep(inputs, targets, { lr, beta1, beta2, eps, weightDecay, gradClip });
  }

  forwardBackward(): Promise<number> {
    return Promise.reject(new ShardedUnsupportedError('forwardBackward', 'it trains in whole steps (trainStep)'));
  }
  evalLoss(): Promise<Float32Array> {
    return Promise.reject(new ShardedUnsupportedError('evalLoss', 'only validators evaluate, and they train on one rank'));
  }
  clipGradNorm(): number {
    throw new ShardedUnsupportedError('clipGradNorm', 'clipping is part of trainStep');
  }
  adamw(): void {
    throw new ShardedUnsupportedError('adamw', 'the optimiser step is part of trainStep');
  }
  dispose(): void {
    // The native trainer is freed with its wrapper by the garbage collector.
  }

  /**
   * What each rank holds, for the status API: fp32 weights and gradient (8 B a
   * parameter) and its shard of m and v (every shard is ceil(N / ranks) long: the last
   * one's padding is counted). Activations are not counted.
   */
  rankMemory(): RankMemory[] {
    const n = this.engine.numParams;
    const state = this.engine.stateBytesPerRank;
    return Array.from({ length: this.ranks }, (_, rank) => ({ rank, memoryBytes: 2 * 4 * n + state, optimizerStateBytes: state }));
  }
}
