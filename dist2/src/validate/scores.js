// The Gauntlet's per-miner numbers: the gradient score of one evaluation, the binary
// indicator and its moving average, OpenSkill (Plackett–Luce) ratings, and the final
// score that weights are ranked by. All pure functions over plain records.
import { rate, rating as freshRating, ordinal } from 'openskill';
import { plackettLuce } from 'openskill/models';
export const PENALTY_KINDS = ['missing', 'late', 'invalid', 'stale', 'copy'];
export function newMinerRecord(uid, window) {
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
export function relativeDrop(before, after) {
    return (before - after) / before;
}
/** +1 when the miner's own data improved more than random data (it trained on what it was given), else −1. */
export function indicator(ownDrop, randomDrop) {
    return ownDrop > randomDrop ? 1 : -1;
}
/** ma ← (1 − α)·ma + α·x. */
export function movingAverage(ma, x, alpha) {
    return (1 - alpha) * ma + alpha * x;
}
/** OpenSkill's conservative skill estimate μ − 3σ (0 for a new miner). */
export function ratingOrdinal(r) {
    return ordinal(r);
}
/** final = ordinal × max(0, indicator moving average); 0 while out of sync. */
export function finalScore(rec) {
    if (!rec.inSync)
        return 0;
    return ratingOrdinal(rec.rating) * Math.max(0, rec.indicatorMa);
}
/**
 * One Plackett–Luce game: the miners evaluated in a window, ranked by gradient score
 * (higher is better; equal scores tie). Returns the new ratings in input order. A
 * game needs two players: with fewer, the ratings come back unchanged.
 */
export function rateWindow(players) {
    if (players.length < 2)
        return players.map((p) => ({ ...p.rating }));
    // openskill's rank: lower is better, equal values tie.
    const order = [...new Set(players.map((p) => p.score))].sort((a, b) => b - a);
    const rank = players.map((p) => order.indexOf(p.score) + 1);
    const teams = players.map((p) => [{ mu: p.rating.mu, sigma: p.rating.sigma }]);
    const out = rate(teams, { rank, model: plackettLuce });
    return out.map((t) => ({ mu: t[0].mu, sigma: t[0].sigma }));
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
export function applyPenalty(rec, kind, alpha) {
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
//# sourceMappingURL=scores.js.map