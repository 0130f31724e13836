import { decodePayload, decompressInto, PayloadError, totalValues } from '../../src/train/compress/index.js';
import { SplitMix64 } from './helpers.js';
/**
 * The structural checks an accepted payload must pass (also used by test/fuzz):
 * arrays of the size the options imply, decompressing to finite values into `out`.
 */
export function checkDecodedPayload(p, layout, out) {
    if (p.indices.length !== totalValues(layout, p.options))
        throw new Error('decoded arrays have the wrong size');
    decompressInto(p, out);
    if (!out.every((v) => Number.isFinite(v)))
        throw new Error('decoded payload decompresses to non-finite values');
}
export function fuzzPayloads(valid, layout, o, cases, seed) {
    const r = new SplitMix64(seed);
    const int = (m) => Math.floor(r.uniform() * m);
    const report = { cases, rejected: {}, accepted: 0, failures: [] };
    const nParams = layout[layout.length - 1].offset + layout[layout.length - 1].numel;
    const out = new Float32Array(nParams);
    for (let c = 0; c < cases; c++) {
        const src = valid[int(valid.length)];
        let b;
        const kind = int(6);
        if (kind === 0) {
            b = src.slice(0, int(src.length)); // truncated
        }
        else if (kind === 1) {
            b = src.slice();
            const flips = 1 + int(4);
            for (let i = 0; i < flips; i++)
                b[int(b.length)] ^= 1 << int(8); // bit flips
        }
        else if (kind === 2) {
            b = src.slice();
            const at = int(b.length), len = Math.min(1 + int(16), b.length - at);
            for (let i = 0; i < len; i++)
                b[at + i] = int(256); // random bytes overwrite
        }
        else if (kind === 3) {
            b = new Uint8Array(src.length + 1 + int(64));
            b.set(src);
            for (let i = src.length; i < b.length; i++)
                b[i] = int(256); // extended
        }
        else if (kind === 4) {
            b = src.slice(); // a header-region mutation (most checks live there)
            b[int(Math.min(b.length, 176))] ^= 1 << int(8);
        }
        else {
            b = new Uint8Array(int(2 * src.length));
            for (let i = 0; i < b.length; i++)
                b[i] = int(256);
            if (r.uniform() < 0.5 && b.length >= 4)
                b.set([0x47, 0x4d, 0x50, 0x4c, 1, 0], 0);
        }
        try {
            checkDecodedPayload(decodePayload(b, layout), layout, out);
            report.accepted++;
        }
        catch (e) {
            if (e instanceof PayloadError)
                report.rejected[e.code] = (report.rejected[e.code] ?? 0) + 1;
            else
                report.failures.push(`case ${c} (kind ${kind}): ${e.stack ?? String(e)}`);
        }
    }
    return report;
}
//# sourceMappingURL=fuzz.js.map