export const MAX_CHUNK_TARGET = 128;
export function largestDivisorAtMost(n, target) {
    for (let d = Math.min(n, target); d > 1; d--)
        if (n % d === 0)
            return d;
    return 1;
}
/** Throws RangeError naming the bad option. */
export function checkOptions(o) {
    if (!Number.isInteger(o.chunk) || o.chunk < 1 || o.chunk > MAX_CHUNK_TARGET) {
        throw new RangeError(`compress option chunk must be an integer in 1..${MAX_CHUNK_TARGET}, got ${o.chunk}`);
    }
    if (!Number.isInteger(o.k) || o.k < 2 || o.k % 2 !== 0 || o.k > o.chunk * o.chunk) {
        throw new RangeError(`compress option k must be even, >= 2 and <= chunk*chunk (${o.chunk * o.chunk}), got ${o.k}`);
    }
    if (typeof o.demo !== 'boolean')
        throw new RangeError('compress option demo must be a boolean');
}
function rowsCols(t) {
    if (t.shape.length === 1)
        return [1, t.shape[0]];
    if (t.shape.length === 2)
        return [t.shape[0], t.shape[1]];
    throw new RangeError(`tensor ${t.name}: only 1-D and 2-D tensors are compressed, shape is [${t.shape.join(', ')}]`);
}
const chunkingCache = new WeakMap();
export function chunking(layout, o) {
    checkOptions(o);
    const key = `${o.chunk}/${o.k}`;
    let perLayout = chunkingCache.get(layout);
    const hit = perLayout?.get(key);
    if (hit)
        return hit;
    let valueOffset = 0;
    const out = layout.map((t) => {
        const [rows, cols] = rowsCols(t);
        const br = largestDivisorAtMost(rows, o.chunk);
        const bc = largestDivisorAtMost(cols, o.chunk);
        const gr = rows / br, gc = cols / bc;
        const k = Math.min(o.k, br * bc);
        const c = { rows, cols, br, bc, gr, gc, k, values: gr * gc * k, valueOffset };
        valueOffset += c.values;
        return c;
    });
    if (!perLayout)
        chunkingCache.set(layout, (perLayout = new Map()));
    perLayout.set(key, out);
    return out;
}
export function totalValues(layout, o) {
    const c = chunking(layout, o);
    const last = c[c.length - 1];
    return last ? last.valueOffset + last.values : 0;
}
export function totalParams(layout) {
    const last = layout[layout.length - 1];
    return last ? last.offset + last.numel : 0;
}
const metaCache = new WeakMap();
/** [offset, rows, cols] per tensor, the form the native core takes. */
export function layoutMeta(layout) {
    const hit = metaCache.get(layout);
    if (hit)
        return hit;
    const m = new Float64Array(layout.length * 3);
    layout.forEach((t, i) => {
        const [rows, cols] = rowsCols(t);
        m[3 * i] = t.offset;
        m[3 * i + 1] = rows;
        m[3 * i + 2] = cols;
    });
    metaCache.set(layout, m);
    return m;
}
//# sourceMappingURL=geometry.js.map