// Checkpoints: safetensors I/O, the checkpoint format, the on-disk store, and the
// Hugging Face export. docs/checkpoints.md describes the format and the joining flow.
export { CheckpointError, type CheckpointErrorCode } from './errors.js';
export {
  readSafetensors, encodeSafetensors, encodeSafetensorsChunks, concatChunks, tensorFloat32, decodeTensorInto,
  headerLength, parseHeader, SafetensorsFileReader, MAX_HEADER_BYTES, MAX_IO_BYTES, DTYPE_BYTES, limitChunkSize,
  type SafetensorsDtype, type SafetensorsHeader, type SafetensorsView, type TensorEntry, type TensorInput,
} from './safetensors.js';
export {
  CHECKPOINT_FORMAT, META_KEYS, encodeCheckpoint, encodeCheckpointChunks, encodeCheckpointChunksAsync, decodeCheckpoint, decodeCheckpointFile,
  peekCheckpointFile, parseCheckpointMeta, checkpointMetadata,
  type CheckpointIdentity, type CheckpointMeta, type CheckpointInput, type CheckpointExpect, type DecodedCheckpoint,
} from './checkpoint.js';
export { CheckpointStore, type CheckpointStoreOptions, type StoredCheckpoint, type LoadedCheckpoint } from './store.js';
export {
  hfLlamaConfig, hfGenerationConfig, modelConfigFromHf, writeHfExport, importHfFolder, defaultSpecialTokens, hfSpecialTokensFrom,
  modelCard, type HfExportInput, type HfExportResult, type HfImport, type HfSpecialTokens, type ModelCardInfo,
} from './hf-export.js';
export {
  bytesToUnicode, gpt2TokenBytes, gpt2MergeIds, gpt2TokenStrings, gpt2TokenizerFiles, gpt2TokenizerJson, GPT2_EOT_ID, GPT2_EOT_TEXT,
} from './gpt2-tokenizer-files.js';
export { TRAIN_META_KEYS } from './train-meta.js';
export { fetchVerifiedCheckpoint, type CheckpointCandidate, type CatchUpDeps, type CatchUpResult } from './catch-up.js';
