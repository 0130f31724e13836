export function rankedUids(scores) {
    return scores
        .filter((s) => s.score > 0 && Number.isFinite(s.score))
        .sort((a, b) => b.score - a.score || a.uid - b.uid)
        .map((s) => s.uid);
}
/** The raw (unnormalised) weight of rank r. */
export function rawRankWeight(r, p) {
    if (r < p.topG)
        return p.topG - r;
    if (r < p.topG + p.reserves)
        return p.reserveRatio ** (r - p.topG + 1);
    return 0;
}
/** Normalised weights, in rank order, for every miner with a positive score (0 past the reserves). */
export function rankWeights(scores, p) {
    const ranked = rankedUids(scores);
    const raw = ranked.map((_, r) => rawRankWeight(r, p));
    const sum = raw.reduce((a, b) => a + b, 0);
    return ranked.map((uid, r) => ({ uid, weight: sum > 0 ? raw[r] / sum : 0 }));
}
//# sourceMappingURL=weights.js.map