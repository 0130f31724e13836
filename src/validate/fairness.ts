// Which miners are evaluated in a window. Every miner with an accepted payload is a
// candidate; its `wait` counts the windows it was a candidate without being evaluated.
//   1. Forced: candidates with wait ≥ W, by wait descending (uid ascending on ties),
//      take the k slots first.
//   2. The other slots: candidates are sorted by rating ordinal and cut into `bins`
//      bins of near-equal size; for each slot a non-empty bin is drawn uniformly, and
//      in it a miner with probability ∝ 1 + wait. Low-rated miners thus keep being
//      looked at (a miner can recover), and waiting raises the odds.
// Bound (docs/validator.md): with at most M candidates per window and k slots, a miner
// that is a candidate in every window is evaluated at least once in every
// W + ⌈M/k⌉ consecutive windows. Once forced (wait = W), only forced miners with a
// larger wait, or an equal wait and a lower uid, are ahead of it — at most M − 1, and
// later arrivals come in behind it with wait W — and k of them leave per window, so
// it is taken by wait W + ⌈M/k⌉ − 1 at the latest.
import type { Xoshiro256StarStar } from '../train/data/index.js';

export interface EvaluationCandidate {
  uid: number;
  ordinal: number;
  wait: number;
}

/** The most windows between two evaluations of a miner that is a candidate in each (see above). */
export function maxEvaluationGap(maxWait: number, candidates: number, perWindow: number): number {
  return maxWait + Math.ceil(candidates / perWindow);
}

export function chooseForEvaluation(
  candidates: EvaluationCandidate[],
  perWindow: number,
  maxWait: number,
  bins: number,
  rng: Xoshiro256StarStar,
): number[] {
  const chosen: number[] = [];
  const forced = candidates.filter((c) => c.wait >= maxWait).sort((a, b) => b.wait - a.wait || a.uid - b.uid);
  for (const c of forced.slice(0, perWindow)) chosen.push(c.uid);
  const taken = new Set(chosen);
  const rest = candidates.filter((c) => !taken.has(c.uid)).sort((a, b) => b.ordinal - a.ordinal || a.uid - b.uid);
  const n = rest.length;
  const binList: EvaluationCandidate[][] = [];
  for (let b = 0; b < bins; b++) {
    const bin = rest.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
    if (bin.length) binList.push(bin);
  }
  while (chosen.length < perWindow && binList.length) {
    const bi = rng.nextBelow(binList.length);
    const bin = binList[bi]!;
    const total = bin.reduce((s, c) => s + 1 + c.wait, 0);
    let ticket = rng.nextBelow(total);
    let pick = 0;
    while (ticket >= 1 + bin[pick]!.wait) ticket -= 1 + bin[pick++]!.wait;
    chosen.push(bin[pick]!.uid);
    bin.splice(pick, 1);
    if (!bin.length) binList.splice(bi, 1);
  }
  return chosen.sort((a, b) => a - b);
}
