// The data layer's public surface: datasets of pre-tokenised shards, preparing them,
// the default dataset, batch assembly and the deterministic sampler.
export { DataError } from './errors.js';
export { SplitMix64, Xoshiro256StarStar, sampleSeed, partialShuffle, samplePool, minerTrainingSamples, stepBatch, pseudoUid, ownEvalSamples, } from './sampler.js';
export { ShardReader, LLMC_MAGIC, llmcHeader, npyHeader, encodeShard } from './shard.js';
export { MANIFEST_FILE, GPT2_EOT, GPT2_VOCAB_SIZE, readManifest, writeManifest, verifyDataset, sha256FileSync, } from './manifest.js';
export { openDataset, makeBatch, samplesInShard } from './dataset.js';
export { EOT, encodeText, decodeTokens } from './tokenizer.js';
export { prepareDataset, listInputs, JOURNAL_FILE, DEFAULT_SHARD_TOKENS } from './prepare.js';
export { ensureDefaultDataset, defaultCacheDir, stripBrownTags, brownDocumentText, brownDocumentIds, BROWN_BUILD_ID, } from './brown.js';
//# sourceMappingURL=index.js.map