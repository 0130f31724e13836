// thetaHash (the model-state identity) and modelShapeHash (the layout identity).
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
const littleEndian = endianness() === 'LE';
/** SHA-256 of the fp32 little-endian parameters in canonical order, raw 32 bytes. */
export function thetaHashBytes(params) {
    const h = createHash('sha256');
    if (littleEndian) {
        h.update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength));
    }
    else {
        const copy = new Uint8Array(params.byteLength);
        const v = new DataView(copy.buffer);
        for (let i = 0; i < params.length; i++)
            v.setFloat32(4 * i, params[i], true);
        h.update(copy);
    }
    return new Uint8Array(h.digest());
}
/** thetaHash as lowercase hex. */
export function thetaHash(params) {
    return Buffer.from(thetaHashBytes(params)).toString('hex');
}
const SHAPE_DOMAIN = 'gradmesh/model-shape/v1';
/**
 * SHA-256 over: the ASCII domain string, u32 tensor count, then per tensor in
 * canonical order u32 name byte length, the UTF-8 name, u32 rank, u64 per dimension
 * (all little-endian). See docs/wire-format.md.
 */
export function modelShapeHash(layout) {
    const h = createHash('sha256');
    h.update(Buffer.from(SHAPE_DOMAIN, 'ascii'));
    const u32 = (n) => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(n);
        return b;
    };
    h.update(u32(layout.length));
    for (const t of layout) {
        const name = Buffer.from(t.name, 'utf8');
        h.update(u32(name.length));
        h.update(name);
        h.update(u32(t.shape.length));
        for (const d of t.shape) {
            const b = Buffer.alloc(8);
            b.writeBigUInt64LE(BigInt(d));
            h.update(b);
        }
    }
    return new Uint8Array(h.digest());
}
export function hexToBytes(hex) {
    if (!/^([0-9a-f]{2})*$/i.test(hex))
        throw new RangeError('not a hex string');
    return new Uint8Array(Buffer.from(hex, 'hex'));
}
//# sourceMappingURL=hash.js.map