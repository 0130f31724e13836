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
import { loadNative, selectNativeBackend, type BackendLog } from '../native/index.js';
import { HostMirror, type DeviceStateHandle, type HostArray, type StatePart, type TransferCounts } from './host-mirror.js';
import { parameterLayout, type ModelConfig, type TensorSpec } from './model-config.js';
import { ShardedDeviceHandle, type RankMemory } from './sharded-device.js';

export type EngineDevice = 'cpu' | 'cuda' | 'auto';

export interface EngineOptions {
  batch: number;
  seqLen: number;
  /** Threads for this engine's kernels and OpenBLAS; default: loadNative().getThreads(). CPU only. */
  threads?: number;
  /**
   * 'cpu' (default); 'cuda' (the CUDA addon, or an EngineError saying why it cannot be
   * used); 'auto' (CUDA when it loads and sees a device, else CPU; the choice is logged).
   */
  device?: EngineDevice;
  /** CUDA device index (default 0). */
  cudaDevice?: number;
  /**
   * Data-parallel ranks (default 1). More than one: the sharded trainer on the CPU
   * (ZeRO-1/2 over the CPU collectives, src/train/sharded-device.ts), `batch` split
   * evenly over the ranks; θ and the moments read back in canonical order.
   */
  ranks?: number;
  /**
   * CUDA: the fused flash attention (true) or batched GEMM + softmax (false). Unset: flash
   * where the head dim runs on its tensor-core kernels (16, 32, 64, 128; `150m`: 1.32–1.34× the
   * GEMM path's step, 38 % less device memory on an H200), else GEMM (`1b`, head dim 256).
   */
  flashAttention?: boolean;
  /**
   * Where 'auto' and 'cuda' report the backend chosen and why (a node passes its
   * logger, so that the line is JSON in its log); default: once per process on stderr.
   */
  log?: BackendLog;
}

export interface AdamWHparams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface GemmShape {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  count: number;
}

/** One forwardBackward, profiled: the sgemm shapes it issued and the time inside sgemm. */
export interface StepProfile {
  shapes: GemmShape[];
  gemmSeconds: number;
  stepSeconds: number;
}

export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The label of tokens that do not count in the loss. */
export const IGNORE_INDEX = -100;

interface NativeEngineHandle {
  buffers(): { params: ArrayBuffer; grads: ArrayBuffer; adamM: ArrayBuffer; adamV: ArrayBuffer };
  numParams(): number;
  getAdamStep(): number;
  setAdamStep(n: number): void;
  initParams(seedLow: number, seedHigh: number): void;
  forwardBackward(inputs: Int32Array, targets: Int32Array): Promise<number>;
  trainStep(inputs: Int32Array, targets: Int32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, gradClip: number): Promise<{ loss: number; gradNorm: number }>;
  evalLoss(inputs: Int32Array, targets: Int32Array, nSeq: number): Promise<Float32Array>;
  logits(inputs: Int32Array, nSeq: number): Promise<Float32Array>;
  clipGradNorm(maxNorm: number): number;
  adamw(lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void;
  profileStep(inputs: Int32Array, targets: Int32Array): StepProfile;
  dispose(): void;
}

/** The CUDA addon's CudaEngine (src/native/cuda/binding/cuda_addon.cc): state reached by copies. */
export interface DeviceEngineHandle extends DeviceStateHandle {
  numParams(): number;
  getAdamStep(): number;
  initParams(seedLow: number, seedHigh: number): void;
  forwardBackward(inputs: Int32Array, targets: Int32Array): Promise<number>;
  trainStep(inputs: Int32Array, targets: Int32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, gradClip: number): Promise<{ loss: number; gradNorm: number }>;
  evalLoss(inputs: Int32Array, targets: Int32Array, nSeq: number): Promise<Float32Array>;
  clipGradNorm(maxNorm: number): number;
  adamw(lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void;
  dispose(): void;
  /** Device memory the engine allocated (the CUDA addon; fixed after construction). */
  deviceBytes?(): number;
}

type Backend =
  | { kind: 'cpu'; native: NativeEngineHandle; params: Float32Array; grads: Float32Array; adamM: Float32Array; adamV: Float32Array }
  | { kind: 'device'; native: DeviceEngineHandle; mirror: HostMirror };

/** The CUDA addon's shape argument. */
function cudaShape(c: ModelConfig): Record<string, number | boolean> {
  return {
    vocab: c.vocab_size, dim: c.hidden_size, ffn: c.intermediate_size, layers: c.num_hidden_layers,
    heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, normEps: c.rms_norm_eps, ropeTheta: c.rope_theta,
    tied: c.tie_word_embeddings,
  };
}

function engineError(e: unknown): EngineError {
  return e instanceof EngineError ? e : new EngineError((e as Error)?.message ?? String(e));
}

/** Runs a native call, turning any failure into an EngineError. */
function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw engineError(e);
  }
}

