// The validator's scoring (DESIGN.md, "Gauntlet"): evaluation, scores, anti-cheat,
// weights, persistence, and adversarial miner modes for tests and researchers.
export { gauntletConfig, DEFAULT_GAUNTLET_CONFIG, GauntletError } from './config.js';
export { newMinerRecord, relativeDrop, indicator, movingAverage, ratingOrdinal, finalScore, rateWindow, applyPenalty, PENALTY_KINDS, } from './scores.js';
export { rankWeights, rankedUids, rawRankWeight } from './weights.js';
export { selectionOverlap, detectCopies, copiers } from './overlap.js';
export { chooseForEvaluation, maxEvaluationGap } from './fairness.js';
export { selectManifestUids } from './manifest-select.js';
export { evaluatePayload, meanLoss, evalBatch, ownSampleIndices, randomSampleIndices, ownEvalSeed, } from './evaluate.js';
export { saveGauntletState, loadGauntletState } from './store.js';
export { adversaryHooks, isAdversaryMode, ADVERSARY_MODES, noisePayload, scaledPayload, nanPayload, copiedPayload, } from './adversary.js';
export { Gauntlet, normOutliers } from './gauntlet.js';
//# sourceMappingURL=index.js.map