// Scoring pieces against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeDrop, indicator, movingAverage, finalScore, ratingOrdinal, rateWindow, applyPenalty, newMinerRecord, } from '../../src/validate/index.js';
test('relative drop and the binary indicator', () => {
    assert.equal(relativeDrop(4, 3), 0.25);
    assert.equal(relativeDrop(2, 2.5), -0.25);
    assert.equal(indicator(0.3, 0.2), 1);
    assert.equal(indicator(0.2, 0.2), -1, 'a tie is not an improvement on own data');
    assert.equal(indicator(-0.1, 0.05), -1);
});
test('indicator moving average: ma ← (1−α)·ma + α·x', () => {
    let ma = 0;
    // α = 0.2, x = +1, +1, −1: 0.2, 0.36, 0.088
    for (const x of [1, 1, -1])
        ma = movingAverage(ma, x, 0.2);
    assert.ok(Math.abs(ma - 0.088) < 1e-12, String(ma));
});
test('final = ordinal × max(0, ma), 0 out of sync', () => {
    const rating = { mu: 30, sigma: 2 }; // ordinal μ − 3σ = 24
    assert.equal(ratingOrdinal(rating), 24);
    assert.equal(finalScore({ rating, indicatorMa: 0.5, inSync: true }), 12);
    assert.equal(finalScore({ rating, indicatorMa: -0.5, inSync: true }), 0);
    assert.equal(finalScore({ rating, indicatorMa: 0.5, inSync: false }), 0);
    // A new miner: μ 25, σ 25/3 → ordinal 0, whatever its indicator.
    assert.equal(finalScore({ ...newMinerRecord(1, 0), indicatorMa: 1 }), 0);
});
test('Plackett–Luce ratings move the best up and the worst down, ties stay equal', () => {
    const r0 = newMinerRecord(0, 0).rating;
    const out = rateWindow([
        { rating: r0, score: 0.01 },
        { rating: r0, score: 0.05 },
        { rating: r0, score: -0.02 },
    ]);
    assert.ok(out[1].mu > r0.mu && out[2].mu < r0.mu, JSON.stringify(out));
    assert.ok(out[1].mu > out[0].mu && out[0].mu > out[2].mu);
    for (const r of out)
        assert.ok(r.sigma < r0.sigma);
    const tied = rateWindow([{ rating: r0, score: 0.1 }, { rating: r0, score: 0.1 }]);
    assert.ok(Math.abs(tied[0].mu - tied[1].mu) < 1e-12);
    // One player is no game.
    assert.deepEqual(rateWindow([{ rating: r0, score: 1 }]), [r0]);
});
test('penalties', () => {
    const r = newMinerRecord(3, 0);
    r.indicatorMa = 0.5;
    applyPenalty(r, 'missing', 0.2);
    assert.ok(Math.abs(r.indicatorMa - 0.4) < 1e-12);
    applyPenalty(r, 'late', 0.2); // 0.8·0.4 − 0.2
    assert.ok(Math.abs(r.indicatorMa - 0.12) < 1e-12);
    applyPenalty(r, 'stale', 0.2); // 0.8·0.12 − 0.2
    assert.ok(Math.abs(r.indicatorMa - -0.104) < 1e-12);
    assert.equal(r.inSync, false);
    applyPenalty(r, 'copy', 0.2);
    assert.equal(r.indicatorMa, -1);
    r.indicatorMa = 0.9;
    applyPenalty(r, 'invalid', 0.2);
    assert.equal(r.indicatorMa, -1);
    assert.deepEqual(r.penalties, { missing: 1, late: 1, stale: 1, copy: 1, invalid: 1 });
    // From −1, +1 evaluations at α = 0.2: −0.6, −0.28, −0.024, 0.1808 → positive after 4.
    const seq = [];
    let ma = -1;
    for (let i = 0; i < 4; i++)
        seq.push((ma = movingAverage(ma, 1, 0.2)));
    assert.ok(seq[2] < 0 && seq[3] > 0, String(seq));
});
//# sourceMappingURL=scores.test.js.map