// The training engine: a LLaMA (Hugging Face LlamaForCausalLM semantics) on the
// native CPU backend. Parameters, gradients and AdamW moments live in the engine's
// own memory and are exposed here as Float32Arrays without copies, in the canonical
// order of parameterLayout(config). Long calls run off the event loop.
import { loadNative } from '../native/index.js';
import { parameterLayout, type ModelConfig, type TensorSpec } from './model-config.js';

export interface EngineOptions {
  batch: number;
  seqLen: number;
  /** Threads for this engine's kernels and OpenBLAS; default: loadNative().getThreads(). */
  threads?: number;
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
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly adamM: Float32Array;
  readonly adamV: Float32Array;
  private readonly native: NativeEngineHandle;
  private disposed = false;

  private constructor(config: ModelConfig, native: NativeEngineHandle, batch: number, seqLen: number) {
    this.config = config;
    this.layout = parameterLayout(config);
    this.batch = batch;
    this.seqLen = seqLen;
    this.native = native;
    this.numParams = native.numParams();
    const b = native.buffers();
    this.params = new Float32Array(b.params);
    this.grads = new Float32Array(b.grads);
    this.adamM = new Float32Array(b.adamM);
    this.adamV = new Float32Array(b.adamV);
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
    const addon = loadNative();
    const Ctor = addon.NativeEngine as new (c: ModelConfig, b: number, t: number, th: number) => NativeEngineHandle;
    return wrap(() => new Engine(config, new Ctor(config, batch, seqLen, threads), batch, seqLen));
  }

  /** AdamW step counter used for bias correction (set it when resuming). */
  get adamStep(): number {
    return wrap(() => this.native.getAdamStep());
  }
  set adamStep(n: number) {
    if (!Number.isSafeInteger(n) || n < 0) throw new EngineError(`adamStep must be a non-negative integer, got ${n}`);
    wrap(() => this.native.setAdamStep(n));
  }

  /** Deterministic init (docs/engine.md): the same bits on every machine. Also zeroes the AdamW state. */
  initParams(seed: number | bigint): void {
    const s = BigInt(seed);
    if (s < 0n || s >= 1n << 64n) throw new EngineError(`seed must be an integer in [0, 2^64), got ${seed}`);
    wrap(() => this.native.initParams(Number(s & 0xffffffffn), Number(s >> 32n)));
  }

  /** Mean cross-entropy over targets != -100; gradients are overwritten. */
  forwardBackward(inputs: Int32Array, targets: Int32Array): Promise<number> {
    return wrapAsync(() => this.native.forwardBackward(inputs, targets));
  }

  /** Scales the gradients to global L2 norm maxNorm if above it; returns the norm before clipping. */
  clipGradNorm(maxNorm: number): number {
    if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new EngineError(`maxNorm must be a positive number, got ${maxNorm}`);
    return wrap(() => this.native.clipGradNorm(maxNorm));
  }

  /** One AdamW step (torch.optim.AdamW semantics); weight decay applies to 2-D tensors only. */
  adamw(h: AdamWHparams): void {
    checkHparams(h);
    wrap(() => this.native.adamw(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay));
  }

  /** forwardBackward, clipGradNorm and adamw in one call off the event loop. */
  trainStep(inputs: Int32Array, targets: Int32Array, h: AdamWHparams & { gradClip: number }): Promise<{ loss: number; gradNorm: number }> {
    return wrapAsync(async () => {
      checkHparams(h);
      if (!(h.gradClip > 0) || !Number.isFinite(h.gradClip)) throw new EngineError(`gradClip must be a positive number, got ${h.gradClip}`);
      return this.native.trainStep(inputs, targets, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.gradClip);
    });
  }

  /** Mean loss of each of the first nSeq sequences (rows 0..nSeq-1); NaN for a sequence whose targets are all -100. */
  evalLoss(inputs: Int32Array, targets: Int32Array, nSeq: number): Promise<Float32Array> {
    return wrapAsync(() => this.native.evalLoss(inputs, targets, nSeq));
  }

  /** Logits [nSeq, seqLen, vocab]. */
  logits(inputs: Int32Array, nSeq: number): Promise<Float32Array> {
    return wrapAsync(() => this.native.logits(inputs, nSeq));
  }

  /** Runs one forwardBackward synchronously (blocks the event loop; for the benchmark) and profiles its sgemm calls. */
  profileStep(inputs: Int32Array, targets: Int32Array): StepProfile {
    return wrap(() => this.native.profileStep(inputs, targets));
  }

  /** Frees the engine's memory once no view refers to it; the Float32Array views become empty (detached). */
  dispose(): void {
    if (this.disposed) return;
    wrap(() => this.native.dispose());
    this.disposed = true;
  }
}

/** Times OpenBLAS sgemm on the given shapes (each `count` times per repeat). */
export function benchSgemm(shapes: GemmShape[], repeats: number): { gflops: number; seconds: number } {
  return wrap(() => loadNative().benchSgemm(shapes, repeats) as { gflops: number; seconds: number });
}
