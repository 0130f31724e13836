// Rank-based weights. Miners with a positive final score are ranked (score
// descending, uid ascending on ties); rank r (0-based) gets the raw weight
//   G − r                 for r < G          (linear: the top miner G, the G-th 1)
//   ρ^(r − G + 1)         for G ≤ r < G + R  (geometric reserves: ρ, ρ², …)
//   0                     otherwise,
// and the raw weights are divided by their sum. Only the order of scores matters, so
// a miner cannot gain by inflating its score by a margin, only by beating others.
export interface WeightProfile {
  topG: number;
  reserves: number;
  reserveRatio: number;
}

export interface UidWeight {
  uid: number;
  weight: number;
}

export function rankedUids(scores: Array<{ uid: number; score: number }>): number[] {
  return scores
    .filter((s) => s.score > 0 && Number.isFinite(s.score))
    .sort((a, b) => b.score - a.score || a.uid - b.uid)
    .map((s) => s.uid);
}

/** The raw (unnormalised) weight of rank r. */
export function rawRankWeight(r: number, p: WeightProfile): number {
  if (r < p.topG) return p.topG - r;
  if (r < p.topG + p.reserves) return p.reserveRatio ** (r - p.topG + 1);
  return 0;
}

/** Normalised weights, in rank order, for every miner with a positive score (0 past the reserves). */
export function rankWeights(scores: Array<{ uid: number; score: number }>, p: WeightProfile): UidWeight[] {
  const ranked = rankedUids(scores);
  const raw = ranked.map((_, r) => rawRankWeight(r, p));
  const sum = raw.reduce((a, b) => a + b, 0);
  return ranked.map((uid, r) => ({ uid, weight: sum > 0 ? raw[r]! / sum : 0 }));
}
