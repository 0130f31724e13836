// Templar's SparseLoCo quantiser (tplr's TopKCompressor with 4 bins and a 6σ range),
// re-implemented here from its formulas as docs/compression.md states them, to
// measure what our symmetric bins change. Not used by gradmesh itself.
//
//   shift = mean(v);  c = v − shift;  σ = ‖c‖ / sqrt(n − 1)   (the sample σ)
//   scale = 6σ / 4 = 1.5σ   (1 when that is 0 or not finite)
//   code  = clamp(round_half_even(c / scale + 2), 0, 3)
//   lut[b] = mean of the c in bin b (0 when empty);  v̂ = lut[code] + shift
//
// so the bin edges sit at shift − 1.5·scale, shift − 0.5·scale and shift + 0.5·scale:
// bin 2 is centred on the shift, and the positive side has one bin where the
// negative side has two. Ours (docs/compression.md) puts the edges at shift − scale,
// shift and shift + scale: two bins on each side.
//
// Templar's k per chunk: min(k, n), at least 2, rounded down to even (its 12-bit
// index packing needs pairs); torch.topk then fails on a chunk of 1 element.
/** Round half to even, as torch.round. */
function roundHalfEven(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** Templar's 2-bit quantisation of one tensor's kept values. */
export function templarQuantise(v) {
    const n = v.length;
    let sum = 0;
    for (let i = 0; i < n; i++)
        sum += v[i];
    const shift = Math.fround(sum / n);
    let sq = 0;
    for (let i = 0; i < n; i++)
        sq += (v[i] - shift) ** 2;
    let scale = (6 * Math.sqrt(sq) / Math.sqrt(n - 1)) / 4;
    if (scale === 0 || !Number.isFinite(scale))
        scale = 1;
    scale = Math.fround(scale);
    const codes = new Uint8Array(n);
    const sums = new Float64Array(4), counts = new Float64Array(4);
    for (let i = 0; i < n; i++) {
        const c = Math.fround(v[i] - shift);
        const q = Math.min(3, Math.max(0, roundHalfEven(c / scale + 2)));
        codes[i] = q;
        sums[q] += c;
        counts[q]++;
    }
    const lut = new Float64Array(4);
    for (let b = 0; b < 4; b++)
        lut[b] = counts[b] ? Math.fround(sums[b] / counts[b]) : 0;
    return { codes, lut, shift, scale };
}
export function templarDequantise(q, i) {
    return Math.fround(q.lut[q.codes[i]] + q.shift);
}
/** How many values Templar keeps in a chunk of n elements for a requested k; null where torch.topk fails. */
export function templarChunkK(k, n) {
    let t = Math.min(k, n);
    t = Math.max(t, 2);
    t -= t % 2;
    return t > n ? null : t;
}
//# sourceMappingURL=templar-quant.js.map