// Data-parallel training with sharded optimiser states (ZeRO-1/2) on the native
// engine, over the CPU collectives backend (one thread per rank). Each rank trains on
// its slice of the batch; gradients are reduce-scattered, each rank runs AdamW on its
// shard of θ and of the moments, and the shards are all-gathered. Everything this
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
  info(): { ranks: number; numParams: number; shardSize: number; stateBytesPerRank: number; adamStep: number };
}

export interface ShardedEngineOptions {
  ranks: number;
  /** The whole batch (split evenly over the ranks). */
  batch: number;
  seqLen: number;
  seed?: number;
}

export class ShardedEngine {
  private constructor(private readonly native: NativeShardedHandle, readonly ranks: number, readonly batch: number, readonly seqLen: number) {}

  static create(config: ModelConfig, opts: ShardedEngineOptions): ShardedEngine {
    const addon = loadNative() as unknown as { ShardedEngine: new (c: ModelConfig, r: number, b: number, t: number, s: number) => NativeShardedHandle };
    return new ShardedEngine(new addon.ShardedEngine(config, opts.ranks, opts.batch, opts.seqLen, opts.seed ?? 0), opts.ranks, opts.batch, opts.seqLen);
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
