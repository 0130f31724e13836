import { chunking } from '../../src/train/compress/index.js';
const f = Math.fround;
function elementIndex(t, c, chunk, p) {
    const ci = Math.floor(chunk / c.gc), cj = chunk % c.gc;
    const r = Math.floor(p / c.bc), col = p % c.bc;
    return t.offset + (ci * c.br + r) * c.cols + cj * c.bc + col;
}
export function refCompress(e, delta, layout, beta, o) {
    const geo = chunking(layout, o);
    const total = geo.reduce((a, g) => a + g.values, 0);
    const out = { quant: new Float32Array(6 * layout.length), indices: new Uint16Array(total), codes: new Uint8Array(total) };
    const b32 = f(beta);
    layout.forEach((t, ti) => {
        const g = geo[ti];
        const vals = [];
        const n = g.br * g.bc;
        for (let c = 0; c < g.gr * g.gc; c++) {
            const x = [];
            for (let p = 0; p < n; p++) {
                const i = elementIndex(t, g, c, p);
                e[i] = f(f(b32 * e[i]) + delta[i]);
                x.push(e[i]);
            }
            const order = x.map((_, i) => i).sort((a, b) => Math.abs(x[b]) - Math.abs(x[a]) || a - b);
            const kept = order.slice(0, g.k).sort((a, b) => a - b);
            kept.forEach((p, j) => {
                out.indices[g.valueOffset + c * g.k + j] = p;
                vals.push(x[p]);
            });
        }
        let sum = 0;
        for (const v of vals)
            sum += v;
        const shift = f(sum / vals.length);
        let sq = 0;
        for (const v of vals)
            sq += (v - shift) * (v - shift);
        const scale = f(1.5 * Math.sqrt(sq / vals.length));
        const e1 = f(shift - scale), e3 = f(shift + scale);
        const bs = [0, 0, 0, 0], bn = [0, 0, 0, 0];
        vals.forEach((v, j) => {
            const code = (v >= e1 ? 1 : 0) + (v >= shift ? 1 : 0) + (v >= e3 ? 1 : 0);
            out.codes[g.valueOffset + j] = code;
            bs[code] += v;
            bn[code]++;
        });
        const q = [shift, scale, ...bs.map((s, b) => (bn[b] ? f(s / bn[b]) : 0))];
        out.quant.set(q, 6 * ti);
        for (let c = 0; c < g.gr * g.gc; c++) {
            for (let j = 0; j < g.k; j++) {
                const at = g.valueOffset + c * g.k + j;
                const i = elementIndex(t, g, c, out.indices[at]);
                e[i] = f(e[i] - q[2 + out.codes[at]]);
            }
        }
    });
    return out;
}
/** Reference aggregation + SGD step (non-DeMo), payloads given in uid order. */
export function refAggregate(params, layout, ps, lr, o) {
    const geo = chunking(layout, o);
    const lr32 = f(lr);
    layout.forEach((t, ti) => {
        const g = geo[ti];
        const norms = ps.map((p) => {
            const cnt = [0, 0, 0, 0];
            for (let j = 0; j < g.values; j++)
                cnt[p.codes[g.valueOffset + j]]++;
            let s = 0;
            for (let b = 0; b < 4; b++)
                s += cnt[b] * (p.quant[6 * ti + 2 + b] * p.quant[6 * ti + 2 + b]);
            return f(Math.sqrt(s));
        });
        const sorted = [...norms].sort((a, b) => a - b);
        const thr = sorted[(sorted.length - 1) >> 1];
        const clut = ps.map((p, pi) => {
            const clip = norms[pi] > thr;
            const fac = clip ? f(thr / norms[pi]) : 1;
            return [0, 1, 2, 3].map((b) => (clip ? f(p.quant[6 * ti + 2 + b] * fac) : p.quant[6 * ti + 2 + b]));
        });
        const n = g.br * g.bc;
        for (let c = 0; c < g.gr * g.gc; c++) {
            const sum = new Array(n).fill(0), cnt = new Array(n).fill(0);
            ps.forEach((p, pi) => {
                for (let j = 0; j < g.k; j++) {
                    const at = g.valueOffset + c * g.k + j;
                    const i = p.indices[at];
                    sum[i] = f(sum[i] + clut[pi][p.codes[at]]);
                    cnt[i]++;
                }
            });
            for (let pos = 0; pos < n; pos++) {
                if (cnt[pos] === 0)
                    continue;
                const a = f(sum[pos] / cnt[pos]);
                const i = elementIndex(t, g, c, pos);
                params[i] = f(params[i] - f(lr32 * a));
            }
        }
    });
}
//# sourceMappingURL=reference.js.map