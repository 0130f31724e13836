// npm run bench -- compress [--model 150m] [--k 64] [--chunk 64] [--threads 2] [--demo]
//                            [--payloads 20] [--fuzz N]
// SparseLoCo on a pseudo-gradient with the model's real shapes: compress speed,
// wire size against dense fp32 and against Templar's stored layout (1 byte per 2-bit
// code + 12-bit packed indices = 20 bits per kept value), and decode + aggregate time
// for a window of G payloads. --fuzz N also fuzzes N payloads of the `tiny` model.
import os from 'node:os';
import { loadModelConfig, parameterLayout } from '../src/train/model-config.js';
import { loadNative } from '../src/native/index.js';
import { aggregateAndStep, chunking, compressWithFeedback, decodePayload, encodePayload, HEADER_BYTES, modelShapeHash, thetaHash, thetaHashBytes, } from '../src/train/compress/index.js';
import { fuzzPayloads } from '../test/compress/fuzz.js';
function flag(args, name, fallback) {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
/** xorshift32: fast, only for making bench inputs. */
function rng(seed) {
    let s = seed >>> 0 || 1;
    return () => {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        return s / 4294967296;
    };
}
/**
 * A pseudo-gradient that looks like a real one: per tensor a smooth correlated field
 * (outer product of two random walks, so rows and columns have structure) plus
 * heavy-tailed noise (slash distribution: uniform / sqrt(uniform), tails ~ 1/x^2),
 * with a per-tensor magnitude; never exactly zero.
 */
export function pseudoGradient(layout, seed) {
    const last = layout[layout.length - 1];
    const out = new Float32Array(last.offset + last.numel);
    const r = rng(seed);
    for (const t of layout) {
        const rows = t.shape.length === 2 ? t.shape[0] : 1;
        const cols = t.shape.length === 2 ? t.shape[1] : t.shape[0];
        const mag = 1e-3 * Math.exp(2 * (r() - 0.5));
        const walk = (len) => {
            const w = new Float32Array(len);
            let x = 0;
            for (let i = 0; i < len; i++)
                w[i] = x = 0.97 * x + (r() - 0.5);
            return w;
        };
        const a = walk(rows), b = walk(cols);
        for (let i = 0; i < rows; i++) {
            const base = t.offset + i * cols;
            const ai = a[i];
            for (let j = 0; j < cols; j++) {
                const noise = (r() - 0.5) / Math.sqrt(r() + 1e-4);
                const v = mag * (0.6 * ai * b[j] + 0.4 * noise);
                out[base + j] = v === 0 ? mag * 1e-6 : v;
            }
        }
    }
    return out;
}
/**
 * Payload i of the window, made from a real compressed one by rotating each chunk's
 * indices by a payload-specific offset (so the index sets differ and overlap like
 * independent miners' would) and scaling its LUT (so the norms differ).
 */
export function variant(c, layout, i) {
    const geo = chunking(layout, c.options);
    const indices = new Uint16Array(c.indices.length), codes = new Uint8Array(c.codes.length);
    const quant = c.quant.slice();
    geo.forEach((g, ti) => {
        const n = g.br * g.bc, shift = (i * 977) % n;
        for (let q = 2; q < 6; q++)
            quant[6 * ti + q] = Math.fround(quant[6 * ti + q] * (1 + 0.15 * i));
        for (let ch = 0; ch < g.gr * g.gc; ch++) {
            const at = g.valueOffset + ch * g.k;
            // Rotated indices stay sorted except for one wrap point: start from there.
            let wrap = 0;
            while (wrap < g.k && c.indices[at + wrap] + shift < n)
                wrap++;
            for (let j = 0; j < g.k; j++) {
                const src = (wrap + j) % g.k;
                indices[at + j] = (c.indices[at + src] + shift) % n;
                codes[at + j] = c.codes[at + src];
            }
        }
    });
    return { options: c.options, layout, quant, indices, codes };
}
/** Wall and CPU seconds (all threads) of fn: on a shared box the CPU time shows contention. */
function timed(fn) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = fn();
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { value, wall, cpu: (c.user + c.system) / 1e6 };
}
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s[(s.length - 1) >> 1];
}
export async function main(args) {
    const modelName = flag(args, 'model', '150m');
    const o = { chunk: Number(flag(args, 'chunk', '64')), k: Number(flag(args, 'k', '64')), demo: args.includes('--demo') };
    const threads = Number(flag(args, 'threads', '2'));
    const G = Number(flag(args, 'payloads', '20'));
    const fuzzCases = Number(flag(args, 'fuzz', '0'));
    loadNative().setThreads(threads);
    const loadAtStart = os.loadavg()[0];
    const layout = parameterLayout(loadModelConfig(modelName));
    const n = layout[layout.length - 1].offset + layout[layout.length - 1].numel;
    console.log(`compress bench: model ${modelName} (${(n / 1e6).toFixed(1)}M params), chunk ${o.chunk}, k ${o.k}, demo ${o.demo}, ${threads} threads`);
    const e = new Float32Array(n);
    const compressed = [];
    const compressTimes = [], compressCpu = [];
    const rounds = 3;
    for (let w = 0; w < rounds; w++) {
        const delta = pseudoGradient(layout, 11 + w);
        const r = timed(() => compressWithFeedback(e, delta, layout, 1, o));
        compressed.push(r.value);
        compressTimes.push(r.wall);
        compressCpu.push(r.cpu);
    }
    const compressS = median(compressTimes), compressCpuS = median(compressCpu);
    const params = pseudoGradient(layout, 99);
    const header = { version: 1, runHash: new Uint8Array(32).fill(7), window: 1, uid: 0, modelShapeHash: modelShapeHash(layout), baseThetaHash: thetaHashBytes(params) };
    const encodeT0 = performance.now();
    const realBytes = compressed.map((c, uid) => encodePayload({ ...header, uid }, c));
    const encodeS = (performance.now() - encodeT0) / 1000 / compressed.length;
    const values = compressed[0].indices.length;
    const bytes = realBytes[0].length;
    const bitsPerValue = (bytes * 8) / values;
    const recordBits = ((bytes - HEADER_BYTES) * 8) / values;
    const templarBytes = (values * 20) / 8;
    const ratioTemplar = templarBytes / bytes;
    const ratioFp32 = (n * 4) / bytes;
    const window = Array.from({ length: G }, (_, i) => {
        const c = i < compressed.length ? compressed[i] : variant(compressed[i % compressed.length], layout, i);
        return encodePayload({ ...header, uid: 100 + i }, c);
    });
    const dec = timed(() => window.map((b, i) => ({ uid: 100 + i, payload: decodePayload(b, layout, { baseThetaHash: header.baseThetaHash }) })));
    const decoded = dec.value;
    const decodeS = dec.wall;
    const agg = timed(() => aggregateAndStep(params, layout, decoded, 0.7));
    const stats = agg.value;
    const aggS = agg.wall;
    const skipped = stats.skipped.reduce((a, b) => a + b, 0);
    const rows = [
        ['params', `${n}`],
        ['kept values', `${values} (${((100 * values) / n).toFixed(2)}%)`],
        ['compress (median of 3)', `${compressS.toFixed(3)} s = ${(n / compressS / 1e6).toFixed(1)} Mparams/s (CPU ${compressCpuS.toFixed(3)} s over ${threads} threads)`],
        ['encode', `${encodeS.toFixed(3)} s`],
        ['payload bytes', `${bytes}`],
        ['bits per kept value', `${bitsPerValue.toFixed(3)} (records only ${recordBits.toFixed(3)})`],
        ['vs Templar stored (20 bits/value)', `${ratioTemplar.toFixed(3)}x smaller (${Math.round(templarBytes)} bytes)`],
        ['vs dense fp32', `${ratioFp32.toFixed(1)}x smaller (${n * 4} bytes)`],
        [`decode ${G} payloads`, `${decodeS.toFixed(3)} s (CPU ${dec.cpu.toFixed(3)} s)`],
        [`aggregate + step, ${G} payloads`, `${aggS.toFixed(3)} s (CPU ${agg.cpu.toFixed(3)} s, ${skipped} tensors skipped)`],
        ['load average at start', loadAtStart.toFixed(1)],
        [`decode + aggregate, ${G} payloads`, `${(decodeS + aggS).toFixed(3)} s`],
        ['thetaHash after step', thetaHash(params).slice(0, 16)],
    ];
    let fuzzSummary;
    if (fuzzCases > 0) {
        const tiny = parameterLayout(loadModelConfig('tiny'));
        const tn = tiny[tiny.length - 1].offset + tiny[tiny.length - 1].numel;
        const valid = [1, 2].map((s) => encodePayload({ ...header, uid: s, modelShapeHash: modelShapeHash(tiny) }, compressWithFeedback(new Float32Array(tn), pseudoGradient(tiny, s), tiny, 1, o)));
        const t3 = performance.now();
        const rep = fuzzPayloads(valid, tiny, o, fuzzCases, 12345);
        const fs = (performance.now() - t3) / 1000;
        rows.push([`fuzz ${fuzzCases} payloads (tiny)`, `${rep.failures.length} crashes, ${rep.accepted} accepted, ${fs.toFixed(1)} s`]);
        rows.push(['fuzz rejections', JSON.stringify(rep.rejected)]);
        for (const f of rep.failures.slice(0, 5))
            console.error(f);
        fuzzSummary = { fuzz_cases: fuzzCases, fuzz_failures: rep.failures.length };
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows)
        console.log(`  ${k.padEnd(w)}  ${v}`);
    console.log(JSON.stringify({
        bench: 'compress',
        bits_per_value: Number(bitsPerValue.toFixed(3)),
        ratio_vs_templar: Number(ratioTemplar.toFixed(3)),
        ratio_vs_fp32: Number(ratioFp32.toFixed(2)),
        compress_mparams_per_s: Number((n / compressS / 1e6).toFixed(1)),
        aggregate20_s: Number((decodeS + aggS).toFixed(3)),
        compress_cpu_s: Number(compressCpuS.toFixed(3)),
        aggregate20_cpu_s: Number((dec.cpu + agg.cpu).toFixed(3)),
        load_avg: Number(loadAtStart.toFixed(1)),
        ...(fuzzSummary ?? {}),
    }));
}
//# sourceMappingURL=compress.js.map