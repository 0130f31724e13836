// The validator's scoring (DESIGN.md, "Gauntlet"): evaluation, scores, anti-cheat,
// weights, persistence, and adversarial miner modes for tests and researchers.
export { gauntletConfig, DEFAULT_GAUNTLET_CONFIG, GauntletError, type GauntletConfig, type GauntletErrorCode } from './config.js';
export {
  newMinerRecord, relativeDrop, indicator, movingAverage, ratingOrdinal, finalScore, rateWindow, applyPenalty, PENALTY_KINDS,
  type MinerRecord, type PenaltyKind, type Rating,
} from './scores.js';
export { rankWeights, rankedUids, rawRankWeight, type WeightProfile, type UidWeight } from './weights.js';
export { selectionOverlap, detectCopies, copiers, type CopyCandidate, type CopyFinding } from './overlap.js';
export { chooseForEvaluation, maxEvaluationGap, type EvaluationCandidate } from './fairness.js';
export { selectManifestUids, type ManifestPolicy } from './manifest-select.js';
export {
  evaluatePayload, meanLoss, evalBatch, ownSampleIndices, randomSampleIndices, ownEvalSeed, type Evaluation, type EvalBatch, type EvaluateOptions,
} from './evaluate.js';
export { saveGauntletState, loadGauntletState, type GauntletState } from './store.js';
export {
  adversaryHooks, isAdversaryMode, ADVERSARY_MODES, noisePayload, scaledPayload, nanPayload, copiedPayload,
  type AdversaryMode, type AdversaryOptions, type AdversaryHooks,
} from './adversary.js';
export { Gauntlet, normOutliers, type GauntletDeps, type WindowReport, type HeardTimes, type WeightSetter, type GauntletLog } from './gauntlet.js';
