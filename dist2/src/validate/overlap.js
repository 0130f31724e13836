// Copy detection. Two payloads of one window are compared on the positions they
// kept: overlap = |A ∩ B| / |A| over every chunk whose top-k actually selects (a
// chunk that keeps all its values, like a 1-D norm weight, says nothing and is left
// out). Both payloads keep the same number of values per chunk, so the measure is
// symmetric. Honest miners start from the same θ but train on different data and
// carry different error-feedback buffers; their kept positions overlap far less than
// a re-announced payload (overlap 1).
import { chunking } from '../train/compress/index.js';
import { GauntletError } from './config.js';
/** Fraction of kept (chunk, index) positions that two payloads share. */
export function selectionOverlap(a, b) {
    const o = a.options;
    if (o.chunk !== b.options.chunk || o.k !== b.options.k || o.demo !== b.options.demo || a.layout.length !== b.layout.length) {
        throw new GauntletError('bad_input', 'payloads with different compression options or layouts cannot be compared');
    }
    const geom = chunking(a.layout, o);
    let shared = 0;
    let total = 0;
    for (const t of geom) {
        if (t.k >= t.br * t.bc)
            continue;
        const chunks = t.gr * t.gc;
        for (let c = 0; c < chunks; c++) {
            const base = t.valueOffset + c * t.k;
            // Both lists are ascending within a chunk: merge.
            let i = 0;
            let j = 0;
            while (i < t.k && j < t.k) {
                const x = a.indices[base + i];
                const y = b.indices[base + j];
                if (x === y) {
                    shared++;
                    i++;
                    j++;
                }
                else if (x < y)
                    i++;
                else
                    j++;
            }
            total += t.k;
        }
    }
    return total === 0 ? 0 : shared / total;
}
/**
 * Every pair at or above the threshold; the announcement first seen later is the
 * copier. On an exact tie of first-seen times neither can be told apart, and both
 * are reported as copiers (a copy needs the original first, so honest ties are rare).
 */
export function detectCopies(items, threshold) {
    const findings = [];
    const sorted = [...items].sort((x, y) => x.firstSeenMs - y.firstSeenMs || x.uid - y.uid);
    for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
            const a = sorted[i];
            const b = sorted[j];
            const overlap = selectionOverlap(a.payload, b.payload);
            if (overlap < threshold)
                continue;
            findings.push({ copier: b.uid, original: a.uid, overlap });
            if (a.firstSeenMs === b.firstSeenMs)
                findings.push({ copier: a.uid, original: b.uid, overlap });
        }
    }
    return findings;
}
/** The uids that lose to a copy finding. */
export function copiers(findings) {
    return new Set(findings.map((f) => f.copier));
}
//# sourceMappingURL=overlap.js.map