import { checkOptions, layoutMeta, totalParams } from './geometry.js';
import { nativeCompress } from './native.js';
import { assertWritable, withClaims } from './claims.js';
/**
 * e <- beta*e + delta; C = Q(TopK(chunk(e))); e <- e - decompress(C). Mutates
 * `errorBuffer` in place. Throws RangeError on a non-finite value in e or delta (e is
 * then partly updated and should be reset) or on arrays that do not fit the layout.
 */
export function compressWithFeedback(errorBuffer, delta, layout, beta, opts) {
    checkArgs(errorBuffer, delta, layout, beta, opts);
    assertWritable(errorBuffer, 'errorBuffer', 'compressWithFeedback');
    const r = nativeCompress().compressFeedback(errorBuffer, delta, layoutMeta(layout), opts.chunk, opts.k, opts.demo, beta);
    return { options: { chunk: opts.chunk, k: opts.k, demo: opts.demo }, layout, ...r };
}
/**
 * The same as compressWithFeedback, run off the event loop (same bits). Neither
 * errorBuffer nor delta may be touched until the promise settles: both are claimed
 * (claims.ts) until then, errorBuffer for writing, delta for reading.
 */
export async function compressWithFeedbackAsync(errorBuffer, delta, layout, beta, opts) {
    checkArgs(errorBuffer, delta, layout, beta, opts);
    const uses = [{ name: 'errorBuffer', view: errorBuffer, mode: 'write' }, { name: 'delta', view: delta, mode: 'read' }];
    const r = await withClaims('compressWithFeedbackAsync', uses, () => nativeCompress().compressFeedbackAsync(errorBuffer, delta, layoutMeta(layout), opts.chunk, opts.k, opts.demo, beta));
    return { options: { chunk: opts.chunk, k: opts.k, demo: opts.demo }, layout, ...r };
}
function checkArgs(errorBuffer, delta, layout, beta, opts) {
    checkOptions(opts);
    const n = totalParams(layout);
    if (errorBuffer.length !== n || delta.length !== n) {
        throw new RangeError(`errorBuffer (${errorBuffer.length}) and delta (${delta.length}) must both hold ${n} floats`);
    }
    if (!Number.isFinite(beta))
        throw new RangeError('beta must be finite');
}
/** Writes the dense decompressed model into `out` (zeros where nothing was kept). */
export function decompressInto(p, out) {
    const o = p.options;
    if (out.length !== totalParams(p.layout))
        throw new RangeError(`out must hold ${totalParams(p.layout)} floats, has ${out.length}`);
    nativeCompress().decompressInto(layoutMeta(p.layout), o.chunk, o.k, o.demo, p, out);
}
//# sourceMappingURL=compress.js.map