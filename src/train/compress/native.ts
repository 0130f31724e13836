// The typed face of the native compression functions (src/native/binding/compress.cc).
import { loadNative } from '../../native/index.js';

export interface NativeArrays {
  quant: Float32Array;
  indices: Uint16Array;
  codes: Uint8Array;
}

export interface NativeAggregateResult {
  skipped: Uint8Array;
  /** [payload][tensor], payloads in the order given. */
  norms: Float32Array;
  thresholds: Float32Array;
}

export interface NativeCompress {
  compressFeedback(e: Float32Array, delta: Float32Array, meta: Float64Array, chunk: number, k: number, demo: boolean, beta: number): NativeArrays;
  decompressInto(meta: Float64Array, chunk: number, k: number, demo: boolean, p: NativeArrays, out: Float32Array): void;
  encodeRecords(meta: Float64Array, chunk: number, k: number, demo: boolean, p: NativeArrays): Uint8Array;
  decodeRecords(bytes: Uint8Array, pos: number, meta: Float64Array, chunk: number, k: number, demo: boolean): NativeArrays | { error: string; message: string };
  tensorNorms(meta: Float64Array, chunk: number, k: number, demo: boolean, p: NativeArrays): Float32Array;
  aggregateAndStep(params: Float32Array, meta: Float64Array, chunk: number, k: number, demo: boolean, payloads: NativeArrays[], thresholds: Float32Array | null, lr: number, clipScale: number): NativeAggregateResult;
  compressFeedbackAsync(e: Float32Array, delta: Float32Array, meta: Float64Array, chunk: number, k: number, demo: boolean, beta: number): Promise<NativeArrays>;
  aggregateAndStepAsync(params: Float32Array, meta: Float64Array, chunk: number, k: number, demo: boolean, payloads: NativeArrays[], thresholds: Float32Array | null, lr: number, clipScale: number): Promise<NativeAggregateResult>;
  reproducibleCosPi(num: number, den: number): number;
}

export function nativeCompress(): NativeCompress {
  const c = loadNative().compress as NativeCompress | undefined;
  if (!c) throw new Error('the native addon has no compression functions: rebuild it with "npm run build:native"');
  return c;
}

/** Passes over memory on libuv's threads (src/native/binding/memops.cc). */
export interface NativeMemops {
  copyAsync(dst: ArrayBufferView, src: ArrayBufferView): Promise<void>;
  deltaAndRestoreAsync(delta: Float32Array, base: Float32Array, trained: Float32Array): Promise<void>;
  sha256Async(parts: ArrayBufferView[]): Promise<string>;
}

export function nativeMemops(): NativeMemops {
  const m = loadNative().memops as NativeMemops | undefined;
  if (!m) throw new Error('the native addon has no memory functions (memops): rebuild it with "npm run build:native"');
  return m;
}
