// Data-parallel training with sharded optimiser states (ZeRO-1/2) or fully sharded
// parameters (ZeRO-3) on the native engine, over the CPU collectives backend (one
// thread per rank). Each rank trains on its slice of the batch; gradients are
// reduce-scattered, each rank runs AdamW on its shard of θ and of the moments. ZeRO-1/2
// all-gather the updated shards into every rank's full weights; ZeRO-3 keeps only the
// shards and all-gathers one unit (embedding, layer, head) at a time, just before
// forward or backward uses it, freeing it after. Everything this
// class returns is in the canonical flat order (parameterLayout), so what the protocol
// sees is what a single engine on the concatenated batch would produce, up to fp32
// reduction order. docs/cuda.md says how the same code maps onto NCCL and GPUs.
import { loadNative } from '../native/index.js';
import type { AdamWHparams } from './engine.js';
import type { ModelConfig } from './model-config.js';

interface NativeShardedHandle {
  trainStep(inputs: Int32Array, targets: Int32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, gradClip: number, failRank?: number): Promise<{ loss: number; gradNorm: number }>;
  params(): Float32Array;
  setParams(p: Float32Array): void;
  grads(): Float32Array;
  adamM(): Float32Array;
  adamV(): Float32Array;
  info(): { ranks: number; numParams: number; shardSize: number; stateBytesPerRank: number; adamStep: number; zero: ZeroStage; paramMemory: ParamMemory };
}

/** 1, 2: optimiser state and reduced gradient sharded; 3: parameters sharded too. */
export type ZeroStage = 1 | 2 | 3;

/** fp32 parameter bytes one rank holds (the largest over the ranks), from the engine's counters. */
export interface ParamMemory {
  /** The whole model. */
  modelBytes: number;
  /** What a rank keeps between steps (ZeRO-3: its pieces of every unit). */
  shardBytes: number;
  /** The most held at once during the last step. */
  peakBytes: number;
  /** The most held while a transformer layer ran: ZeRO-3 holds its shard plus that one layer. */
  peakLayerBytes: number;
  /** The largest unit (embedding, one layer, final norm + head) gathered whole, padded to the ranks. */
  largestUnitBytes: number;
  /** The most gradient bytes held at once (full-size buffers and shards). */
  peakGradBytes: number;
}

export interface ShardedEngineOptions {
  ranks: number;
  /** The whole batch (split evenly over the ranks). */
  batch: number;
  seqLen: number;
  seed?: number;
  /** ZeRO stage (default 2). */
  zero?: ZeroStage;
}

export class ShardedEngine {
  private constructor(private readonly native: NativeShardedHandle, readonly ranks: number, readonly batch: number, readonly seqLen: number) {}

  static create(config: ModelConfig, opts: ShardedEngineOptions): ShardedEngine {
    const addon = loadNative() as unknown as { ShardedEngine: new (c: ModelConfig, r: number, b: number, t: number, s: number, z: number) => NativeShardedHandle };
    return new ShardedEngine(new addon.ShardedEngine(config, opts.ranks, opts.batch, opts.seqLen, opts.seed ?? 0, opts.zero ?? 2), opts.ranks, opts.batch, opts.seqLen);
  }

  get numParams(): number {
    return this.native.info().numParams;
  }
  /** Bytes of AdamW state (m and v) one rank holds: its shard only. */
  get stateBytesPerRank(): number {
    return this.native.info().stateBytesPerRank;
  }
  get adamStep(): number {
    return this.native.info().adamStep;
  }
  get zero(): ZeroStage {
    return this.native.info().zero;
  }
  /** Parameter (and gradient) bytes per rank: what a rank keeps, and its peaks during the last step. */
  get paramMemory(): ParamMemory {
    return this.native.info().paramMemory;
  }

  /** One step on the whole batch; `failRank` (tests) makes that rank fail after its backward. */
  trainStep(inputs: Int32Array, targets: Int32Array, h: AdamWHparams & { gradClip: number }, failRank?: number): Promise<{ loss: number; gradNorm: number }> {
    return this.native.trainStep(inputs, targets, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.gradClip, failRank);
  }

  /** θ in canonical order (a copy). */
  params(): Float32Array {
    return this.native.params();
  }
  setParams(p: Float32Array): void {
    this.native.setParams(p);
  }
  /** The reduced (whole-batch mean) gradient of the last step, before clipping, gathered from the shards. */
  grads(): Float32Array {
    return this.native.grads();
  }
  adamM(): Float32Array {
    return this.native.adamM();
  }
  adamV(): Float32Array {
    return this.native.adamV();
  }
}

/** Whether libnccl.so.2 loads here ('' when it does), for the node's startup log and the tests. */
export function ncclLoadError(): string {
  return (loadNative() as unknown as { ncclProbe(): { error: string } }).ncclProbe().error;
}
