export class SplitMix64 {
    state;
    constructor(seed) {
        this.state = BigInt.asUintN(64, BigInt(seed));
    }
    nextU64() {
        this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
        let z = this.state;
        z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
        z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
        return z ^ (z >> 31n);
    }
    /** Uniform in [0, 1) with 24 bits, exactly representable in fp32. */
    uniform() {
        return Number(this.nextU64() >> 40n) / 16777216;
    }
}
/**
 * A heavy-tailed test vector: v = (2u-1)^3 * 0.01 in fp32; every fourth tensor element
 * block is rounded to multiples of 2^-10 * 0.01 so that exact ties in |v| occur.
 */
export function testVector(n, seed) {
    const r = new SplitMix64(seed);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
        const u = 2 * r.uniform() - 1;
        let v = u * u * u * 0.01;
        if ((i >> 8) % 4 === 3)
            v = Math.round(v * 1024 * 100) / (1024 * 100);
        out[i] = v;
    }
    return out;
}
/** A layout with awkward shapes: non-power-of-two dims, a prime dim, tiny tensors. */
export function awkwardLayout() {
    const shapes = [
        ['a.weight', [96, 80]],
        ['b.weight', [37, 64]],
        ['c.weight', [130]],
        ['d.weight', [64, 64]],
        ['e.weight', [5]],
        ['f.weight', [128, 200]],
    ];
    let offset = 0;
    return shapes.map(([name, shape]) => {
        const numel = shape.reduce((a, b) => a * b, 1);
        const t = { name, shape, offset, numel };
        offset += numel;
        return t;
    });
}
export function layoutSize(layout) {
    const l = layout[layout.length - 1];
    return l.offset + l.numel;
}
export function bytes32(fill) {
    return new Uint8Array(32).fill(fill);
}
//# sourceMappingURL=helpers.js.map