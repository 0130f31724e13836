import { ShardedEngine } from './sharded-engine.js';
/** Thrown where the sharded trainer lacks a call the one-rank engine has. */
export class ShardedUnsupportedError extends Error {
    constructor(call, why) {
        super(`${call} is not available on the sharded engine: ${why}`);
        this.name = 'ShardedUnsupportedError';
    }
}
function sameFloats(a, b) {
    if (a.length !== b.length)
        return false;
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < x.length; i++)
        if (x[i] !== y[i])
            return false;
    return true;
}
export class ShardedDeviceHandle {
    config;
    ranks;
    batch;
    seqLen;
    engine;
    constructor(config, ranks, batch, seqLen) {
        this.config = config;
        this.ranks = ranks;
        this.batch = batch;
        this.seqLen = seqLen;
        this.engine = ShardedEngine.create(config, { ranks, batch, seqLen, seed: 0 });
    }
    numParams() {
        return this.engine.numParams;
    }
    getAdamStep() {
        return this.engine.adamStep;
    }
    /** The trainer is rebuilt from the seed: the same init as Engine.initParams, with zeroed moments and step 0. */
    initParams(seedLow, seedHigh) {
        const seed = seedHigh * 2 ** 32 + seedLow;
        if (!Number.isSafeInteger(seed) || seed >= 2 ** 52)
            throw new ShardedUnsupportedError('initParams', `seed ${seed} is above 2^52`);
        this.engine = ShardedEngine.create(this.config, { ranks: this.ranks, batch: this.batch, seqLen: this.seqLen, seed });
    }
    getParams() {
        return this.engine.params();
    }
    setParams(params) {
        this.engine.setParams(params);
    }
    getGrads() {
        return this.engine.grads();
    }
    getAdamState() {
        return { m: this.engine.adamM(), v: this.engine.adamV(), step: this.engine.adamStep };
    }
    /**
     * The host mirror pushes the moments back after a caller looked at them (a node saves
     * them every window): accepted when they are the trainer's own, refused otherwise.
     */
    setAdamState(m, v, step) {
        if (step === this.engine.adamStep && sameFloats(m, this.engine.adamM()) && sameFloats(v, this.engine.adamV()))
            return;
        throw new ShardedUnsupportedError('setAdamState', 'it cannot load AdamW moments other than its own yet (a resumed multi-rank miner starts them afresh)');
    }
    trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip) {
        return this.engine.trainStep(inputs, targets, { lr, beta1, beta2, eps, weightDecay, gradClip });
    }
    forwardBackward() {
        return Promise.reject(new ShardedUnsupportedError('forwardBackward', 'it trains in whole steps (trainStep)'));
    }
    evalLoss() {
        return Promise.reject(new ShardedUnsupportedError('evalLoss', 'only validators evaluate, and they train on one rank'));
    }
    clipGradNorm() {
        throw new ShardedUnsupportedError('clipGradNorm', 'clipping is part of trainStep');
    }
    adamw() {
        throw new ShardedUnsupportedError('adamw', 'the optimiser step is part of trainStep');
    }
    dispose() {
        // The native trainer is freed with its wrapper by the garbage collector.
    }
    /**
     * What each rank holds, for the status API: fp32 weights and gradient (8 B a
     * parameter) and its shard of m and v (every shard is ceil(N / ranks) long: the last
     * one's padding is counted). Activations are not counted.
     */
    rankMemory() {
        const n = this.engine.numParams;
        const state = this.engine.stateBytesPerRank;
        return Array.from({ length: this.ranks }, (_, rank) => ({ rank, memoryBytes: 2 * 4 * n + state, optimizerStateBytes: state }));
    }
}
//# sourceMappingURL=sharded-device.js.map