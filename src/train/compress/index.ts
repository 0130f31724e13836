// SparseLoCo compression, the gradient wire format v1 and deterministic aggregation.
// docs/compression.md and docs/wire-format.md specify what every node must reproduce.
export * from './types.js';
export { chunking, checkOptions, largestDivisorAtMost, layoutMeta, totalValues, type TensorChunking } from './geometry.js';
export { compressWithFeedback, compressWithFeedbackAsync, decompressInto } from './compress.js';
export { encodePayload, decodePayload, decodeHeader, payloadDigest, WIRE_MAGIC, WIRE_VERSION, HEADER_BYTES } from './wire.js';
export { aggregateAndStep, aggregateAndStepAsync, medianNorms, medianOfNorms, payloadNorms, type AggregateOptions, type UidPayload } from './aggregate.js';
export { thetaHash, thetaHashBytes, modelShapeHash, hexToBytes } from './hash.js';
export { compressWithFeedbackSharded, compressionShards, type CompressionShard } from './sharded.js';
