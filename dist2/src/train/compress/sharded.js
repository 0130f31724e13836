import { compressWithFeedbackAsync } from './compress.js';
import { totalParams } from './geometry.js';
/** The tensors each rank compresses; ranks whose shard starts no tensor get none (and are left out). */
export function compressionShards(layout, ranks) {
    if (!Number.isInteger(ranks) || ranks < 1)
        throw new RangeError(`ranks must be a positive integer, got ${ranks}`);
    const S = Math.ceil(totalParams(layout) / ranks);
    const out = [];
    layout.forEach((t, i) => {
        const rank = Math.min(ranks - 1, Math.floor(t.offset / Math.max(1, S)));
        const last = out[out.length - 1];
        if (last && last.rank === rank) {
            last.tensors.push(t);
            last.end = t.offset + t.numel;
        }
        else {
            out.push({ rank, first: i, tensors: [t], start: t.offset, end: t.offset + t.numel });
        }
    });
    return out;
}
/** The shard's tensors with offsets from the shard's start: the layout of its slice. */
function localLayout(s) {
    return s.tensors.map((t) => ({ ...t, offset: t.offset - s.start }));
}
function concat(parts, make) {
    const out = make(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}
/**
 * compressWithFeedbackAsync with the work split over `ranks`: the same error buffer
 * afterwards and the same CompressedModel (so the same payload bytes), computed by up
 * to `ranks` native calls at once. errorBuffer and delta are claimed slice by slice
 * until every part returns.
 */
export async function compressWithFeedbackSharded(errorBuffer, delta, layout, beta, opts, ranks) {
    const n = totalParams(layout);
    if (errorBuffer.length !== n || delta.length !== n) {
        throw new RangeError(`errorBuffer (${errorBuffer.length}) and delta (${delta.length}) must both hold ${n} floats`);
    }
    const shards = compressionShards(layout, ranks);
    const parts = await Promise.all(shards.map((s) => compressWithFeedbackAsync(errorBuffer.subarray(s.start, s.end), delta.subarray(s.start, s.end), localLayout(s), beta, opts)));
    return {
        options: { chunk: opts.chunk, k: opts.k, demo: opts.demo },
        layout,
        quant: concat(parts.map((p) => p.quant), (k) => new Float32Array(k)),
        indices: concat(parts.map((p) => p.indices), (k) => new Uint16Array(k)),
        codes: concat(parts.map((p) => p.codes), (k) => new Uint8Array(k)),
    };
}
//# sourceMappingURL=sharded.js.map