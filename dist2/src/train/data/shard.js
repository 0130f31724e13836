// Shard readers for the two token-file layouts we accept, and the header writers.
//   llm.c .bin: 256 little-endian int32 header (magic 20240520, version 1 = uint16
//     tokens, header[2] = token count), then the tokens as uint16 LE.
//   .npy: NumPy format 1.0/2.0/3.0, a flat 1-D C-order array of '<u2' or '<u4'.
// Node has no mmap without native code, so a small shard is loaded whole (one read,
// into an aligned typed array) and a large one is read with positional reads.
// Every size is checked against the header before a single token is trusted.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from './errors.js';
export const LLMC_MAGIC = 20240520;
export const LLMC_VERSION_U16 = 1;
export const LLMC_HEADER_BYTES = 256 * 4;
const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** Shards up to this size are read into memory whole at open. */
export const WHOLE_LOAD_BYTES = 64 * 1024 * 1024;
export function shardFormatOf(file) {
    if (file.endsWith('.bin'))
        return 'llmc-bin';
    if (file.endsWith('.npy'))
        return 'npy';
    return undefined;
}
function readExactly(fd, length, position, file, what) {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
        const n = readSync(fd, buf, got, length - got, position + got);
        if (n === 0)
            throw new DataError('TRUNCATED', `file ends inside the ${what} (${position + got} of ${position + length} bytes)`, file);
        got += n;
    }
    return buf;
}
function parseLlmcHeader(fd, fileBytes, file) {
    if (fileBytes < LLMC_HEADER_BYTES) {
        // Too short for a header: still say "bad magic" if the first word is wrong.
        if (fileBytes >= 4 && readExactly(fd, 4, 0, file, 'header').readInt32LE(0) !== LLMC_MAGIC) {
            throw new DataError('BAD_MAGIC', 'not an llm.c token shard (bad magic)', file);
        }
        throw new DataError('TRUNCATED', `file is ${fileBytes} bytes, shorter than the ${LLMC_HEADER_BYTES}-byte llm.c header`, file);
    }
    const h = readExactly(fd, LLMC_HEADER_BYTES, 0, file, 'header');
    const magic = h.readInt32LE(0);
    if (magic !== LLMC_MAGIC)
        throw new DataError('BAD_MAGIC', `bad magic ${magic}, expected ${LLMC_MAGIC} (llm.c token shard)`, file);
    const version = h.readInt32LE(4);
    if (version !== LLMC_VERSION_U16) {
        throw new DataError('BAD_VERSION', `llm.c shard version ${version}; only version 1 (uint16 tokens) is read`, file);
    }
    const tokens = h.readInt32LE(8);
    if (tokens < 0)
        throw new DataError('BAD_HEADER', `negative token count ${tokens}`, file);
    return { format: 'llmc-bin', dtype: 'uint16', headerBytes: LLMC_HEADER_BYTES, tokens };
}
/** Parses the header dict of an .npy file (a Python literal) for the three keys we need. */
export function parseNpyHeaderText(text, file) {
    const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
    const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
    const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
    if (descr === undefined || fortran === undefined || shape === undefined) {
        throw new DataError('BAD_HEADER', `unreadable .npy header ${JSON.stringify(text.trim())}`, file);
    }
    let dtype;
    if (descr === '<u2')
        dtype = 'uint16';
    else if (descr === '<u4')
        dtype = 'uint32';
    else
        throw new DataError('BAD_DTYPE', `dtype '${descr}': token shards must be '<u2' (uint16) or '<u4' (uint32)`, file);
    if (fortran !== 'False')
        throw new DataError('BAD_HEADER', 'fortran_order is True; token shards must be C-order', file);
    const dims = shape.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (dims.length !== 1 || !/^\d+$/.test(dims[0])) {
        throw new DataError('BAD_HEADER', `shape (${shape}) is not 1-D; token shards are flat arrays`, file);
    }
    const length = Number(dims[0]);
    if (!Number.isSafeInteger(length))
        throw new DataError('BAD_HEADER', `shape ${dims[0]} too large`, file);
    return { dtype, length };
}
function parseNpyHeader(fd, fileBytes, file) {
    if (fileBytes < 10)
        throw new DataError('TRUNCATED', `file is ${fileBytes} bytes, shorter than an .npy preamble`, file);
    const pre = readExactly(fd, 12 <= fileBytes ? 12 : 10, 0, file, 'preamble');
    if (!pre.subarray(0, 6).equals(NPY_MAGIC))
        throw new DataError('BAD_MAGIC', 'bad magic: not an .npy file', file);
    const major = pre[6];
    let headerLen;
    let preamble;
    if (major === 1) {
        headerLen = pre.readUInt16LE(8);
        preamble = 10;
    }
    else if (major === 2 || major === 3) {
        if (pre.length < 12)
            throw new DataError('TRUNCATED', 'file ends inside the .npy preamble', file);
        headerLen = pre.readUInt32LE(8);
        preamble = 12;
    }
    else {
        throw new DataError('BAD_VERSION', `.npy format version ${major}.${pre[7]} is not read (1, 2 or 3)`, file);
    }
    if (preamble + headerLen > fileBytes)
        throw new DataError('TRUNCATED', 'file ends inside the .npy header', file);
    const text = readExactly(fd, headerLen, preamble, file, 'header').toString(major === 3 ? 'utf8' : 'latin1');
    const { dtype, length } = parseNpyHeaderText(text, file);
    return { format: 'npy', dtype, headerBytes: preamble + headerLen, tokens: length };
}
export function bytesPerToken(dtype) {
    return dtype === 'uint16' ? 2 : 4;
}
/** Reads a shard's layout and checks the file's size against it. */
export function readShardLayout(fd, path) {
    const file = path;
    const fileBytes = fstatSync(fd).size;
    const format = shardFormatOf(path);
    let layout;
    if (format === 'npy')
        layout = parseNpyHeader(fd, fileBytes, file);
    else if (format === 'llmc-bin')
        layout = parseLlmcHeader(fd, fileBytes, file);
    else
        throw new DataError('BAD_HEADER', 'unknown shard type (expected .bin or .npy)', file);
    const expected = layout.headerBytes + layout.tokens * bytesPerToken(layout.dtype);
    if (fileBytes < expected) {
        throw new DataError('TRUNCATED', `truncated: header says ${layout.tokens} tokens (${expected} bytes) but the file has ${fileBytes} bytes`, file);
    }
    if (fileBytes > expected) {
        throw new DataError('SIZE_MISMATCH', `header says ${layout.tokens} tokens (${expected} bytes) but the file has ${fileBytes} bytes`, file);
    }
    return { ...layout, fileBytes };
}
/** Random access to one shard's tokens. */
export class ShardReader {
    path;
    name;
    layout;
    fd;
    whole = null;
    /** `wholeLoadBytes`: load the shard into memory when its file is at most this big. */
    constructor(path, opts = {}) {
        this.path = path;
        this.name = basename(path);
        let fd;
        try {
            fd = openSync(path, 'r');
        }
        catch (err) {
            throw new DataError('NOT_FOUND', `cannot open shard: ${err.message}`, path);
        }
        try {
            this.layout = readShardLayout(fd, path);
            if (this.layout.fileBytes <= (opts.wholeLoadBytes ?? WHOLE_LOAD_BYTES)) {
                const n = this.layout.tokens;
                const arr = this.layout.dtype === 'uint16' ? new Uint16Array(n) : new Uint32Array(n);
                const bytes = new Uint8Array(arr.buffer);
                let got = 0;
                while (got < bytes.length) {
                    const r = readSync(fd, bytes, got, bytes.length - got, this.layout.headerBytes + got);
                    if (r === 0)
                        throw new DataError('TRUNCATED', 'file shrank while being read', path);
                    got += r;
                }
                if (!littleEndianHost)
                    byteSwapInPlace(arr);
                this.whole = arr;
                closeSync(fd);
                this.fd = null;
            }
            else {
                this.fd = fd;
            }
        }
        catch (err) {
            try {
                closeSync(fd);
            }
            catch { /* already closed */ }
            throw err;
        }
    }
    get tokens() {
        return this.layout.tokens;
    }
    /** Copies tokens [start, start+count) into out[outOffset...]. */
    read(start, count, out, outOffset = 0) {
        if (start < 0 || count < 0 || start + count > this.layout.tokens) {
            throw new DataError('RANGE', `tokens [${start}, ${start + count}) outside 0..${this.layout.tokens}`, this.path);
        }
        if (this.whole) {
            out.set(this.whole.subarray(start, start + count), outOffset);
            return;
        }
        if (this.fd === null)
            throw new DataError('RANGE', 'shard is closed', this.path);
        const bpt = bytesPerToken(this.layout.dtype);
        const buf = readExactly(this.fd, count * bpt, this.layout.headerBytes + start * bpt, this.path, 'token data');
        if (bpt === 2)
            for (let i = 0; i < count; i++)
                out[outOffset + i] = buf.readUInt16LE(2 * i);
        else
            for (let i = 0; i < count; i++)
                out[outOffset + i] = buf.readUInt32LE(4 * i);
    }
    close() {
        if (this.fd !== null)
            closeSync(this.fd);
        this.fd = null;
        this.whole = null;
    }
}
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function byteSwapInPlace(arr) {
    const v = new DataView(arr.buffer);
    if (arr instanceof Uint16Array)
        for (let i = 0; i < arr.length; i++)
            arr[i] = v.getUint16(2 * i, true);
    else
        for (let i = 0; i < arr.length; i++)
            arr[i] = v.getUint32(4 * i, true);
}
/** The 1024-byte llm.c header for a uint16 shard of `tokens` tokens. */
export function llmcHeader(tokens) {
    if (!Number.isInteger(tokens) || tokens < 0 || tokens > 0x7fffffff)
        throw new DataError('RANGE', `token count ${tokens} does not fit an llm.c header`);
    const h = Buffer.alloc(LLMC_HEADER_BYTES);
    h.writeInt32LE(LLMC_MAGIC, 0);
    h.writeInt32LE(LLMC_VERSION_U16, 4);
    h.writeInt32LE(tokens, 8);
    return h;
}
/** An .npy 1.0 header for a flat array, padded so the data starts 64-byte aligned. */
export function npyHeader(dtype, length) {
    const dict = `{'descr': '${dtype === 'uint16' ? '<u2' : '<u4'}', 'fortran_order': False, 'shape': (${length},), }`;
    const unpadded = 10 + dict.length + 1;
    const pad = (64 - (unpadded % 64)) % 64;
    const text = dict + ' '.repeat(pad) + '\n';
    const pre = Buffer.alloc(10);
    NPY_MAGIC.copy(pre, 0);
    pre[6] = 1;
    pre[7] = 0;
    pre.writeUInt16LE(text.length, 8);
    return Buffer.concat([pre, Buffer.from(text, 'latin1')]);
}
/** Encodes tokens as a complete shard file in the given format. */
export function encodeShard(tokens, format, dtype = 'uint16') {
    const n = tokens.length;
    if (format === 'llmc-bin' && dtype !== 'uint16')
        throw new DataError('RANGE', 'llm.c shards hold uint16 tokens');
    const header = format === 'llmc-bin' ? llmcHeader(n) : npyHeader(dtype, n);
    const bpt = bytesPerToken(dtype);
    const body = Buffer.alloc(n * bpt);
    const limit = dtype === 'uint16' ? 0xffff : 0xffffffff;
    for (let i = 0; i < n; i++) {
        const t = tokens[i];
        if (!Number.isInteger(t) || t < 0 || t > limit)
            throw new DataError('RANGE', `token ${t} at ${i} does not fit ${dtype}`);
        if (bpt === 2)
            body.writeUInt16LE(t, 2 * i);
        else
            body.writeUInt32LE(t, 4 * i);
    }
    return Buffer.concat([header, body]);
}
//# sourceMappingURL=shard.js.map