// A small seeded PRNG (mulberry32): the simulator's only source of randomness, so one
// seed gives one run, bit for bit.
export class Rng {
    s;
    constructor(seed) {
        this.s = (seed >>> 0) ^ 0x9e3779b9;
    }
    /** Uniform in [0, 1). */
    next() {
        let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    int(lo, hiExclusive) {
        return lo + Math.floor(this.next() * (hiExclusive - lo));
    }
    chance(p) {
        return this.next() < p;
    }
    pick(xs) {
        return xs[this.int(0, xs.length)];
    }
}
/** A seed derived from a few integers (per miner, per window), independent of call order. */
export function mix(...xs) {
    let h = 0x811c9dc5;
    for (const x of xs) {
        h ^= x >>> 0;
        h = Math.imul(h, 0x01000193) >>> 0;
        h ^= h >>> 13;
    }
    return h >>> 0;
}
//# sourceMappingURL=rng.js.map