// The data layer's public surface: datasets of pre-tokenised shards, preparing them,
// the default dataset, batch assembly and the deterministic sampler.
export { DataError, type DataErrorCode } from './errors.js';
export {
  SplitMix64, Xoshiro256StarStar, sampleSeed, partialShuffle, samplePool, minerTrainingSamples, stepBatch, pseudoUid, ownEvalSamples,
} from './sampler.js';
