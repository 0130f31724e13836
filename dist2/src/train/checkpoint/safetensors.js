// safetensors, written and read by us: an 8-byte little-endian header length N, N
// bytes of UTF-8 JSON ({name: {dtype, shape, data_offsets}, "__metadata__": {…}}),
// then the raw little-endian tensor data. The reader trusts nothing: every length and
// offset is checked against the real size before anything is allocated from it, and
// the tensors must tile the data section exactly (no overlaps, no hidden bytes), as
// the reference implementation requires.
import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { endianness } from 'node:os';
import { CheckpointError, namingFile } from './errors.js';
export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2 };
/** Largest single read or write we issue (Node's fs calls take at most 2 GiB - 1). */
export const MAX_IO_BYTES = 1 << 30;
/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
function isDtype(s) {
    return s === 'F32' || s === 'F16' || s === 'BF16';
}
function isNonNegInt(v) {
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
/** Product of dims, or -1 if it is not a safe integer. */
function numelOf(shape) {
    let n = 1;
    for (const d of shape) {
        n *= d;
        if (!Number.isSafeInteger(n))
            return -1;
    }
    return n;
}
/** Reads the header length from the first 8 bytes and checks it against the file size. */
export function headerLength(first8, fileSize) {
    if (first8.byteLength < 8 || fileSize < 8) {
        throw new CheckpointError('truncated', `file has ${fileSize} bytes, a safetensors file needs at least 8`);
    }
    const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
    if (n < 2n)
        throw new CheckpointError('header_size', `header length ${n} is too small for a JSON object`);
    if (n > BigInt(MAX_HEADER_BYTES))
        throw new CheckpointError('header_size', `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
    if (8n + n > BigInt(fileSize)) {
        throw new CheckpointError('header_size', `header length ${n} runs past the end of a ${fileSize}-byte file`);
    }
    return Number(n);
}
/**
 * Parses and validates a header. `headerBytes` is exactly the N bytes after the
 * length prefix; `fileSize` is the size of the whole file.
 */
export function parseHeader(headerBytes, fileSize) {
    const dataStart = 8 + headerBytes.byteLength;
    const dataLength = fileSize - dataStart;
    if (dataLength < 0)
        throw new CheckpointError('truncated', 'header longer than the file');
    let text;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    }
    catch {
        throw new CheckpointError('header_json', 'header is not valid UTF-8');
    }
    let raw;
    try {
        raw = JSON.parse(text);
    }
    catch (e) {
        throw new CheckpointError('header_json', `header is not valid JSON (${e.message})`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new CheckpointError('header_json', 'header must be a JSON object');
    }
    const metadata = {};
    const tensors = [];
    for (const [name, value] of Object.entries(raw)) {
        if (name === METADATA_KEY) {
            if (value === null)
                continue;
            if (typeof value !== 'object' || Array.isArray(value)) {
                throw new CheckpointError('header_schema', '__metadata__ must be an object of strings');
            }
            for (const [k, v] of Object.entries(value)) {
                if (typeof v !== 'string')
                    throw new CheckpointError('header_schema', `__metadata__.${k} must be a string`);
                if (k === '__proto__')
                    throw new CheckpointError('header_schema', '__metadata__ key "__proto__" is not allowed');
                metadata[k] = v;
            }
            continue;
        }
        tensors.push(parseTensorEntry(name, value));
    }
    checkTiling(tensors, dataLength);
    tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
    return { tensors, byName: new Map(tensors.map((t) => [t.name, t])), metadata, dataStart, dataLength };
}
function parseTensorEntry(name, value) {
    if (name.length === 0 || name === '__proto__')
        throw new CheckpointError('header_schema', `tensor name "${name}" is not allowed`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new CheckpointError('header_schema', `tensor "${name}": entry must be an object`);
    }
    const o = value;
    for (const k of Object.keys(o)) {
        if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') {
            throw new CheckpointError('header_schema', `tensor "${name}": unknown field "${k}"`);
        }
    }
    if (typeof o.dtype !== 'string')
        throw new CheckpointError('header_schema', `tensor "${name}": dtype must be a string`);
    if (!isDtype(o.dtype))
        throw new CheckpointError('dtype', `tensor "${name}": dtype ${o.dtype} is not read (F32, F16, BF16)`);
    if (!Array.isArray(o.shape) || !o.shape.every(isNonNegInt)) {
        throw new CheckpointError('header_schema', `tensor "${name}": shape must be an array of non-negative integers`);
    }
    const offs = o.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !isNonNegInt(offs[0]) || !isNonNegInt(offs[1])) {
        throw new CheckpointError('header_schema', `tensor "${name}": data_offsets must be [begin, end] non-negative integers`);
    }
    const [begin, end] = offs;
    if (end < begin)
        throw new CheckpointError('offsets', `tensor "${name}": data_offsets end ${end} < begin ${begin}`);
    const shape = o.shape;
    const numel = numelOf(shape);
    if (numel < 0 || numel * DTYPE_BYTES[o.dtype] !== end - begin) {
        throw new CheckpointError('shape', `tensor "${name}": shape [${shape}] of ${o.dtype} does not fill ${end - begin} bytes`);
    }
    return { name, dtype: o.dtype, shape: [...shape], begin, end };
}
/** The tensors, sorted by offset, must cover [0, dataLength) exactly once. */
function checkTiling(tensors, dataLength) {
    const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
    let at = 0;
    for (const t of sorted) {
        if (t.begin !== at) {
            const what = t.begin < at ? 'overlaps the tensor before it' : `leaves a hole of ${t.begin - at} bytes before it`;
            throw new CheckpointError('offsets', `tensor "${t.name}" at [${t.begin}, ${t.end}) ${what}`);
        }
        at = t.end;
    }
    if (at > dataLength)
        throw new CheckpointError('truncated', `tensors need ${at} data bytes, the file has ${dataLength}`);
    if (at < dataLength)
        throw new CheckpointError('offsets', `${dataLength - at} data bytes after the last tensor are not described`);
}
export function readSafetensors(bytes) {
    const n = headerLength(bytes, bytes.byteLength);
    const header = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength);
    return { header, data: bytes.subarray(header.dataStart) };
}
function halfToFloat(h) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0)
        return sign * frac * 2 ** -24;
    if (exp === 31)
        return frac === 0 ? sign * Infinity : NaN;
    return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
/**
 * Converts one tensor's raw little-endian bytes into `dst` (length = numel), whatever
 * the alignment of `raw`. F32 is copied bit for bit.
 */
export function decodeTensorInto(entry, raw, dst) {
    const numel = (entry.end - entry.begin) / DTYPE_BYTES[entry.dtype];
    if (raw.byteLength !== entry.end - entry.begin || dst.length !== numel) {
        throw new CheckpointError('shape', `tensor "${entry.name}": ${raw.byteLength} bytes into ${dst.length} floats`);
    }
    if (entry.dtype === 'F32') {
        if (LITTLE_ENDIAN_HOST) {
            new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(raw);
        }
        else {
            const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
            for (let i = 0; i < numel; i++)
                dst[i] = v.getFloat32(4 * i, true);
        }
        return;
    }
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (entry.dtype === 'BF16') {
        const u = new Uint32Array(1);
        const f = new Float32Array(u.buffer);
        for (let i = 0; i < numel; i++) {
            u[0] = v.getUint16(2 * i, true) << 16;
            dst[i] = f[0];
        }
    }
    else {
        for (let i = 0; i < numel; i++)
            dst[i] = halfToFloat(v.getUint16(2 * i, true));
    }
}
/** One tensor as a new Float32Array. */
export function tensorFloat32(view, name) {
    const entry = view.header.byName.get(name);
    if (!entry)
        throw new CheckpointError('tensor_set', `no tensor "${name}"`);
    const dst = new Float32Array((entry.end - entry.begin) / DTYPE_BYTES[entry.dtype]);
    decodeTensorInto(entry, view.data.subarray(entry.begin, entry.end), dst);
    return dst;
}
/** Reads a safetensors file tensor by tensor, without loading the whole file. */
export class SafetensorsFileReader {
    path;
    header;
    fileSize;
    fd;
    constructor(path) {
        this.path = path;
        let fd;
        try {
            fd = openSync(path, 'r');
        }
        catch (e) {
            const missing = e.code === 'ENOENT';
            throw new CheckpointError(missing ? 'not_found' : 'io', `${path}: ${missing ? 'no such file' : `cannot open (${e.message})`}`, { cause: e });
        }
        this.fd = fd;
        try {
            this.fileSize = fstatSync(fd).size;
            const first8 = this.readAt(0, Math.min(8, this.fileSize));
            const n = headerLength(first8, this.fileSize);
            this.header = parseHeader(this.readAt(8, n), this.fileSize);
        }
        catch (e) {
            this.close();
            throw namingFile(e, path);
        }
    }
    /** Reads exactly `length` bytes at `position` (both already checked against the file size). */
    readAt(position, length) {
        const buf = new Uint8Array(length);
        this.readFully(position, buf);
        return buf;
    }
    /** Fills `buf` from `position`, in calls of at most MAX_IO_BYTES (the fs limit is 2 GiB per call). */
    readFully(position, buf) {
        if (this.fd === null)
            throw new CheckpointError('io', `${this.path}: reader is closed`);
        let got = 0;
        while (got < buf.byteLength) {
            const n = readSync(this.fd, buf, got, Math.min(buf.byteLength - got, MAX_IO_BYTES), position + got);
            if (n === 0)
                throw new CheckpointError('truncated', `${this.path}: file ended at byte ${position + got} while reading`);
            got += n;
        }
    }
    /** Reads tensor `name` into `dst` (its numel floats), converting BF16/F16 to fp32. */
    readInto(name, dst) {
        const entry = this.header.byName.get(name);
        if (!entry)
            throw new CheckpointError('tensor_set', `${this.path}: no tensor "${name}"`);
        const position = this.header.dataStart + entry.begin;
        if (entry.dtype === 'F32' && LITTLE_ENDIAN_HOST && dst.length * 4 === entry.end - entry.begin) {
            // Straight into the destination: no second copy of a large tensor.
            this.readFully(position, new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength));
            return;
        }
        decodeTensorInto(entry, this.readAt(position, entry.end - entry.begin), dst);
    }
    /** All data-section bytes of one tensor, raw. */
    readRaw(name) {
        const entry = this.header.byName.get(name);
        if (!entry)
            throw new CheckpointError('tensor_set', `${this.path}: no tensor "${name}"`);
        return this.readAt(this.header.dataStart + entry.begin, entry.end - entry.begin);
    }
    close() {
        if (this.fd !== null)
            closeSync(this.fd);
        this.fd = null;
    }
}
function float32LE(data) {
    if (LITTLE_ENDIAN_HOST)
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const out = new Uint8Array(data.byteLength);
    const v = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++)
        v.setFloat32(4 * i, data[i], true);
    return out;
}
/**
 * Encodes F32 tensors as safetensors, in the given order, returning the pieces
 * (prefix+header, then one view per tensor, without copying the data on a
 * little-endian host) so that large files can be written without one big buffer.
 */
export function encodeSafetensorsChunks(tensors, metadata = {}) {
    const header = {};
    if (Object.keys(metadata).length > 0) {
        for (const [k, v] of Object.entries(metadata)) {
            if (typeof v !== 'string' || k === '__proto__')
                throw new CheckpointError('invalid_input', `metadata ${k} must be a string under a plain key`);
        }
        header[METADATA_KEY] = metadata;
    }
    let at = 0;
    const seen = new Set();
    for (const t of tensors) {
        if (t.name.length === 0 || t.name === METADATA_KEY || t.name === '__proto__' || seen.has(t.name)) {
            throw new CheckpointError('invalid_input', `tensor name "${t.name}" is empty, reserved or repeated`);
        }
        seen.add(t.name);
        if (!t.shape.every(isNonNegInt) || numelOf(t.shape) !== t.data.length) {
            throw new CheckpointError('invalid_input', `tensor "${t.name}": shape [${t.shape}] does not match ${t.data.length} values`);
        }
        header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + t.data.byteLength] };
        at += t.data.byteLength;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    // Pad with spaces so the data section starts 8-byte aligned (valid JSON whitespace).
    const padded = Math.ceil(json.byteLength / 8) * 8;
    const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
    new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
    head.set(json, 8);
    return [head, ...tensors.map((t) => float32LE(t.data))];
}
/** The same bytes as pieces of at most `max` bytes (views, no copies), for fs calls. */
export function limitChunkSize(chunks, max = MAX_IO_BYTES) {
    const out = [];
    for (const c of chunks) {
        for (let at = 0; at < c.byteLength; at += max)
            out.push(c.subarray(at, Math.min(c.byteLength, at + max)));
    }
    return out;
}
export function concatChunks(chunks) {
    const total = chunks.reduce((a, c) => a + c.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
    }
    return out;
}
export function encodeSafetensors(tensors, metadata = {}) {
    return concatChunks(encodeSafetensorsChunks(tensors, metadata));
}
//# sourceMappingURL=safetensors.js.map