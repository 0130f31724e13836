// The deterministic sampler (docs/sampler.md is the normative spec, with vectors).
// Every honest node must draw the same pool for (runHash, uid, window), so each step
// here is fixed to the byte: the seed digest, the SplitMix64 → xoshiro256** state
// fill, Lemire's unbiased bounded draw, and a partial Fisher–Yates over a virtual
// array [0, sampleCount) whose displaced entries live in a Map (memory O(poolSize)).
// 64-bit arithmetic is done in BigInt: correct first; pools are small (B·H·k).
import { createHash } from 'node:crypto';
import { DataError } from './errors.js';
const MASK64 = (1n << 64n) - 1n;
const TWO64 = 1n << 64n;
function rotl64(x, k) {
    return ((x << k) | (x >> (64n - k))) & MASK64;
}
/** SplitMix64 (Steele, Lea, Flood 2014), used only to fill xoshiro's state. */
export class SplitMix64 {
    state;
    constructor(seed) {
        this.state = seed & MASK64;
    }
    next() {
        this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
        let z = this.state;
        z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
        z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
        return z ^ (z >> 31n);
    }
}
/** xoshiro256** 1.0 (Blackman, Vigna), state filled by four SplitMix64 outputs. */
export class Xoshiro256StarStar {
    s0;
    s1;
    s2;
    s3;
    constructor(seed) {
        const sm = new SplitMix64(seed);
        this.s0 = sm.next();
        this.s1 = sm.next();
        this.s2 = sm.next();
        this.s3 = sm.next();
    }
    /** A generator with the given raw state (for the reference vectors of xoshiro itself). */
    static fromState(state) {
        const g = new Xoshiro256StarStar(0n);
        [g.s0, g.s1, g.s2, g.s3] = state.map((v) => v & MASK64);
        return g;
    }
    /** Seeds from a digest: SplitMix64's seed is its first 8 bytes read as u64 little-endian. */
    static fromDigest(digest) {
        if (digest.length < 8)
            throw new DataError('RANGE', 'seed digest shorter than 8 bytes');
        const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
        return new Xoshiro256StarStar(view.getBigUint64(0, true));
    }
    next() {
        const result = (rotl64((this.s1 * 5n) & MASK64, 7n) * 9n) & MASK64;
        const t = (this.s1 << 17n) & MASK64;
        this.s2 ^= this.s0;
        this.s3 ^= this.s1;
        this.s1 ^= this.s2;
        this.s0 ^= this.s3;
        this.s2 ^= t;
        this.s3 = rotl64(this.s3, 45n);
        return result;
    }
    /**
     * Uniform integer in [0, bound), bound in [1, 2^53 − 1]. Lemire's multiply-shift with
     * rejection (2019): m = x·bound (128-bit); if (m mod 2^64) < (2^64 − bound) mod bound,
     * draw again; the answer is m >> 64. Unbiased, and the number of draws consumed is
     * part of the spec.
     */
    nextBelow(bound) {
        if (!Number.isSafeInteger(bound) || bound < 1)
            throw new DataError('RANGE', `bound ${bound} must be a positive safe integer`);
        const n = BigInt(bound);
        let m = this.next() * n;
        let low = m & MASK64;
        if (low < n) {
            const threshold = (TWO64 - n) % n;
            while (low < threshold) {
                m = this.next() * n;
                low = m & MASK64;
            }
        }
        return Number(m >> 64n);
    }
}
function u32le(v) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return b;
}
function u64le(v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return b;
}
function checkU32(name, v) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new DataError('RANGE', `${name} ${v} must be an integer in [0, 2^32)`);
}
function checkSafe(name, v) {
    if (!Number.isSafeInteger(v) || v < 0)
        throw new DataError('RANGE', `${name} ${v} must be a non-negative safe integer`);
}
/** SHA-256( "sample" ‖ runHash(32) ‖ u32le(uid) ‖ u64le(window) ). */
export function sampleSeed(runHash, uid, window) {
    if (runHash.length !== 32)
        throw new DataError('RANGE', `runHash must be 32 bytes, got ${runHash.length}`);
    checkU32('uid', uid);
    checkSafe('window', window);
    const h = createHash('sha256');
    h.update(Buffer.from('sample', 'ascii'));
    h.update(runHash);
    h.update(u32le(uid));
    h.update(u64le(window));
    return new Uint8Array(h.digest());
}
/**
 * The first `count` entries of a Fisher–Yates shuffle of [0, n), drawn with `rng`.
 * Step i (0-based): j = i + rng.nextBelow(n − i); swap a[i] and a[j]; emit a[i].
 * a[] is virtual: a[k] = k unless the Map says otherwise.
 */
