// Deterministic aggregation of a window's payloads and the outer SGD step.
// Semantics (docs/compression.md): per tensor, dequantise each payload, clip it to
// the lower-middle median of the payloads' L2 norms, scatter-mean, un-chunk (inverse
// DCT in DeMo mode), skip the tensor if anything is non-finite, then
// params -= lr * aggregate, all in fp32 with a fixed order (payloads by uid).
import type { TensorSpec } from '../model-config.js';
import { checkOptions, layoutMeta, totalParams } from './geometry.js';
import { nativeCompress, type NativeAggregateResult } from './native.js';
import { assertWritable, withClaims, type BufferUse } from './claims.js';
import type { AggregateStats, CompressedModel, CompressOptions } from './types.js';

export interface UidPayload {
  uid: number;
  payload: CompressedModel;
}

export interface AggregateOptions {
  /** Multiplies the clip threshold (default 1). */
  clipScale?: number;
  /**
   * Per tensor median norms to clip against, from medianNorms() over the window's
   * whole set. Lets a validator apply one payload at a time, clipped as in the set.
   */
  medianNorms?: Float32Array;
}

/** Per tensor L2 norm of one payload's dequantised values. */
export function payloadNorms(p: CompressedModel): Float32Array {
  const o = p.options;
  return nativeCompress().tensorNorms(layoutMeta(p.layout), o.chunk, o.k, o.demo, p);
}

/** Lower-middle median over payloads, per tensor: sorted norms at index floor((G-1)/2). */
export function medianOfNorms(norms: Float32Array[], tensors: number): Float32Array {
  const out = new Float32Array(tensors);
  if (norms.length === 0) return out;
  const col = new Float32Array(norms.length);
  for (let t = 0; t < tensors; t++) {
    for (let i = 0; i < norms.length; i++) col[i] = norms[i]![t]!;
    col.sort();
    out[t] = col[(norms.length - 1) >> 1]!;
  }
  return out;
}

/** The clip thresholds of a window's payload set (independent of their order). */
export function medianNorms(payloads: CompressedModel[]): Float32Array {
  if (payloads.length === 0) return new Float32Array(0);
  const tensors = payloads[0]!.layout.length;
  return medianOfNorms(payloads.map(payloadNorms), tensors);
}

function sameOptions(a: CompressOptions, b: CompressOptions): boolean {
  return a.chunk === b.chunk && a.k === b.k && a.demo === b.demo;
}

interface Prepared {
  sorted: UidPayload[];
  o: CompressOptions;
  /** Fixed thresholds (from opts.medianNorms), or null: the native core takes the medians. */
  thresholds: Float32Array | null;
  clipScale: number;
}

function prepare(params: Float32Array, layout: TensorSpec[], payloads: UidPayload[], lr: number, opts: AggregateOptions): Prepared | undefined {
  const n = totalParams(layout);
  if (params.length !== n) throw new RangeError(`params must hold ${n} floats, has ${params.length}`);
  if (!Number.isFinite(lr)) throw new RangeError('lr must be finite');
  const clipScale = opts.clipScale ?? 1;
  if (!Number.isFinite(clipScale) || clipScale < 0) throw new RangeError('clipScale must be finite and >= 0');
  const sorted = [...payloads].sort((a, b) => a.uid - b.uid);
  for (let i = 0; i < sorted.length; i++) {
    const { uid, payload } = sorted[i]!;
    if (!Number.isInteger(uid) || uid < 0) throw new RangeError(`bad uid ${uid}`);
    if (i > 0 && sorted[i - 1]!.uid === uid) throw new RangeError(`uid ${uid} appears twice`);
    if (payload.layout.length !== layout.length || payload.layout.some((t, j) => t.offset !== layout[j]!.offset || t.numel !== layout[j]!.numel)) {
      throw new RangeError(`payload of uid ${uid} follows another layout`);
    }
    if (!sameOptions(payload.options, sorted[0]!.payload.options)) throw new RangeError('all payloads must use the same compress options');
  }
  if (sorted.length === 0) return undefined;
  const o = sorted[0]!.payload.options;
  checkOptions(o);
  let thresholds: Float32Array | null = null;
  if (opts.medianNorms) {
    if (opts.medianNorms.length !== layout.length) throw new RangeError(`medianNorms must hold one value per tensor (${layout.length})`);
    thresholds = new Float32Array(layout.length);
    for (let t = 0; t < layout.length; t++) thresholds[t] = Math.fround(opts.medianNorms[t]! * clipScale);
  }
  return { sorted, o, thresholds, clipScale };
}

function stats(p: Prepared, layout: TensorSpec[], r: NativeAggregateResult): AggregateStats {
  const T = layout.length;
  return {
    uids: p.sorted.map((s) => s.uid),
    skipped: r.skipped,
    thresholds: r.thresholds,
    norms: p.sorted.map((_, i) => r.norms.subarray(i * T, (i + 1) * T)),
  };
}

const emptyStats = (layout: TensorSpec[]): AggregateStats => ({
  uids: [], skipped: new Uint8Array(layout.length), thresholds: new Float32Array(layout.length), norms: [],
});

/**
 * Aggregates the payloads and steps params -= lr * aggregate, in place. The order of
 * `payloads` does not matter: they are sorted by uid (a uid may appear once).
 */
export function aggregateAndStep(
  params: Float32Array,
  layout: TensorSpec[],
  payloads: UidPayload[],
  lr: number,
  opts: AggregateOptions = {},
): AggregateStats {
  const p = prepare(params, layout, payloads, lr, opts);
  if (!p) return emptyStats(layout);
  assertWritable(params, 'params', 'aggregateAndStep');
  const r = nativeCompress().aggregateAndStep(
    params, layoutMeta(layout), p.o.chunk, p.o.k, p.o.demo, p.sorted.map((s) => s.payload), p.thresholds, lr, p.clipScale,
  );
  return stats(p, layout, r);
}

/**
 * aggregateAndStep off the event loop (same bits). params and the payloads' arrays
 * must not be touched until the promise settles: they are claimed (claims.ts) until
 * then, params for writing, the payloads for reading.
 */
export async function aggregateAndStepAsync(
  params: Float32Array,
  layout: TensorSpec[],
  payloads: UidPayload[],
  lr: number,
  opts: AggregateOptions = {},
): Promise<AggregateStats> {
  const p = prepare(params, layout, payloads, lr, opts);
  if (!p) return emptyStats(layout);
  const uses: BufferUse[] = [{ name: 'params', view: params, mode: 'write' }];
  for (const s of p.sorted) {
    for (const [part, view] of [['quant', s.payload.quant], ['indices', s.payload.indices], ['codes', s.payload.codes]] as const) {
      uses.push({ name: `payload of uid ${s.uid} (${part})`, view, mode: 'read' });
    }
  }
  const r = await withClaims('aggregateAndStepAsync', uses, () => nativeCompress().aggregateAndStepAsync(
    params, layoutMeta(layout), p.o.chunk, p.o.k, p.o.demo, p.sorted.map((s) => s.payload), p.thresholds, lr, p.clipScale,
  ));
  return stats(p, layout, r);
}
