// The data layer's public surface: datasets of pre-tokenised shards, preparing them,
// the default dataset, batch assembly and the deterministic sampler.
export { DataError, type DataErrorCode } from './errors.js';
export {
  SplitMix64, Xoshiro256StarStar, sampleSeed, partialShuffle, samplePool, minerTrainingSamples, stepBatch, pseudoUid, ownEvalSamples,
} from './sampler.js';
export { ShardReader, LLMC_MAGIC, llmcHeader, npyHeader, encodeShard, type ShardFormat, type TokenDtype } from './shard.js';
export {
  MANIFEST_FILE, GPT2_EOT, GPT2_VOCAB_SIZE, readManifest, writeManifest, verifyDataset, sha256FileSync,
  type DatasetManifest, type ShardEntry, type VerifyReport, type ShardVerdict,
} from './manifest.js';
export { openDataset, makeBatch, samplesInShard, type Dataset } from './dataset.js';
export { EOT, encodeText, decodeTokens } from './tokenizer.js';
export { prepareDataset, listInputs, JOURNAL_FILE, DEFAULT_SHARD_TOKENS, type PrepareOptions, type PrepareProgress } from './prepare.js';
export {
  ensureDefaultDataset, defaultCacheDir, stripBrownTags, brownDocumentText, brownDocumentIds, BROWN_BUILD_ID,
  type DefaultDatasetProgress,
} from './brown.js';