export function partialShuffle(rng, n, count) {
    checkSafe('n', n);
    checkSafe('count', count);
    if (count > n)
        throw new DataError('RANGE', `cannot draw ${count} distinct samples from ${n}`);
    const moved = new Map();
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
        const j = i + rng.nextBelow(n - i);
        const atJ = moved.get(j) ?? j;
        const atI = moved.get(i) ?? i;
        moved.set(j, atI);
        // a[i] is never read again (later steps only touch indices > i), so drop it.
        moved.delete(i);
        out[i] = atJ;
    }
    return out;
}
/** The pool of window `window` for miner `uid`: poolSize distinct sample indices in draw order. */
export function samplePool(runHash, uid, window, poolSize, sampleCount) {
    const rng = Xoshiro256StarStar.fromDigest(sampleSeed(runHash, uid, window));
    return partialShuffle(rng, sampleCount, poolSize);
}
/** The samples a miner trains on in a window: the first B·H of its pool, in pool order. */
export function minerTrainingSamples(pool, batch, innerSteps) {
    checkSafe('batch', batch);
    checkSafe('innerSteps', innerSteps);
    const n = batch * innerSteps;
    if (n > pool.length)
        throw new DataError('RANGE', `pool of ${pool.length} is smaller than B·H = ${n}`);
    return pool.slice(0, n);
}
/** The inner step's batch h (0-based) of the training samples: entries [h·B, (h+1)·B). */
export function stepBatch(trained, batch, step) {
    const start = step * batch;
    if (!Number.isSafeInteger(start) || start < 0 || start + batch > trained.length) {
        throw new DataError('RANGE', `step ${step} with batch ${batch} is outside ${trained.length} samples`);
    }
    return trained.slice(start, start + batch);
}
/**
 * A pseudo-uid for the validator's "random" pool, known only to whoever holds the
 * nonce: u32le(SHA-256("pseudo-uid" ‖ nonce ‖ u64le(window))[0..4]) | 0x80000000.
 * The top bit is set so it can never equal a real subnet uid (those are u16).
 */
export function pseudoUid(secretNonce, window) {
    if (secretNonce.length < 16)
        throw new DataError('RANGE', `secret nonce must be at least 16 bytes, got ${secretNonce.length}`);
    checkSafe('window', window);
    const h = createHash('sha256');
    h.update(Buffer.from('pseudo-uid', 'ascii'));
    h.update(secretNonce);
    h.update(u64le(window));
    const d = h.digest();
    return (d.readUInt32LE(0) | 0x80000000) >>> 0;
}
/**
 * The validator's own-data evaluation set: `count` of the samples the miner trained
 * on, chosen by a seed private to the validator (so the miner cannot predict which):
 * a partial Fisher–Yates over positions in `trained`, seeded by
 * SHA-256("own-eval" ‖ seed) the same way as the pool.
 */
export function ownEvalSamples(trained, count, seed) {
    const digest = new Uint8Array(createHash('sha256').update(Buffer.from('own-eval', 'ascii')).update(seed).digest());
    const rng = Xoshiro256StarStar.fromDigest(digest);
    return partialShuffle(rng, trained.length, Math.min(count, trained.length)).map((k) => trained[k]);
}
//# sourceMappingURL=sampler.js.map