// Reconstruction error of our 2-bit quantiser against Templar's, on the same vectors
// and the same top-k selection (the two select identically). Prints the table that
// docs/compression.md quotes; test/compress/quant-vs-templar.test.ts checks that the
// doc still says what this measures.
//
//   npm run build && node --import ./dist/src/polyfill.js dist/test/compress/quant-vs-templar.js
//
// Our side runs the real native compressor (compressWithFeedback, decompressInto);
// Templar's side quantises the same kept values with test/compress/templar-quant.ts.
import { pathToFileURL } from 'node:url';
import { loadModelConfig, parameterLayout } from '../../src/train/model-config.js';
import { chunking, compressWithFeedback, decompressInto } from '../../src/train/compress/index.js';
import { pseudoGradient } from '../../bench/compress.js';
import { SplitMix64 } from './helpers.js';
import { templarDequantise, templarQuantise } from './templar-quant.js';
export const OPTIONS = { chunk: 64, k: 64, demo: false };
/** Layer 0 of the 150m model (attention, MLP and the two norms), re-offset to start at 0. */
export function layer0Layout() {
    const all = parameterLayout(loadModelConfig('150m'));
    let offset = 0;
    return all.filter((t) => t.name.includes('layers.0.')).map((t) => {
        const s = { ...t, offset };
        offset += t.numel;
        return s;
    });
}
function oneTensor(rows, cols) {
    return [{ name: 'w', shape: [rows, cols], offset: 0, numel: rows * cols }];
}
function gaussian(n, seed) {
    const r = new SplitMix64(seed);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
        const u = 1 - r.uniform(), w = r.uniform();
        const m = Math.sqrt(-2 * Math.log(u));
        out[i] = 1e-3 * m * Math.cos(2 * Math.PI * w);
        if (i + 1 < n)
            out[i + 1] = 1e-3 * m * Math.sin(2 * Math.PI * w);
    }
    return out;
}
/** Student's t with 3 degrees of freedom: heavy tails, as gradients often have. */
function studentT3(n, seed) {
    const z = gaussian(4 * n, seed);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
        const chi2 = (z[4 * i + 1] ** 2 + z[4 * i + 2] ** 2 + z[4 * i + 3] ** 2) / 1e-6;
        out[i] = z[4 * i] / Math.sqrt(chi2 / 3);
    }
    return out;
}
/** Both quantisers on the kept values of x (x is not changed). */
export function compareOn(name, x, layout) {
    const e = new Float32Array(x.length);
    const cm = compressWithFeedback(e, x, layout, 0, OPTIONS); // e starts at 0: compresses x itself
    const ours = new Float32Array(x.length);
    decompressInto(cm, ours);
    const geo = chunking(layout, OPTIONS);
    const templar = new Float32Array(x.length);
    let keptSq = 0, oursKeptSq = 0, templarKeptSq = 0, dropSq = 0, totalSq = 0, kept = 0;
    layout.forEach((t, ti) => {
        const g = geo[ti];
        const pos = new Int32Array(g.values);
        const vals = new Float64Array(g.values);
        for (let c = 0; c < g.gr * g.gc; c++) {
            const ci = Math.floor(c / g.gc), cj = c % g.gc;
            for (let j = 0; j < g.k; j++) {
                const at = c * g.k + j;
                const p = cm.indices[g.valueOffset + at];
                const i = t.offset + (ci * g.br + Math.floor(p / g.bc)) * g.cols + cj * g.bc + (p % g.bc);
                pos[at] = i;
                vals[at] = x[i];
            }
        }
        const q = templarQuantise(vals);
        for (let j = 0; j < g.values; j++) {
            const i = pos[j], v = vals[j];
            templar[i] = templarDequantise(q, j);
            keptSq += v * v;
            oursKeptSq += (v - ours[i]) ** 2;
            templarKeptSq += (v - templar[i]) ** 2;
        }
        kept += g.values;
    });
    let oursSq = 0, templarSq = 0;
    for (let i = 0; i < x.length; i++) {
        const v = x[i];
        totalSq += v * v;
        oursSq += (v - ours[i]) ** 2;
        templarSq += (v - templar[i]) ** 2;
    }
    dropSq = totalSq - keptSq;
    return {
        name, params: x.length, kept,
        sparsify: Math.sqrt(dropSq / totalSq),
        oursKept: Math.sqrt(oursKeptSq / keptSq), templarKept: Math.sqrt(templarKeptSq / keptSq),
        oursTensor: Math.sqrt(oursSq / totalSq), templarTensor: Math.sqrt(templarSq / totalSq),
    };
}
export function measure() {
    const rows = [];
    const sq = oneTensor(1024, 1024);
    rows.push(compareOn('Gaussian, 1024×1024', gaussian(1024 * 1024, 1), sq));
    rows.push(compareOn("Student's t (ν = 3), 1024×1024", studentT3(1024 * 1024, 2), sq));
    const l0 = layer0Layout();
    rows.push(compareOn('pseudo-gradient, 150m layer 0', pseudoGradient(l0, 11), l0));
    // What a miner really compresses: the error-feedback buffer after some windows
    // (e ← β·e + Δ, minus what was sent), here after 10 windows with β = 0.95.
    const e = new Float32Array(l0[l0.length - 1].offset + l0[l0.length - 1].numel);
    for (let w = 0; w < 9; w++)
        compressWithFeedback(e, pseudoGradient(l0, 100 + w), l0, 0.95, OPTIONS);
    const next = pseudoGradient(l0, 109);
    const state = new Float32Array(e.length);
    for (let i = 0; i < e.length; i++)
        state[i] = Math.fround(Math.fround(Math.fround(0.95) * e[i]) + next[i]);
    rows.push(compareOn('error-feedback state, window 10 (β 0.95), 150m layer 0', state, l0));
    return rows;
}
export const pct = (x) => `${(100 * x).toFixed(2)} %`;
export function markdownTable(rows) {
    const lines = [
        '| vector | kept values: ours | kept values: Templar | whole tensor: ours | whole tensor: Templar | selection alone |',
        '|---|---|---|---|---|---|',
    ];
    for (const r of rows)
        lines.push(`| ${r.name} | ${pct(r.oursKept)} | ${pct(r.templarKept)} | ${pct(r.oursTensor)} | ${pct(r.templarTensor)} | ${pct(r.sparsify)} |`);
    return lines.join('\n');
}
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    console.log(markdownTable(measure()));
}
//# sourceMappingURL=quant-vs-templar.js.map