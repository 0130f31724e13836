// Error feedback + compression split over data-parallel ranks: each rank compresses
// the tensors of its shard of the flat layout, concurrently (one native call per rank,
// each on its own libuv thread), and the parts gather into one CompressedModel.
//
// Why the gathered payload is byte-identical to the one-rank compression: SparseLoCo
// works tensor by tensor (chunks never cross a tensor, and the 2-bit quantiser's shift,
// scale and lookup table are per tensor), and a CompressedModel is the tensors'
// results concatenated in canonical order (quant: 6 floats per tensor; indices and
// codes: a fixed count per tensor). So the unit of work is a whole tensor: a tensor
// goes to the rank whose ZeRO shard [r·S, (r+1)·S), S = ceil(N / ranks), holds its first
// element, and the error buffer each rank updates is the slice under its tensors.
import type { TensorSpec } from '../model-config.js';
import { compressWithFeedbackAsync } from './compress.js';
import { totalParams } from './geometry.js';
import type { CompressedModel, CompressOptions } from './types.js';

/** One rank's part of the layout: its tensors (canonical order) and the flat range they cover. */
export interface CompressionShard {
  rank: number;
  /** index of the first tensor in the layout */
  first: number;
  tensors: TensorSpec[];
  start: number;
  end: number;
}

/** The tensors each rank compresses; ranks whose shard starts no tensor get none (and are left out). */
export function compressionShards(layout: TensorSpec[], ranks: number): CompressionShard[] {
  if (!Number.isInteger(ranks) || ranks < 1) throw new RangeError(`ranks must be a positive integer, got ${ranks}`);
  const S = Math.ceil(totalParams(layout) / ranks);
  const out: CompressionShard[] = [];
  layout.forEach((t, i) => {
    const rank = Math.min(ranks - 1, Math.floor(t.offset / Math.max(1, S)));
    const last = out[out.length - 1];
    if (last && last.rank === rank) {
      last.tensors.push(t);
      last.end = t.offset + t.numel;
    } else {
      out.push({ rank, first: i, tensors: [t], start: t.offset, end: t.offset + t.numel });
    }
  });
  return out;
}

/** The shard's tensors with offsets from the shard's start: the layout of its slice. */
function localLayout(s: CompressionShard): TensorSpec[] {
  return s.tensors.map((t) => ({ ...t, offset: t.offset - s.start }));
}

function concat<T extends Float32Array | Uint16Array | Uint8Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * compressWithFeedbackAsync with the work split over `ranks`: the same error buffer
 * afterwards and the same CompressedModel (so the same payload bytes), computed by up
 * to `ranks` native calls at once. errorBuffer and delta are claimed slice by slice
 * until every part returns.
 */
export async function compressWithFeedbackSharded(
  errorBuffer: Float32Array,
  delta: Float32Array,
  layout: TensorSpec[],
  beta: number,
  opts: CompressOptions,
  ranks: number,
): Promise<CompressedModel> {
  const n = totalParams(layout);
  if (errorBuffer.length !== n || delta.length !== n) {
    throw new RangeError(`errorBuffer (${errorBuffer.length}) and delta (${delta.length}) must both hold ${n} floats`);
  }
  const shards = compressionShards(layout, ranks);
  const parts = await Promise.all(shards.map((s) =>
    compressWithFeedbackAsync(errorBuffer.subarray(s.start, s.end), delta.subarray(s.start, s.end), localLayout(s), beta, opts)));
  return {
    options: { chunk: opts.chunk, k: opts.k, demo: opts.demo },
    layout,
    quant: concat(parts.map((p) => p.quant), (k) => new Float32Array(k)),
    indices: concat(parts.map((p) => p.indices), (k) => new Uint16Array(k)),
    codes: concat(parts.map((p) => p.codes), (k) => new Uint8Array(k)),
  };
}
