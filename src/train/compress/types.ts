// Types shared by the compression, wire codec and aggregation modules.
import type { TensorSpec } from '../model-config.js';

/** SparseLoCo options. They are fixed per run: every payload of a run uses the same. */
export interface CompressOptions {
  /** Target chunk size per dimension (64): each dimension is cut by its largest divisor <= chunk. */
  chunk: number;
  /** Values kept per chunk: even, >= 2, <= chunk*chunk (a smaller chunk keeps all of its values). */
  k: number;
  /** DeMo mode: an orthonormal 2-D DCT-II of each chunk before top-k. */
  demo: boolean;
}

export const DEFAULT_COMPRESS_OPTIONS: CompressOptions = Object.freeze({ chunk: 64, k: 64, demo: false });

/**
 * A compressed model, in the canonical tensor order. Per tensor t, `quant[6t..6t+5]` =
 * shift, scale, lut[0..3]; the kept values of tensor t start at `valueOffsets[t]` in
 * `indices` (chunk-local, ascending within each chunk) and `codes` (2-bit, 0..3).
 */
export interface CompressedModel {
  options: CompressOptions;
  /** The layout the arrays follow (the same array object the caller passed). */
  layout: TensorSpec[];
  quant: Float32Array;
  indices: Uint16Array;
  codes: Uint8Array;
}

export interface PayloadHeader {
  version: number;
  /** 32 bytes. */
  runHash: Uint8Array;
  window: number;
  uid: number;
  /** 32 bytes: modelShapeHash(layout). */
  modelShapeHash: Uint8Array;
  /** 32 bytes: the raw thetaHash of the parameters the miner started from. */
  baseThetaHash: Uint8Array;
}

/** What decodePayload returns: a header plus the compressed model it carries. */
export interface DecodedPayload extends CompressedModel {
  header: PayloadHeader;
}

/** Fields decodePayload checks against the caller's expectations, where given. */
export interface PayloadExpectations {
  runHash: Uint8Array;
  window: number;
  uid: number;
  baseThetaHash: Uint8Array;
  options: CompressOptions;
}

/** Every problem found in a payload's bytes; `code` is stable and machine-readable. */
export type PayloadErrorCode =
  | 'not_bytes'
  | 'truncated'
  | 'bad_magic'
  | 'bad_version'
  | 'bad_flags'
  | 'bad_chunk'
  | 'bad_k'
  | 'reserved'
  | 'bad_window'
  | 'tensor_set'
  | 'chunk_grid'
  | 'bad_rice'
  | 'index_stream'
  | 'index_out_of_chunk'
  | 'duplicate_index'
  | 'non_finite'
  | 'scale_out_of_bounds'
  | 'value_out_of_bounds'
  | 'padding'
  | 'length'
  | 'wrong_model_shape'
  | 'wrong_run'
  | 'wrong_window'
  | 'wrong_uid'
  | 'wrong_base_theta'
  | 'wrong_options';

export class PayloadError extends Error {
  readonly code: PayloadErrorCode;
  constructor(code: PayloadErrorCode, message: string) {
    super(`invalid payload (${code}): ${message}`);
    this.name = 'PayloadError';
    this.code = code;
  }
}

/** What aggregateAndStep did, per tensor in canonical order. */
export interface AggregateStats {
  /** uids in the order they were aggregated (ascending). */
  uids: number[];
  /** 1 where the tensor's aggregate was non-finite and the tensor was left unchanged. */
  skipped: Uint8Array;
  /** The clip threshold used per tensor (median norm times clipScale). */
  thresholds: Float32Array;
  /** L2 norm of each payload's dequantised values per tensor: norms[i][t], i in uid order. */
  norms: Float32Array[];
}
