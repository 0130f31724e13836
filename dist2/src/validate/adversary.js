// Adversarial miner behaviours, for tests and for researchers probing a testnet.
// Off by default: a miner only misbehaves when given adversaryHooks(mode, …) as its
// MinerHooks. Each mode rewrites (or withholds) the honest payload the miner just
// built; docs/adversarial.md says what each one models and how the Gauntlet answers.
import { createHash } from 'node:crypto';
import { chunking, decodePayload, encodePayload, HEADER_BYTES, } from '../train/compress/index.js';
import { Xoshiro256StarStar } from '../train/data/index.js';
import { GauntletError } from './config.js';
export const ADVERSARY_MODES = ['free-rider', 'noise', 'nan', 'scale', 'copycat', 'stale', 'lazy'];
export function isAdversaryMode(s) {
    return ADVERSARY_MODES.includes(s);
}
function reencode(header, model) {
    return encodePayload(header, model);
}
/** Random kept positions (distinct, ascending per chunk) and random codes, same quantiser. */
export function noisePayload(p, rng) {
    const indices = new Uint16Array(p.indices.length);
    const codes = new Uint8Array(p.codes.length);
    for (const t of chunking(p.layout, p.options)) {
        const elems = t.br * t.bc;
        const chunks = t.gr * t.gc;
        for (let c = 0; c < chunks; c++) {
            const picked = new Set();
            while (picked.size < t.k)
                picked.add(rng.nextBelow(elems));
            const sorted = [...picked].sort((a, b) => a - b);
            indices.set(sorted, t.valueOffset + c * t.k);
        }
    }
    for (let i = 0; i < codes.length; i++)
        codes[i] = rng.nextBelow(4);
    return reencode(p.header, { options: p.options, layout: p.layout, quant: p.quant, indices, codes });
}
/** The payload with every quantiser value (shift, scale, bin means) multiplied by `factor`. */
export function scaledPayload(p, factor) {
    const quant = Float32Array.from(p.quant, (v) => v * factor);
    return reencode(p.header, { options: p.options, layout: p.layout, quant, indices: p.indices, codes: p.codes });
}
/** The bytes with NaN written over the first tensor's bin means (the record head's floats at +28..+44). */
export function nanPayload(bytes) {
    const out = Uint8Array.from(bytes);
    const v = new DataView(out.buffer);
    for (let i = 2; i < 6; i++)
        v.setFloat32(HEADER_BYTES + 20 + 4 * i, Number.NaN, true);
    return out;
}
/** Someone else's payload under our header (uid, window, base θ). */
export function copiedPayload(ours, theirs) {
    return reencode(ours, { options: theirs.options, layout: theirs.layout, quant: theirs.quant, indices: theirs.indices, codes: theirs.codes });
}
export function adversaryHooks(mode, o) {
    const layout = o.layout;
    switch (mode) {
        case 'free-rider':
            return { transformPayload: () => null };
        case 'nan':
            return { transformPayload: (bytes) => nanPayload(bytes) };
        case 'scale': {
            const factor = o.factor ?? 1000;
            return { transformPayload: (bytes) => scaledPayload(decodePayload(bytes, layout), factor) };
        }
        case 'noise':
            return {
                transformPayload: (bytes, window) => {
                    const d = createHash('sha256').update('adversary-noise').update(String(o.seed ?? 0)).update(String(window)).digest();
                    return noisePayload(decodePayload(bytes, layout), Xoshiro256StarStar.fromDigest(new Uint8Array(d)));
                },
            };
        case 'copycat': {
            const source = o.source;
            if (!source)
                throw new GauntletError('bad_input', 'copycat needs a source of other miners\' payloads');
            return {
                transformPayload: (bytes, window) => {
                    const theirs = source(window);
                    if (!theirs)
                        return null;
                    return copiedPayload(decodePayload(bytes, layout).header, decodePayload(theirs, layout));
                },
            };
        }
        case 'lazy': {
            // Keeps training on the first samples it was given (cached data) instead of
            // each window's pool; its payload is otherwise honest.
            let cached = null;
            return {
                transformPayload: (bytes) => bytes,
                trainingSamples: (_window, assigned) => (cached ??= [...assigned]),
            };
        }
        case 'stale': {
            // Replays what it trained `lag` windows ago, honestly headed with that older
            // base θ: the payload of a miner that keeps training on an old model.
            const lag = o.lag ?? 2;
            const history = [];
            return {
                transformPayload: (bytes, window) => {
                    const now = decodePayload(bytes, layout);
                    history.push(now);
                    if (history.length <= lag)
                        return null;
                    const old = history.shift();
                    return reencode({ ...now.header, window, baseThetaHash: old.header.baseThetaHash }, old);
                },
            };
        }
    }
}
//# sourceMappingURL=adversary.js.map