async function wrapAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw engineError(e);
  }
}

function positiveInt(name: string, v: unknown, max = 2 ** 31 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new EngineError(`${name} must be an integer in 1..${max}, got ${String(v)}`);
  }
  return v;
}

function checkHparams(h: AdamWHparams): void {
  const ok = Number.isFinite(h.lr) && h.lr >= 0 && h.beta1 >= 0 && h.beta1 < 1 && h.beta2 >= 0 && h.beta2 < 1 &&
    Number.isFinite(h.eps) && h.eps > 0 && Number.isFinite(h.weightDecay) && h.weightDecay >= 0;
  if (!ok) throw new EngineError(`bad AdamW hyper-parameters ${JSON.stringify(h)}: need lr >= 0, 0 <= beta < 1, eps > 0, weightDecay >= 0`);
}

export class Engine {
  readonly config: ModelConfig;
  readonly layout: TensorSpec[];
  readonly batch: number;
  readonly seqLen: number;
  readonly numParams: number;
  /** where the state lives */
  readonly device: 'cpu' | 'cuda';
  private readonly backend: Backend;
  /** The sharded trainer behind a multi-rank engine. */
  private sharded: ShardedDeviceHandle | undefined;
  private disposed = false;
  /** The async call running off the event loop, and the state parts it reads or writes. */
  private inFlight: { call: string; parts: ReadonlySet<StatePart>; settled: Promise<unknown> } | undefined;

  private constructor(config: ModelConfig, backend: Backend, batch: number, seqLen: number, device: 'cpu' | 'cuda') {
    this.config = config;
    this.layout = parameterLayout(config);
    this.batch = batch;
    this.seqLen = seqLen;
    this.backend = backend;
    this.device = device;
    this.numParams = backend.native.numParams();
    const last = this.layout[this.layout.length - 1]!;
    if (last.offset + last.numel !== this.numParams) {
      throw new EngineError(`native layout has ${this.numParams} floats, parameterLayout ${last.offset + last.numel}`);
    }
  }

