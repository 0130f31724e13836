// Evaluation sampling: forced slots, bins, and the bound on how long a miner waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Xoshiro256StarStar } from '../../src/train/data/index.js';
import { chooseForEvaluation, maxEvaluationGap } from '../../src/validate/index.js';
const rng = (s) => Xoshiro256StarStar.fromDigest(new Uint8Array(createHash('sha256').update(s).digest()));
test('miners that waited maxWait windows are taken first, longest wait first', () => {
    const c = [
        { uid: 1, ordinal: 10, wait: 0 },
        { uid: 2, ordinal: 5, wait: 3 },
        { uid: 3, ordinal: 1, wait: 5 },
        { uid: 4, ordinal: 0, wait: 3 },
    ];
    // maxWait 3, 2 slots: forced are 3 (wait 5), then 2 (wait 3, lower uid than 4).
    assert.deepEqual(chooseForEvaluation(c, 2, 3, 3, rng('a')), [2, 3]);
    // More slots than candidates: everyone.
    assert.deepEqual(chooseForEvaluation(c, 9, 3, 3, rng('a')), [1, 2, 3, 4]);
    assert.equal(maxEvaluationGap(6, 10, 4), 9);
});
function simulate(M, k, W, windows, seed) {
    const miners = Array.from({ length: M }, (_, uid) => ({ uid, ordinal: uid === 0 ? -1e9 : (uid * 7919) % 101, wait: 0, last: -1, gap: 0, evals: 0 }));
    const r = rng(seed);
    for (let w = 0; w < windows; w++) {
        const picked = new Set(chooseForEvaluation(miners, k, W, 3, r));
        assert.equal(picked.size, Math.min(k, M));
        for (const m of miners) {
            if (picked.has(m.uid)) {
                m.gap = Math.max(m.gap, w - m.last);
                m.last = w;
                m.wait = 0;
                m.evals++;
            }
            else
                m.wait++;
        }
    }
    for (const m of miners)
        m.gap = Math.max(m.gap, windows - m.last);
    return miners;
}
test('no miner goes unevaluated longer than W + ⌈M/k⌉ windows, and the bins spread the slots', () => {
    for (const [M, k, W] of [[23, 3, 4], [10, 1, 2], [50, 4, 6]]) {
        const bound = maxEvaluationGap(W, M, k);
        const miners = simulate(M, k, W, 2000, `fairness-${M}`);
        for (const m of miners)
            assert.ok(m.gap <= bound, `M ${M}, k ${k}, W ${W}: uid ${m.uid} waited ${m.gap} > ${bound}`);
        // The worst-rated miner is still looked at about as often as the rest (the bins).
        const mean = (2000 * k) / M;
        assert.ok(miners[0].evals > 0.5 * mean, `worst-rated miner evaluated ${miners[0].evals} times, mean ${mean}`);
    }
});
//# sourceMappingURL=fairness.test.js.map