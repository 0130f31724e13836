// The one error type of the checkpoint module. `code` lets callers tell a peer that
// lied (theta_mismatch, tensor_set, …) from a local problem (io, not_found) without
// parsing messages.

export type CheckpointErrorCode =
  /** Fewer bytes than the header or a tensor needs. */
  | 'truncated'
  /** The u64 header length is zero, too large, or runs past the end of the file. */
  | 'header_size'
  /** The header is not UTF-8 JSON of the expected shape. */
  | 'header_json'
  /** A tensor entry has a missing or malformed field. */
  | 'header_schema'
  /** A dtype we do not read (or, for checkpoints, anything but F32). */
  | 'dtype'
  /** Data offsets out of range, overlapping, leaving holes, or not covering the data. */
  | 'offsets'
  /** shape × dtype size differs from the byte length of the tensor. */
  | 'shape'
  /** Checkpoint metadata missing or malformed. */
  | 'metadata'
  /** A checkpoint format version this build does not read. */
  | 'version'
  /** The tensors are not exactly the ones the model layout names. */
  | 'tensor_set'
  /** A tensor has the right name but the wrong shape, or the model config disagrees with the layout. */
  | 'shape_mismatch'
  /** The checkpoint belongs to another run. */
  | 'run_mismatch'
  /** The parameters do not hash to the thetaHash the metadata claims. */
  | 'theta_mismatch'
  /** Non-finite or otherwise unusable input given to an encoder. */
  | 'invalid_input'
  /** No such checkpoint on disk. */
  | 'not_found'
  /** The file system failed. */
  | 'io';

export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'CheckpointError';
    this.code = code;
  }
}

/**
 * `e` naming the file it is about, as "code: path: why" (the decoders see bytes, not
 * paths); other errors, and errors that already name the file, pass through.
 */
export function namingFile(e: unknown, path: string): unknown {
  if (!(e instanceof CheckpointError) || e.message.startsWith(`${e.code}: ${path}: `)) return e;
  return new CheckpointError(e.code, `${path}: ${e.message.slice(e.code.length + 2)}`, { cause: e });
}
