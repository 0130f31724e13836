import { finalScore, ratingOrdinal } from './scores.js';
/**
 * A measured miner whose rating ordinal is below this has lost the loss-drop contest:
 * a noise payload sits at −3.6 after its first evaluation and falls from there, while an
 * honest miner ranked in the middle of its first game sits near 0 (−0.28 in the
 * Gauntlet test), and a rating never updated is 0 up to rounding.
 */
export const LOSING_ORDINAL = -1;
export function selectManifestUids(candidates, records, policy, seededOrder) {
    const score = (uid) => {
        const r = records.get(uid);
        return r ? finalScore(r) : 0;
    };
    const evals = (uid) => records.get(uid)?.evaluations ?? 0;
    const seedRank = new Map(seededOrder(candidates).map((u, i) => [u, i]));
    const bySeed = (a, b) => seedRank.get(a) - seedRank.get(b);
    const byScore = (a, b) => score(b) - score(a) || bySeed(a, b);
    // Known harmful, and left out:
    //  - measured enough, and its last gradient score did not lower the loss;
    //  - measured, and losing the loss-drop contest (a rating ordinal below LOSING_ORDINAL) while miners
    //    that win it are available. A noise payload can lower the loss a little by chance
    //    in one window, but it ranks last every time it is measured, so its rating falls
    //    below it after one evaluation and stays there (its weight is 0 too). Weight 0
    //    alone is not the test: an honest miner early in training often has weight 0
    //    because its own-data gain has not yet beaten its random-data gain (the indicator),
    //    and leaving those out starved the run (see above).
    // Such a miner is still evaluated in the fair sample after the manifest, and comes
    // back once its rating does.
    const rated = (uid) => (evals(uid) > 0 ? ratingOrdinal(records.get(uid).rating) : 0);
    const someWinning = candidates.some((u) => rated(u) > 0);
    const harmful = (uid) => (evals(uid) >= policy.newMinerEvals && (records.get(uid)?.lastScore ?? 0) <= 0) || (someWinning && evals(uid) > 0 && rated(uid) < LOSING_ORDINAL);
    const explore = Math.min(policy.explorationSlots, policy.maxPayloads);
    const chosen = candidates.filter((u) => score(u) > 0).sort(byScore).slice(0, policy.maxPayloads - explore);
    const taken = new Set(chosen);
    for (const u of candidates.filter((u) => !taken.has(u) && evals(u) < policy.newMinerEvals && !harmful(u)).sort(bySeed).slice(0, explore)) {
        chosen.push(u);
        taken.add(u);
    }
    const rest = candidates.filter((u) => !taken.has(u) && !harmful(u)).sort(byScore);
    for (const u of rest) {
        if (chosen.length >= policy.maxPayloads)
            break;
        chosen.push(u);
    }
    return chosen.sort((a, b) => a - b);
}
//# sourceMappingURL=manifest-select.js.map