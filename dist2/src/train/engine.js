// The training engine: a LLaMA (Hugging Face LlamaForCausalLM semantics) on a native
// backend, in the canonical order of parameterLayout(config). Long calls run off the
// event loop.
// - CPU (default): parameters, gradients and AdamW moments live in the engine's own
//   memory and are exposed as Float32Arrays without copies.
// - CUDA (`device: 'cuda'` or `'auto'`): the same API; the state lives on the GPU
//   (bf16 compute, fp32 masters and moments) and the arrays are host copies kept in
//   step lazily (src/train/host-mirror.ts): a miner's window moves θ a few times, not
//   once per step. `logits` and `profileStep` are CPU-only.
// One call at a time: while an async call runs off the event loop (it reads and writes
// the state on a worker thread), every other call and every view of the state that
// call uses is refused with an error naming it (docs/engine.md, "Buffer lifetime").
import { loadNative, selectNativeBackend } from '../native/index.js';
import { HostMirror } from './host-mirror.js';
import { parameterLayout } from './model-config.js';
import { ShardedDeviceHandle } from './sharded-device.js';
export class EngineError extends Error {
    constructor(message) {
        super(message);
        this.name = 'EngineError';
    }
}
/** The label of tokens that do not count in the loss. */
export const IGNORE_INDEX = -100;
/** The CUDA addon's shape argument. */
function cudaShape(c) {
    return {
        vocab: c.vocab_size, dim: c.hidden_size, ffn: c.intermediate_size, layers: c.num_hidden_layers,
        heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, normEps: c.rms_norm_eps, ropeTheta: c.rope_theta,
        tied: c.tie_word_embeddings,
    };
}
function engineError(e) {
    return e instanceof EngineError ? e : new EngineError(e?.message ?? String(e));
}
/** Runs a native call, turning any failure into an EngineError. */
function wrap(fn) {
    try {
        return fn();
    }
    catch (e) {
        throw engineError(e);
    }
}
async function wrapAsync(fn) {
    try {
        return await fn();
    }
    catch (e) {
        throw engineError(e);
    }
}
function positiveInt(name, v, max = 2 ** 31 - 1) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
        throw new EngineError(`${name} must be an integer in 1..${max}, got ${String(v)}`);
    }
    return v;
}
function checkHparams(h) {
    const ok = Number.isFinite(h.lr) && h.lr >= 0 && h.beta1 >= 0 && h.beta1 < 1 && h.beta2 >= 0 && h.beta2 < 1 &&
        Number.isFinite(h.eps) && h.eps > 0 && Number.isFinite(h.weightDecay) && h.weightDecay >= 0;
    if (!ok)
        throw new EngineError(`bad AdamW hyper-parameters ${JSON.stringify(h)}: need lr >= 0, 0 <= beta < 1, eps > 0, weightDecay >= 0`);
}
export class Engine {
    config;
    layout;
    batch;
    seqLen;
    numParams;
    /** where the state lives */
    device;
    backend;
    /** The sharded trainer behind a multi-rank engine. */
    sharded;
    disposed = false;
    /** The async call running off the event loop, and the state parts it reads or writes. */
    inFlight;
    constructor(config, backend, batch, seqLen, device) {
        this.config = config;
        this.layout = parameterLayout(config);
        this.batch = batch;
        this.seqLen = seqLen;
        this.backend = backend;
        this.device = device;
        this.numParams = backend.native.numParams();
        const last = this.layout[this.layout.length - 1];
        if (last.offset + last.numel !== this.numParams) {
            throw new EngineError(`native layout has ${this.numParams} floats, parameterLayout ${last.offset + last.numel}`);
        }
    }
    /** Allocates parameters, gradients, moments and every activation for (batch, seqLen). Parameters start at 0: call initParams. */
    static create(config, opts) {
        const batch = positiveInt('batch', opts.batch, 1 << 16);
        const seqLen = positiveInt('seqLen', opts.seqLen, 1 << 20);
        const threads = opts.threads === undefined ? 0 : positiveInt('threads', opts.threads, 1024);
        const device = opts.device ?? 'cpu';
        if (device !== 'cpu' && device !== 'cuda' && device !== 'auto')
            throw new EngineError(`device must be cpu, cuda or auto, got ${String(device)}`);
        const ranks = positiveInt('ranks', opts.ranks ?? 1, 64);
        if (ranks > 1) {
            if (device !== 'cpu')
                throw new EngineError(`ranks ${ranks} runs on the CPU sharded trainer: give device cpu (the CUDA sharded engine is not built yet)`);
            if (batch % ranks !== 0)
                throw new EngineError(`batch ${batch} does not split evenly over ${ranks} ranks`);
            return wrap(() => {
                const handle = new ShardedDeviceHandle(config, ranks, batch, seqLen);
                const engine = Engine.overDevice(config, handle, { batch, seqLen }, 'cpu');
                engine.sharded = handle;
                return engine;
            });
        }
        if (device !== 'cpu') {
            const choice = wrap(() => selectNativeBackend({ prefer: 'cuda', ...(opts.log ? { log: opts.log } : {}) }));
            if (choice.backend === 'cuda') {
                const index = opts.cudaDevice ?? 0;
                if (!Number.isInteger(index) || index < 0)
                    throw new EngineError(`cudaDevice must be a non-negative integer, got ${index}`);
                const Ctor = choice.addon.CudaEngine;
                return wrap(() => Engine.overDevice(config, new Ctor(cudaShape(config), batch, seqLen, index, { flashAttention: opts.flashAttention }), { batch, seqLen }, 'cuda'));
            }
            if (device === 'cuda')
                throw new EngineError(`device cuda requested, but: ${choice.reason}`);
        }
        const addon = loadNative();
        const Ctor = addon.NativeEngine;
        return wrap(() => {
            const native = new Ctor(config, batch, seqLen, threads);
            const b = native.buffers();
            const backend = {
                kind: 'cpu', native,
                params: new Float32Array(b.params), grads: new Float32Array(b.grads), adamM: new Float32Array(b.adamM), adamV: new Float32Array(b.adamV),
            };
            return new Engine(config, backend, batch, seqLen, 'cpu');
        });
    }
    /**
     * An engine over a backend whose state is reached by copies (the CUDA addon's
     * CudaEngine, or any object with the same calls: tests drive the host-copy logic
     * with one backed by the CPU engine).
     */
    static overDevice(config, native, dims, device = 'cuda') {
        const batch = positiveInt('batch', dims.batch, 1 << 16);
        const seqLen = positiveInt('seqLen', dims.seqLen, 1 << 20);
        return wrap(() => new Engine(config, { kind: 'device', native, mirror: new HostMirror(native, native.numParams()) }, batch, seqLen, device));
    }
    /** Parameters (canonical layout). On a device: a host copy; writes reach the device before its next call. */
    get params() {
        return this.hostArray('params');
    }
    /** Gradients of the last forwardBackward. On a device: a read-only host copy. */
    get grads() {
        return this.hostArray('grads');
    }
    /** AdamW first moments. On a device: a host copy, like params. */
    get adamM() {
        return this.hostArray('adamM');
    }
    /** AdamW second moments. On a device: a host copy, like params. */
    get adamV() {
        return this.hostArray('adamV');
    }
    /** Data-parallel ranks this engine trains on (1 unless created with `ranks`). */
    get ranks() {
        return this.sharded?.ranks ?? 1;
    }
    /**
     * What each rank holds: a multi-rank engine's ranks; otherwise one entry, whose memory
     * is the device memory the CUDA engine allocated, or on the CPU the fp32 weights,
     * gradient and moments (16 B a parameter; activations not counted).
     */
    rankMemory() {
        if (this.sharded)
            return this.sharded.rankMemory();
        const b = this.backend;
        const state = 2 * 4 * this.numParams;
        const device = b.kind === 'device' && typeof b.native.deviceBytes === 'function' ? wrap(() => b.native.deviceBytes()) : undefined;
        return [{ rank: 0, memoryBytes: device ?? 4 * 4 * this.numParams, optimizerStateBytes: state }];
    }
    /** Host ↔ device copies so far (all zero on the CPU backend). */
    get transfers() {
        const b = this.backend;
        if (b.kind === 'device')
            return { pulls: { ...b.mirror.counts.pulls }, pushes: { ...b.mirror.counts.pushes } };
        return { pulls: { params: 0, grads: 0, adam: 0 }, pushes: { params: 0, grads: 0, adam: 0 } };
    }
    /** AdamW step counter used for bias correction (set it when resuming). */
    get adamStep() {
        this.usable('adamStep', 'adam');
        return wrap(() => this.backend.native.getAdamStep());
    }
    set adamStep(n) {
        this.usable('adamStep');
        if (!Number.isSafeInteger(n) || n < 0)
            throw new EngineError(`adamStep must be a non-negative integer, got ${n}`);
        const b = this.backend;
        wrap(() => (b.kind === 'cpu' ? b.native.setAdamStep(n) : b.mirror.setAdamStep(n)));
    }
    /** Deterministic init (docs/engine.md): the same bits on every machine. Also zeroes the AdamW state. */
    initParams(seed) {
        const s = BigInt(seed);
        if (s < 0n || s >= 1n << 64n)
            throw new EngineError(`seed must be an integer in [0, 2^64), got ${seed}`);
        wrap(() => {
            this.idle('initParams');
            this.beginCall([], ['params', 'adam']);
            this.backend.native.initParams(Number(s & 0xffffffffn), Number(s >> 32n));
        });
    }
    /** Mean cross-entropy over targets != -100; gradients are overwritten. */
    forwardBackward(inputs, targets) {
        return this.runAsync('forwardBackward', ['params'], ['grads'], () => this.backend.native.forwardBackward(inputs, targets));
    }
    /** Scales the gradients to global L2 norm maxNorm if above it; returns the norm before clipping. */
    clipGradNorm(maxNorm) {
        if (!(maxNorm > 0) || !Number.isFinite(maxNorm))
            throw new EngineError(`maxNorm must be a positive number, got ${maxNorm}`);
        return wrap(() => {
            this.idle('clipGradNorm');
            this.beginCall(['grads'], ['grads']);
            return this.backend.native.clipGradNorm(maxNorm);
        });
    }
    /** One AdamW step (torch.optim.AdamW semantics); weight decay applies to 2-D tensors only. */
    adamw(h) {
        checkHparams(h);
        wrap(() => {
            this.idle('adamw');
            this.beginCall(['params', 'grads', 'adam'], ['params', 'adam']);
            this.backend.native.adamw(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay);
        });
    }
    /** forwardBackward, clipGradNorm and adamw in one call off the event loop. */
    trainStep(inputs, targets, h) {
        return this.runAsync('trainStep', ['params', 'adam'], ['params', 'grads', 'adam'], () => {
            checkHparams(h);
            if (!(h.gradClip > 0) || !Number.isFinite(h.gradClip))
                throw new EngineError(`gradClip must be a positive number, got ${h.gradClip}`);
            return this.backend.native.trainStep(inputs, targets, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.gradClip);
        });
    }
    /** Mean loss of each of the first nSeq sequences (rows 0..nSeq-1); NaN for a sequence whose targets are all -100. */
    evalLoss(inputs, targets, nSeq) {
        return this.runAsync('evalLoss', ['params'], [], () => this.backend.native.evalLoss(inputs, targets, nSeq));
    }
    /** Logits [nSeq, seqLen, vocab]. CPU backend only. */
    logits(inputs, nSeq) {
        const b = this.backend;
        if (b.kind !== 'cpu')
            return Promise.reject(new EngineError(`logits is not available on the ${this.device} backend`));
        return this.runAsync('logits', ['params'], [], () => b.native.logits(inputs, nSeq));
    }
    /** Runs one forwardBackward synchronously (blocks the event loop; for the benchmark) and profiles its sgemm calls. CPU only. */
    profileStep(inputs, targets) {
        const b = this.backend;
        if (b.kind !== 'cpu')
            throw new EngineError(`profileStep is not available on the ${this.device} backend`);
        return wrap(() => {
            this.idle('profileStep');
            return b.native.profileStep(inputs, targets);
        });
    }
    /** Whether an async call (trainStep, evalLoss, …) is running. */
    get busy() {
        return this.inFlight !== undefined;
    }
    /**
     * Resolves once no async call runs (at once when none does). A caller that must
     * dispose whatever the engine is doing (a node shutting down) loops until !busy, then
     * disposes in the same turn: another call may start between the two otherwise.
     */
    async whenIdle() {
        while (this.inFlight)
            await this.inFlight.settled;
    }
    /** Frees the engine's memory once no view refers to it; the CPU's Float32Array views become empty (detached). */
    dispose() {
        if (this.disposed)
            return;
        this.idle('dispose');
        wrap(() => this.backend.native.dispose());
        this.disposed = true;
    }
    hostArray(part) {
        this.usable(part, part === 'adamM' || part === 'adamV' ? 'adam' : part);
        const b = this.backend;
        return b.kind === 'cpu' ? b[part] : wrap(() => b.mirror.view(part));
    }
    /** Throws unless no async call is running: one call at a time. */
    idle(call) {
        if (this.inFlight)
            throw new EngineError(`engine busy: ${call} called while ${this.inFlight.call} is still running; await it first`);
    }
    /**
     * Throws if the async call running reads or writes `part` (any call at all when no
     * part is given). Checked where views are handed out, so it costs nothing per
     * element; a view taken before the call cannot be policed (docs/engine.md).
     */
    usable(what, part) {
        const f = this.inFlight;
        if (f && (part === undefined || f.parts.has(part))) {
            throw new EngineError(`engine.${what} cannot be used while ${f.call} is running (it uses the engine's state off the event loop); await it first`);
        }
    }
    /**
     * Runs an async native call: refused while another runs; until it settles, the parts
     * it reads or writes are off limits to JS. Every failure rejects with an EngineError.
     */
    runAsync(call, reads, writes, start) {
        return wrapAsync(async () => {
            this.idle(call);
            this.beginCall(reads, writes);
            const promise = start();
            this.inFlight = { call, parts: new Set([...reads, ...writes]), settled: promise.then(() => undefined, () => undefined) };
            try {
                return await promise;
            }
            finally {
                this.inFlight = undefined;
            }
        });
    }
    /** On a device: copies what the next call reads to the device, and marks what it writes stale on the host. */
    beginCall(reads, writes) {
        if (this.backend.kind === 'device')
            this.backend.mirror.beginCall(reads, writes);
    }
}
/** Times OpenBLAS sgemm on the given shapes (each `count` times per repeat). */
export function benchSgemm(shapes, repeats) {
    return wrap(() => loadNative().benchSgemm(shapes, repeats));
}
//# sourceMappingURL=engine.js.map