// The Gauntlet's per-miner numbers: the gradient score of one evaluation, the binary
// indicator and its moving average, OpenSkill (Plackett–Luce) ratings, and the final
// score that weights are ranked by. All pure functions over plain records.
import { rate, rating as freshRating, ordinal } from 'openskill';
import { plackettLuce } from 'openskill/models';

export interface Rating {
  mu: number;
  sigma: number;
}

/** Why a miner's standing was lowered in a window. */
export type PenaltyKind = 'missing' | 'late' | 'invalid' | 'stale' | 'copy';

export const PENALTY_KINDS: readonly PenaltyKind[] = ['missing', 'late', 'invalid', 'stale', 'copy'];

export interface MinerRecord {
  uid: number;
  rating: Rating;
  /** Moving average of the binary indicator, in [−1, 1]; starts at 0. */
  indicatorMa: number;
  /** False from a stale (out-of-sync) payload until the next in-sync one: final score 0. */
  inSync: boolean;
  evaluations: number;
  /** Gradient score s of the last evaluation. */
  lastScore: number | null;
  /** Windows with an accepted payload since the last evaluation (fairness). */
  wait: number;
  firstWindow: number;
  lastWindow: number;
  penalties: Record<PenaltyKind, number>;
}

export function newMinerRecord(uid: number, window: number): MinerRecord {
  const r = freshRating();
  return {
    uid,
    rating: { mu: r.mu, sigma: r.sigma },
    indicatorMa: 0,
    inSync: true,
    evaluations: 0,
    lastScore: null,
    wait: 0,
    firstWindow: window,
    lastWindow: window,
    penalties: { missing: 0, late: 0, invalid: 0, stale: 0, copy: 0 },
  };
}

/** (before − after) / before: the share of the loss one payload removed. */
export function relativeDrop(before: number, after: number): number {
  return (before - after) / before;
}

/** +1 when the miner's own data improved more than random data (it trained on what it was given), else −1. */
export function indicator(ownDrop: number, randomDrop: number): 1 | -1 {
  return ownDrop > randomDrop ? 1 : -1;
}

/** ma ← (1 − α)·ma + α·x. */
export function movingAverage(ma: number, x: number, alpha: number): number {
  return (1 - alpha) * ma + alpha * x;
}

/** OpenSkill's conservative skill estimate μ − 3σ (0 for a new miner). */
export function ratingOrdinal(r: Rating): number {
  return ordinal(r);
}

/** final = ordinal × max(0, indicator moving average); 0 while out of sync. */
export function finalScore(rec: Pick<MinerRecord, 'rating' | 'indicatorMa' | 'inSync'>): number {
  if (!rec.inSync) return 0;
  return ratingOrdinal(rec.rating) * Math.max(0, rec.indicatorMa);
}

/**
 * One Plackett–Luce game: the miners evaluated in a window, ranked by gradient score
 * (higher is better; equal scores tie). Returns the new ratings in input order. A
 * game needs two players: with fewer, the ratings come back unchanged.
 */
export function rateWindow(players: Array<{ rating: Rating; score: number }>): Rating[] {
  if (players.length < 2) return players.map((p) => ({ ...p.rating }));
  // openskill's rank: lower is better, equal values tie.
  const order = [...new Set(players.map((p) => p.score))].sort((a, b) => b - a);
  const rank = players.map((p) => order.indexOf(p.score) + 1);
  const teams = players.map((p) => [{ mu: p.rating.mu, sigma: p.rating.sigma }]);
  const out = rate(teams, { rank, model: plackettLuce });
  return out.map((t) => ({ mu: t[0]!.mu, sigma: t[0]!.sigma }));
}

/**
 * Lowers a miner's standing (in place):
 *   missing  (a known miner sent nothing):          ma ← (1−α)·ma        (decays toward 0)
 *   late     (announced after the window closed):   ma ← (1−α)·ma − α    (an indicator of −1)
 *   stale    (built on a θ other than θ_w):         ma ← (1−α)·ma − α, and out of sync (final 0)
 *                                                    until its next in-sync payload
 *   invalid  (undecodable, non-finite, bad header): ma ← −1
 *   copy     (the later of two overlapping payloads): ma ← −1
 * With ma = −1 the final score is 0 until the miner earns it back: after n evaluations
 * with indicator +1, ma = 1 − 2(1−α)^n, positive from n = ⌊ln 2 / −ln(1−α)⌋ + 1 on
 * (4 at α = 0.2).
 */
export function applyPenalty(rec: MinerRecord, kind: PenaltyKind, alpha: number): void {
  rec.penalties[kind]++;
  switch (kind) {
    case 'missing':
      rec.indicatorMa = movingAverage(rec.indicatorMa, 0, alpha);
      break;
    case 'late':
      rec.indicatorMa = movingAverage(rec.indicatorMa, -1, alpha);
      break;
    case 'stale':
      rec.indicatorMa = movingAverage(rec.indicatorMa, -1, alpha);
      rec.inSync = false;
      break;
    case 'invalid':
    case 'copy':
      rec.indicatorMa = -1;
      break;
  }
}
