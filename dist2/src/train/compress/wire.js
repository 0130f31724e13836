// Gradient wire format v1 (normative text: docs/wire-format.md). The fixed 128-byte
// header is written and checked here; the tensor records by the native core.
import { createHash } from 'node:crypto';
import { checkOptions, layoutMeta, MAX_CHUNK_TARGET } from './geometry.js';
import { modelShapeHash } from './hash.js';
import { nativeCompress } from './native.js';
import { PayloadError, } from './types.js';
export const WIRE_MAGIC = Uint8Array.of(0x47, 0x4d, 0x50, 0x4c); // "GMPL"
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 128;
const FLAG_DEMO = 1;
function need32(name, b) {
    if (!(b instanceof Uint8Array) || b.length !== 32)
        throw new RangeError(`header.${name} must be 32 bytes`);
}
/** Wire format v1 bytes of a compressed model. */
export function encodePayload(header, c) {
    if (header.version !== WIRE_VERSION)
        throw new RangeError(`only wire version ${WIRE_VERSION} can be written`);
    need32('runHash', header.runHash);
    need32('modelShapeHash', header.modelShapeHash);
    need32('baseThetaHash', header.baseThetaHash);
    if (!Number.isSafeInteger(header.window) || header.window < 0)
        throw new RangeError('header.window must be a safe non-negative integer');
    if (!Number.isInteger(header.uid) || header.uid < 0 || header.uid > 0xffffffff)
        throw new RangeError('header.uid must be a u32');
    checkOptions(c.options);
    const shape = modelShapeHash(c.layout);
    if (!equalBytes(shape, header.modelShapeHash))
        throw new RangeError('header.modelShapeHash does not match the layout');
    const o = c.options;
    const records = nativeCompress().encodeRecords(layoutMeta(c.layout), o.chunk, o.k, o.demo, c);
    const out = new Uint8Array(HEADER_BYTES + records.length);
    const v = new DataView(out.buffer);
    out.set(WIRE_MAGIC, 0);
    v.setUint16(4, WIRE_VERSION, true);
    v.setUint8(6, o.demo ? FLAG_DEMO : 0);
    v.setUint16(8, o.chunk, true);
    v.setUint16(10, o.k, true);
    v.setUint32(12, c.layout.length, true);
    v.setBigUint64(16, BigInt(header.window), true);
    v.setUint32(24, header.uid, true);
    out.set(header.runHash, 32);
    out.set(header.modelShapeHash, 64);
    out.set(header.baseThetaHash, 96);
    out.set(records, HEADER_BYTES);
    return out;
}
/** The payload identity: lowercase hex SHA-256 of its bytes. */
export function payloadDigest(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
}
function equalBytes(a, b) {
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
}
function reject(code, message) {
    throw new PayloadError(code, message);
}
/** Parses and checks the 128-byte header alone (cheap: done before any record). */
export function decodeHeader(bytes, layout) {
    if (!(bytes instanceof Uint8Array))
        reject('not_bytes', 'payload must be a Uint8Array');
    if (bytes.length < HEADER_BYTES)
        reject('truncated', `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
    for (let i = 0; i < 4; i++)
        if (bytes[i] !== WIRE_MAGIC[i])
            reject('bad_magic', 'does not start with "GMPL"');
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = v.getUint16(4, true);
    if (version !== WIRE_VERSION)
        reject('bad_version', `version ${version}, this node reads version ${WIRE_VERSION}`);
    const flags = v.getUint8(6);
    if ((flags & ~FLAG_DEMO) !== 0)
        reject('bad_flags', `unknown flag bits 0x${flags.toString(16)}`);
    if (v.getUint8(7) !== 0 || v.getUint32(28, true) !== 0)
        reject('reserved', 'reserved header field is not zero');
    const chunk = v.getUint16(8, true);
    if (chunk < 1 || chunk > MAX_CHUNK_TARGET)
        reject('bad_chunk', `chunk target ${chunk} outside 1..${MAX_CHUNK_TARGET}`);
    const k = v.getUint16(10, true);
    if (k < 2 || k % 2 !== 0 || k > chunk * chunk)
        reject('bad_k', `k = ${k}: must be even, >= 2 and <= ${chunk * chunk}`);
    const tensorCount = v.getUint32(12, true);
    if (tensorCount !== layout.length)
        reject('tensor_set', `${tensorCount} tensors, the model has ${layout.length}`);
    const window = v.getBigUint64(16, true);
    if (window > BigInt(Number.MAX_SAFE_INTEGER))
        reject('bad_window', `window ${window} exceeds 2^53-1`);
    const header = {
        version,
        runHash: bytes.slice(32, 64),
        window: Number(window),
        uid: v.getUint32(24, true),
        modelShapeHash: bytes.slice(64, 96),
        baseThetaHash: bytes.slice(96, 128),
    };
    if (!equalBytes(header.modelShapeHash, modelShapeHash(layout))) {
        reject('wrong_model_shape', 'model shape hash differs from this model\'s layout');
    }
    return { header, chunk, k, demo: (flags & FLAG_DEMO) !== 0 };
}
function checkExpectations(h, o, e) {
    if (e.runHash && !equalBytes(h.runHash, e.runHash))
        reject('wrong_run', 'runHash belongs to another run');
    if (e.window !== undefined && h.window !== e.window)
        reject('wrong_window', `window ${h.window}, expected ${e.window}`);
    if (e.uid !== undefined && h.uid !== e.uid)
        reject('wrong_uid', `uid ${h.uid}, expected ${e.uid}`);
    if (e.baseThetaHash && !equalBytes(h.baseThetaHash, e.baseThetaHash)) {
        reject('wrong_base_theta', 'the miner started from other parameters (baseThetaHash differs)');
    }
    if (e.options && (e.options.chunk !== o.chunk || e.options.k !== o.k || e.options.demo !== o.demo)) {
        reject('wrong_options', `chunk/k/demo ${o.chunk}/${o.k}/${o.demo}, the run uses ${e.options.chunk}/${e.options.k}/${e.options.demo}`);
    }
}
/**
 * Decodes and checks wire format v1 bytes against the model's layout (and the
 * caller's expectations). Throws PayloadError, and nothing else, for any bad input.
 */
export function decodePayload(bytes, layout, expect = {}) {
    const { header, chunk, k, demo } = decodeHeader(bytes, layout);
    checkExpectations(header, { chunk, k, demo }, expect);
    const r = nativeCompress().decodeRecords(bytes, HEADER_BYTES, layoutMeta(layout), chunk, k, demo);
    if ('error' in r)
        reject(r.error, r.message);
    return { header, options: { chunk, k, demo }, layout, quant: r.quant, indices: r.indices, codes: r.codes };
}
//# sourceMappingURL=wire.js.map