// Gauntlet settings. Every number here is a policy choice of one validator, not a
// consensus value: two validators with different settings still agree on θ, since
// θ only depends on the manifest. docs/validator.md explains each one.
import { z } from 'zod';
export const GauntletConfigSchema = z
    .object({
    /** k: miners evaluated per window (evaluation costs ~3 forward passes of the batch each). */
    evalPerWindow: z.number().int().positive(),
    /** Own-data sequences per evaluation, drawn from the samples the miner trained on (capped at the batch). */
    ownSamples: z.number().int().positive(),
    /** "Random" sequences per window, from the pool of a secret pseudo-uid (capped at the batch). */
    randomSamples: z.number().int().positive(),
    /** The payload is applied at η_outer · evalLrScale. */
    evalLrScale: z.number().positive().finite(),
    /** α of the indicator moving average: ma ← (1−α)·ma + α·x. */
    indicatorAlpha: z.number().gt(0).max(1),
    /** Two payloads whose kept-index overlap reaches this are a copy. */
    copyOverlap: z.number().gt(0).max(1),
    /**
     * A payload whose L2 norm in some tensor exceeds this many times the window's median
     * is invalid: clipping would hold it at the median anyway, and no honest miner is
     * that far out (a scaled payload is the only way to get there).
     */
    maxNormRatio: z.number().gt(1),
    /** W: a miner that waited W windows (with an accepted payload each) is evaluated first. */
    maxWait: z.number().int().positive(),
    /** Rating bins the non-forced evaluation slots are drawn across. */
    ratingBins: z.number().int().positive(),
    /** G: miners on the linear part of the weight profile. */
    topG: z.number().int().positive(),
    /** R: reserve miners after the top G, on a geometric profile. */
    reserves: z.number().int().min(0),
    /** ρ: ratio of the geometric reserve profile. */
    reserveRatio: z.number().gt(0).lt(1),
    /** E: manifest slots kept for new miners (fewer than newMinerEvals evaluations). */
    explorationSlots: z.number().int().min(0),
    newMinerEvals: z.number().int().min(1),
    /** N: weights go on chain every N windows. */
    windowsPerWeights: z.number().int().positive(),
    /**
     * Payloads measured before the manifest is chosen, per window: every candidate
     * without a positive final score and a positive last gradient score is measured
     * first, and one that does not lower the loss is not aggregated. Unmeasured ones
     * beyond this count stay out.
     */
    maxProbes: z.number().int().min(0),
    /**
     * A measured payload whose score is below this fraction of the window's reference
     * score (the median of the positive scores measured this window and the last scores
     * of the trusted miners chosen) does not lower the loss in any useful sense: a
     * noise payload scores ~1e-6 against honest ~4e-4 on chaos-tiny, positive by chance.
     */
    minRelativeScore: z.number().min(0).lt(1),
    /** Windows a miner's payload fingerprints are remembered, to refuse a replayed payload. */
    replayMemory: z.number().int().min(0),
})
    .strict();
export const DEFAULT_GAUNTLET_CONFIG = Object.freeze({
    evalPerWindow: 4,
    ownSamples: 4,
    randomSamples: 4,
    evalLrScale: 0.2,
    indicatorAlpha: 0.2,
    copyOverlap: 0.4,
    maxNormRatio: 20,
    maxWait: 6,
    ratingBins: 3,
    topG: 8,
    reserves: 4,
    reserveRatio: 0.5,
    explorationSlots: 2,
    newMinerEvals: 3,
    windowsPerWeights: 10,
    maxProbes: 8,
    minRelativeScore: 0.1,
    replayMemory: 4,
});
/** Defaults, overridden field by field, then validated (a GauntletError names the bad field). */
export function gauntletConfig(overrides = {}) {
    const r = GauntletConfigSchema.safeParse({ ...DEFAULT_GAUNTLET_CONFIG, ...overrides });
    if (!r.success) {
        throw new GauntletError('bad_config', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return r.data;
}
export class GauntletError extends Error {
    code;
    constructor(code, message) {
        super(`gauntlet (${code}): ${message}`);
        this.name = 'GauntletError';
        this.code = code;
    }
}
//# sourceMappingURL=config.js.map