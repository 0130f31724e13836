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
export class ShardedEngine {
    native;
    ranks;
    batch;
    seqLen;
    constructor(native, ranks, batch, seqLen) {
        this.native = native;
        this.ranks = ranks;
        this.batch = batch;
        this.seqLen = seqLen;
    }
    static create(config, opts) {
        const addon = loadNative();
        return new ShardedEngine(new addon.ShardedEngine(config, opts.ranks, opts.batch, opts.seqLen, opts.seed ?? 0, opts.zero ?? 2), opts.ranks, opts.batch, opts.seqLen);
    }
    get numParams() {
        return this.native.info().numParams;
    }
    /** Bytes of AdamW state (m and v) one rank holds: its shard only. */
    get stateBytesPerRank() {
        return this.native.info().stateBytesPerRank;
    }
    get adamStep() {
        return this.native.info().adamStep;
    }
    get zero() {
        return this.native.info().zero;
    }
    /** Parameter (and gradient) bytes per rank: what a rank keeps, and its peaks during the last step. */
    get paramMemory() {
        return this.native.info().paramMemory;
    }
    /** One step on the whole batch; `failRank` (tests) makes that rank fail after its backward. */
    trainStep(inputs, targets, h, failRank) {
        return this.native.trainStep(inputs, targets, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.gradClip, failRank);
    }
    /** θ in canonical order (a copy). */
    params() {
        return this.native.params();
    }
    setParams(p) {
        this.native.setParams(p);
    }
    /** The reduced (whole-batch mean) gradient of the last step, before clipping, gathered from the shards. */
    grads() {
        return this.native.grads();
    }
    adamM() {
        return this.native.adamM();
    }
    adamV() {
        return this.native.adamV();
    }
}
/** Whether libnccl.so.2 loads here ('' when it does), for the node's startup log and the tests. */
export function ncclLoadError() {
    return loadNative().ncclProbe().error;
}
//# sourceMappingURL=sharded-engine.js.map