  /** Allocates parameters, gradients, moments and every activation for (batch, seqLen). Parameters start at 0: call initParams. */
  static create(config: ModelConfig, opts: EngineOptions): Engine {
    const batch = positiveInt('batch', opts.batch, 1 << 16);
    const seqLen = positiveInt('seqLen', opts.seqLen, 1 << 20);
    const threads = opts.threads === undefined ? 0 : positiveInt('threads', opts.threads, 1024);
    const device = opts.device ?? 'cpu';
    if (device !== 'cpu' && device !== 'cuda' && device !== 'auto') throw new EngineError(`device must be cpu, cuda or auto, got ${String(device)}`);
    const ranks = positiveInt('ranks', opts.ranks ?? 1, 64);
    if (ranks > 1) {
      if (device !== 'cpu') throw new EngineError(`ranks ${ranks} runs on the CPU sharded trainer: give device cpu (the CUDA sharded engine is not built yet)`);
      if (batch % ranks !== 0) throw new EngineError(`batch ${batch} does not split evenly over ${ranks} ranks`);
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
        if (!Number.isInteger(index) || index < 0) throw new EngineError(`cudaDevice must be a non-negative integer, got ${index}`);
        const Ctor = choice.addon.CudaEngine as new (s: Record<string, number | boolean>, b: number, t: number, d: number, o: { flashAttention?: boolean }) => DeviceEngineHandle;
        return wrap(() => Engine.overDevice(config, new Ctor(cudaShape(config), batch, seqLen, index, { flashAttention: opts.flashAttention }), { batch, seqLen }, 'cuda'));
      }
      if (device === 'cuda') throw new EngineError(`device cuda requested, but: ${choice.reason}`);
    }
    const addon = loadNative();
    const Ctor = addon.NativeEngine as new (c: ModelConfig, b: number, t: number, th: number) => NativeEngineHandle;
    return wrap(() => {
      const native = new Ctor(config, batch, seqLen, threads);
      const b = native.buffers();
      const backend: Backend = {
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
  static overDevice(config: ModelConfig, native: DeviceEngineHandle, dims: { batch: number; seqLen: number }, device: 'cpu' | 'cuda' = 'cuda'): Engine {
    const batch = positiveInt('batch', dims.batch, 1 << 16);
    const seqLen = positiveInt('seqLen', dims.seqLen, 1 << 20);
    return wrap(() => new Engine(config, { kind: 'device', native, mirror: new HostMirror(native, native.numParams()) }, batch, seqLen, device));
  }

  /** Parameters (canonical layout). On a device: a host copy; writes reach the device before its next call. */
  get params(): Float32Array {
    return this.hostArray('params');
  }
  /** Gradients of the last forwardBackward. On a device: a read-only host copy. */
  get grads(): Float32Array {
    return this.hostArray('grads');
  }
  /** AdamW first moments. On a device: a host copy, like params. */
  get adamM(): Float32Array {
    return this.hostArray('adamM');
  }
  /** AdamW second moments. On a device: a host copy, like params. */
  get adamV(): Float32Array {
    return this.hostArray('adamV');
  }

  /** Data-parallel ranks this engine trains on (1 unless created with `ranks`). */
  get ranks(): number {
    return this.sharded?.ranks ?? 1;
  }

  /**
   * What each rank holds: a multi-rank engine's ranks; otherwise one entry, whose memory
   * is the device memory the CUDA engine allocated, or on the CPU the fp32 weights,
   * gradient and moments (16 B a parameter; activations not counted).
   */
  rankMemory(): RankMemory[] {
    if (this.sharded) return this.sharded.rankMemory();
    const b = this.backend;
    const state = 2 * 4 * this.numParams;
    const device = b.kind === 'device' && typeof b.native.deviceBytes === 'function' ? wrap(() => b.native.deviceBytes!()) : undefined;
    return [{ rank: 0, memoryBytes: device ?? 4 * 4 * this.numParams, optimizerStateBytes: state }];
  }

  /** Host ↔ device copies so far (all zero on the CPU backend). */
  get transfers(): TransferCounts {
    const b = this.backend;
    if (b.kind === 'device') return { pulls: { ...b.mirror.counts.pulls }, pushes: { ...b.mirror.counts.pushes } };
    return { pulls: { params: 0, grads: 0, adam: 0 }, pushes: { params: 0, grads: 0, adam: 0 } };
  }

  /** AdamW step counter used for bias correction (set it when resuming). */
  get adamStep(): number {
    this.usable('adamStep', 'adam');
    return wrap(() => this.backend.native.getAdamStep());
  }
  set adamStep(n: number) {
    this.usable('adamStep');
    if (!Number.isSafeInteger(n) || n < 0) throw new EngineError(`adamStep must be a non-negative integer, got ${n}`);
    const b = this.backend;
    wrap(() => (b.kind === 'cpu' ? b.native.setAdamStep(n) : b.mirror.setAdamStep(n)));
  }

  /** Deterministic init (docs/engine.md): the same bits on every machine. Also zeroes the AdamW state. */
  initParams(seed: number | bigint): void {
    const s = BigInt(seed);
    if (s < 0n || s >= 1n << 64n) throw new EngineError(`seed must be an integer in [0, 2^64), got ${seed}`);
    wrap(() => {
      this.idle('initParams');
      this.beginCall([], ['params', 'adam']);
      this.backend.native.initParams(Number(s & 0xffffffffn), Number(s >> 32n));
    });
  }

  /** Mean cross-entropy over targets != -100; gradients are overwritten. */
  forwardBackward(inputs: Int32Array, targets: Int32Array): Promise<number> {
    return this.runAsync('forwardBackward', ['params'], ['grads'], () => this.backend.native.forwardBackward(inputs, targets));
  }

  /** Scales the gradients to global L2 norm maxNorm if above it; returns the norm before clipping. */
  clipGradNorm(maxNorm: number): number {
    if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new EngineError(`maxNorm must be a positive number, got ${maxNorm}`);
    return wrap(() => {
      this.idle('clipGradNorm');
      this.beginCall(['grads'], ['grads']);
      return this.backend.native.clipGradNorm(maxNorm);
    });
  }

  /** One AdamW step (torch.optim.AdamW semantics); weight decay applies to 2-D tensors only. */
  adamw(h: AdamWHparams): void {
    checkHparams(h);
    wrap(() => {
      this.idle('adamw');
      this.beginCall(['params', 'grads', 'adam'], ['params', 'adam']);
      this.backend.native.adamw(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay);
    });
  }

  /** forwardBackward, clipGradNorm and adamw in one call off the event loop. */
  trainStep(inputs: Int32Array, targets: Int32Array, h: AdamWHparams & { gradClip: number }): Promise<{ loss: number; gradNorm: number }> {
    return this.runAsync('trainStep', ['params', 'adam'], ['params', 'grads', 'adam'], () => {
      checkHparams(h);
      if (!(h.gradClip > 0) || !Number.isFinite(h.gradClip)) throw new EngineError(`gradClip must be a positive number, got ${h.gradClip}`);
      return this.backend.native.trainStep(inputs, targets, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.gradClip);
    });
  }

  /** Mean loss of each of the first nSeq sequences (rows 0..nSeq-1); NaN for a sequence whose targets are all -100. */
  evalLoss(inputs: Int32Array, targets: Int32Array, nSeq: number): Promise<Float32Array> {
    return this.runAsync('evalLoss', ['params'], [], () => this.backend.native.evalLoss(inputs, targets, nSeq));
  }

  /** Logits [nSeq, seqLen, vocab]. CPU backend only. */
  logits(inputs: Int32Array, nSeq: number): Promise<Float32Array> {
    const b = this.backend;
    if (b.kind !== 'cpu') return Promise.reject(new EngineError(`logits is not available on the ${this.device} backend`));
    return this.runAsync('logits', ['params'], [], () => b.native.logits(inputs, nSeq));
  }

  /** Runs one forwardBackward synchronously (blocks the event loop; for the benchmark) and profiles its sgemm calls. CPU only. */
  profileStep(inputs: Int32Array, targets: Int32Array): StepProfile {
    const b = this.backend;
    if (b.kind !== 'cpu') throw new EngineError(`profileStep is not available on the ${this.device} backend`);
    return wrap(() => {
      this.idle('profileStep');
      return b.native.profileStep(inputs, targets);
    });
  }

  /** Whether an async call (trainStep, evalLoss, …) is running. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /**
   * Resolves once no async call runs (at once when none does). A caller that must
   * dispose whatever the engine is doing (a node shutting down) loops until !busy, then
   * disposes in the same turn: another call may start between the two otherwise.
   */
  async whenIdle(): Promise<void> {
    while (this.inFlight) await this.inFlight.settled;
  }

  /** Frees the engine's memory once no view refers to it; the CPU's Float32Array views become empty (detached). */
  dispose(): void {
    if (this.disposed) return;
    this.idle('dispose');
    wrap(() => this.backend.native.dispose());
    this.disposed = true;
  }

  private hostArray(part: HostArray): Float32Array {
    this.usable(part, part === 'adamM' || part === 'adamV' ? 'adam' : part);
    const b = this.backend;
    return b.kind === 'cpu' ? b[part] : wrap(() => b.mirror.view(part));
  }

  /** Throws unless no async call is running: one call at a time. */
  private idle(call: string): void {
    if (this.inFlight) throw new EngineError(`engine busy: ${call} called while ${this.inFlight.call} is still running; await it first`);
  }

  /**
   * Throws if the async call running reads or writes `part` (any call at all when no
   * part is given). Checked where views are handed out, so it costs nothing per
   * element; a view taken before the call cannot be policed (docs/engine.md).
   */
  private usable(what: string, part?: StatePart): void {
    const f = this.inFlight;
    if (f && (part === undefined || f.parts.has(part))) {
      throw new EngineError(`engine.${what} cannot be used while ${f.call} is running (it uses the engine's state off the event loop); await it first`);
    }
  }

  /**
   * Runs an async native call: refused while another runs; until it settles, the parts
   * it reads or writes are off limits to JS. Every failure rejects with an EngineError.
   */
  private runAsync<T>(call: string, reads: StatePart[], writes: StatePart[], start: () => Promise<T>): Promise<T> {
    return wrapAsync(async () => {
      this.idle(call);
      this.beginCall(reads, writes);
      const promise = start();
      this.inFlight = { call, parts: new Set([...reads, ...writes]), settled: promise.then(() => undefined, () => undefined) };
      try {
        return await promise;
      } finally {
        this.inFlight = undefined;
      }
    });
  }

  /** On a device: copies what the next call reads to the device, and marks what it writes stale on the host. */
  private beginCall(reads: StatePart[], writes: StatePart[]): void {
    if (this.backend.kind === 'device') this.backend.mirror.beginCall(reads, writes);
  }
}

/** Times OpenBLAS sgemm on the given shapes (each `count` times per repeat). */
export function benchSgemm(shapes: GemmShape[], repeats: number): { gflops: number; seconds: number } {
  return wrap(() => loadNative().benchSgemm(shapes, repeats) as { gflops: number; seconds: number });
}
