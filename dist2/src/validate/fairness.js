/** The most windows between two evaluations of a miner that is a candidate in each (see above). */
export function maxEvaluationGap(maxWait, candidates, perWindow) {
    return maxWait + Math.ceil(candidates / perWindow);
}
export function chooseForEvaluation(candidates, perWindow, maxWait, bins, rng) {
    const chosen = [];
    const forced = candidates.filter((c) => c.wait >= maxWait).sort((a, b) => b.wait - a.wait || a.uid - b.uid);
    for (const c of forced.slice(0, perWindow))
        chosen.push(c.uid);
    const taken = new Set(chosen);
    const rest = candidates.filter((c) => !taken.has(c.uid)).sort((a, b) => b.ordinal - a.ordinal || a.uid - b.uid);
    const n = rest.length;
    const binList = [];
    for (let b = 0; b < bins; b++) {
        const bin = rest.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
        if (bin.length)
            binList.push(bin);
    }
    while (chosen.length < perWindow && binList.length) {
        const bi = rng.nextBelow(binList.length);
        const bin = binList[bi];
        const total = bin.reduce((s, c) => s + 1 + c.wait, 0);
        let ticket = rng.nextBelow(total);
        let pick = 0;
        while (ticket >= 1 + bin[pick].wait)
            ticket -= 1 + bin[pick++].wait;
        chosen.push(bin[pick].uid);
        bin.splice(pick, 1);
        if (!bin.length)
            binList.splice(bi, 1);
    }
    return chosen.sort((a, b) => a - b);
}
//# sourceMappingURL=fairness.js.map