import { checkOptions, layoutMeta, totalParams } from './geometry.js';
import { nativeCompress } from './native.js';
import { assertWritable, withClaims } from './claims.js';
/** Per tensor L2 norm of one payload's dequantised values. */
export function payloadNorms(p) {
    const o = p.options;
    return nativeCompress().tensorNorms(layoutMeta(p.layout), o.chunk, o.k, o.demo, p);
}
/** Lower-middle median over payloads, per tensor: sorted norms at index floor((G-1)/2). */
export function medianOfNorms(norms, tensors) {
    const out = new Float32Array(tensors);
    if (norms.length === 0)
        return out;
    const col = new Float32Array(norms.length);
    for (let t = 0; t < tensors; t++) {
        for (let i = 0; i < norms.length; i++)
            col[i] = norms[i][t];
        col.sort();
        out[t] = col[(norms.length - 1) >> 1];
    }
    return out;
}
/** The clip thresholds of a window's payload set (independent of their order). */
export function medianNorms(payloads) {
    if (payloads.length === 0)
        return new Float32Array(0);
    const tensors = payloads[0].layout.length;
    return medianOfNorms(payloads.map(payloadNorms), tensors);
}
function sameOptions(a, b) {
    return a.chunk === b.chunk && a.k === b.k && a.demo === b.demo;
}
function prepare(params, layout, payloads, lr, opts) {
    const n = totalParams(layout);
    if (params.length !== n)
        throw new RangeError(`params must hold ${n} floats, has ${params.length}`);
    if (!Number.isFinite(lr))
        throw new RangeError('lr must be finite');
    const clipScale = opts.clipScale ?? 1;
    if (!Number.isFinite(clipScale) || clipScale < 0)
        throw new RangeError('clipScale must be finite and >= 0');
    const sorted = [...payloads].sort((a, b) => a.uid - b.uid);
    for (let i = 0; i < sorted.length; i++) {
        const { uid, payload } = sorted[i];
        if (!Number.isInteger(uid) || uid < 0)
            throw new RangeError(`bad uid ${uid}`);
        if (i > 0 && sorted[i - 1].uid === uid)
            throw new RangeError(`uid ${uid} appears twice`);
        if (payload.layout.length !== layout.length || payload.layout.some((t, j) => t.offset !== layout[j].offset || t.numel !== layout[j].numel)) {
            throw new RangeError(`payload of uid ${uid} follows another layout`);
        }
        if (!sameOptions(payload.options, sorted[0].payload.options))
            throw new RangeError('all payloads must use the same compress options');
    }
    if (sorted.length === 0)
        return undefined;
    const o = sorted[0].payload.options;
    checkOptions(o);
    let thresholds = null;
    if (opts.medianNorms) {
        if (opts.medianNorms.length !== layout.length)
            throw new RangeError(`medianNorms must hold one value per tensor (${layout.length})`);
        thresholds = new Float32Array(layout.length);
        for (let t = 0; t < layout.length; t++)
            thresholds[t] = Math.fround(opts.medianNorms[t] * clipScale);
    }
    return { sorted, o, thresholds, clipScale };
}
function stats(p, layout, r) {
    const T = layout.length;
    return {
        uids: p.sorted.map((s) => s.uid),
        skipped: r.skipped,
        thresholds: r.thresholds,
        norms: p.sorted.map((_, i) => r.norms.subarray(i * T, (i + 1) * T)),
    };
}
const emptyStats = (layout) => ({
    uids: [], skipped: new Uint8Array(layout.length), thresholds: new Float32Array(layout.length), norms: [],
});
/**
 * Aggregates the payloads and steps params -= lr * aggregate, in place. The order of
 * `payloads` does not matter: they are sorted by uid (a uid may appear once).
 */
export function aggregateAndStep(params, layout, payloads, lr, opts = {}) {
    const p = prepare(params, layout, payloads, lr, opts);
    if (!p)
        return emptyStats(layout);
    assertWritable(params, 'params', 'aggregateAndStep');
    const r = nativeCompress().aggregateAndStep(params, layoutMeta(layout), p.o.chunk, p.o.k, p.o.demo, p.sorted.map((s) => s.payload), p.thresholds, lr, p.clipScale);
    return stats(p, layout, r);
}
/**
 * aggregateAndStep off the event loop (same bits). params and the payloads' arrays
 * must not be touched until the promise settles: they are claimed (claims.ts) until
 * then, params for writing, the payloads for reading.
 */
export async function aggregateAndStepAsync(params, layout, payloads, lr, opts = {}) {
    const p = prepare(params, layout, payloads, lr, opts);
    if (!p)
        return emptyStats(layout);
    const uses = [{ name: 'params', view: params, mode: 'write' }];
    for (const s of p.sorted) {
        for (const [part, view] of [['quant', s.payload.quant], ['indices', s.payload.indices], ['codes', s.payload.codes]]) {
            uses.push({ name: `payload of uid ${s.uid} (${part})`, view, mode: 'read' });
        }
    }
    const r = await withClaims('aggregateAndStepAsync', uses, () => nativeCompress().aggregateAndStepAsync(params, layoutMeta(layout), p.o.chunk, p.o.k, p.o.demo, p.sorted.map((s) => s.payload), p.thresholds, lr, p.clipScale));
    return stats(p, layout, r);
}
//# sourceMappingURL=aggregate.js.map