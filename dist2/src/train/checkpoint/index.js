// Checkpoints: safetensors I/O, the checkpoint format, the on-disk store, and the
// Hugging Face export. docs/checkpoints.md describes the format and the joining flow.
export { CheckpointError } from './errors.js';
export { readSafetensors, encodeSafetensors, encodeSafetensorsChunks, concatChunks, tensorFloat32, decodeTensorInto, headerLength, parseHeader, SafetensorsFileReader, MAX_HEADER_BYTES, MAX_IO_BYTES, DTYPE_BYTES, limitChunkSize, } from './safetensors.js';
export { CHECKPOINT_FORMAT, META_KEYS, encodeCheckpoint, encodeCheckpointChunks, encodeCheckpointChunksAsync, decodeCheckpoint, decodeCheckpointFile, peekCheckpointFile, parseCheckpointMeta, checkpointMetadata, } from './checkpoint.js';
export { CheckpointStore } from './store.js';
export { hfLlamaConfig, hfGenerationConfig, modelConfigFromHf, writeHfExport, importHfFolder, defaultSpecialTokens, hfSpecialTokensFrom, modelCard, } from './hf-export.js';
export { bytesToUnicode, gpt2TokenBytes, gpt2MergeIds, gpt2TokenStrings, gpt2TokenizerFiles, gpt2TokenizerJson, GPT2_EOT_ID, GPT2_EOT_TEXT, } from './gpt2-tokenizer-files.js';
export { TRAIN_META_KEYS } from './train-meta.js';
export { fetchVerifiedCheckpoint } from './catch-up.js';
//# sourceMappingURL=index.js.map