// Rank weights and manifest selection against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankWeights, rawRankWeight, selectManifestUids, newMinerRecord } from '../../src/validate/index.js';
test('rank weights: linear top G, geometric reserves, zero-score miners excluded', () => {
    const p = { topG: 3, reserves: 2, reserveRatio: 0.5 };
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => rawRankWeight(r, p)), [3, 2, 1, 0.5, 0.25, 0]);
    const scores = [
        { uid: 7, score: 1 },
        { uid: 2, score: 5 },
        { uid: 9, score: 0 },
        { uid: 4, score: 3 },
        { uid: 5, score: 3 }, // ties break by uid
        { uid: 1, score: 0.5 },
        { uid: 8, score: 0.1 },
        { uid: 6, score: -2 },
    ];
    const w = rankWeights(scores, p);
    // raw 3, 2, 1, 0.5, 0.25, 0 → sum 6.75
    assert.deepEqual(w.map((x) => x.uid), [2, 4, 5, 7, 1, 8]);
    const expect = [3, 2, 1, 0.5, 0.25, 0].map((x) => x / 6.75);
    w.forEach((x, i) => assert.ok(Math.abs(x.weight - expect[i]) < 1e-15, `${x.uid}: ${x.weight}`));
    assert.ok(Math.abs(w.reduce((s, x) => s + x.weight, 0) - 1) < 1e-12);
    assert.deepEqual(rankWeights([{ uid: 1, score: 0 }], p), []);
});
function rec(uid, mu, sigma, ma, evaluations) {
    return { ...newMinerRecord(uid, 0), rating: { mu, sigma }, indicatorMa: ma, evaluations };
}
test('manifest: top by score, exploration slots for new miners, known-bad miners left out', () => {
    const records = new Map([
        [1, rec(1, 30, 1, 1, 10)], // final 27
        [2, rec(2, 28, 1, 1, 10)], // 25
        [3, rec(3, 26, 1, 1, 10)], // 23
        [4, rec(4, 40, 1, -1, 10)], // known bad: 0 after many evaluations
        [5, rec(5, 25, 25 / 3, 0, 1)], // new
    ]);
    const order = (uids) => [...uids].sort((a, b) => b - a); // a fixed "seeded" order
    const policy = { maxPayloads: 3, explorationSlots: 1, newMinerEvals: 3 };
    // Top 2 by score (1, 2), one new miner: 6 comes first in the seeded order (never seen), then 5.
    assert.deepEqual(selectManifestUids([1, 2, 3, 4, 5, 6], records, policy, order), [1, 2, 6]);
    // Left-over slots go to others that are not known bad; 4 never gets in.
    assert.deepEqual(selectManifestUids([3, 4, 5], records, { ...policy, maxPayloads: 8 }, order), [3, 5]);
    assert.deepEqual(selectManifestUids([4], records, policy, order), []);
});
//# sourceMappingURL=weights.test.js.map