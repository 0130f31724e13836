// One error type for everything the data layer refuses: a bad shard, a manifest
// that does not match its files, an input that cannot be parsed, a sampler asked for
// more samples than exist. `code` is stable (tests and callers switch on it);
// `file` names the file at fault when there is one.

export type DataErrorCode =
  | 'NOT_FOUND' // a file or directory is missing
  | 'TRUNCATED' // a shard is shorter than its header says
  | 'SIZE_MISMATCH' // a shard is longer than its header says
  | 'BAD_MAGIC' // not an llm.c .bin / not an .npy
  | 'BAD_VERSION' // a header version we do not read
  | 'BAD_DTYPE' // an .npy dtype other than <u2 / <u4, or a fortran/N-d array
  | 'BAD_HEADER' // a header that does not parse
  | 'BAD_MANIFEST' // dataset.json missing, malformed, or naming unsafe paths
  | 'CHECKSUM' // a shard's SHA-256 differs from dataset.json
  | 'TOKEN_COUNT' // a shard's token count differs from dataset.json
  | 'BAD_INPUT' // an input file for prepare that cannot be parsed
  | 'OUT_NOT_EMPTY' // prepare's output directory holds something else
  | 'RANGE' // an index, sequence length or pool size out of range
  | 'ABORTED'; // prepare stopped by its AbortSignal

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly file?: string;

  constructor(code: DataErrorCode, message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'DataError';
    this.code = code;
    if (file !== undefined) this.file = file;
  }
}
