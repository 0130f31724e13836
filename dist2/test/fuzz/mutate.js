// Structure-aware mutation of valid inputs, shared by the fuzz CI test and
// `npm run bench -- fuzz`. Everything is driven by a small seeded PRNG whose state is
// derived from (seed, target name, case index) alone, so one case replays on its own:
// `npm run bench -- fuzz --target NAME --seed S --case I`.
//
// Mutators: generic byte-level ones (bit flips, byte insert/delete/overwrite, range
// duplication, splice of two valid inputs, truncation, extension, interesting
// integers written at field offsets) plus protobuf-aware ones (varint length edits,
// varint values, field duplication/removal/reordering, wire-type changes, unknown
// and deeply nested group fields) and JSON-aware ones for safetensors headers
// (number and string tokens, the u64 header length, duplicated keys).
/** sfc32 (Chris Doty-Humphrey's small fast counting PRNG): 32-bit ops only, the same on every machine. */
export class Rng {
    a;
    b;
    c;
    d;
    constructor(a, b, c, d) {
        this.a = a >>> 0;
        this.b = b >>> 0;
        this.c = c >>> 0;
        this.d = d >>> 0 || 1;
        for (let i = 0; i < 12; i++)
            this.u32();
    }
    u32() {
        const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
        this.d = (this.d + 1) >>> 0;
        this.a = this.b ^ (this.b >>> 9);
        this.b = (this.c + (this.c << 3)) >>> 0;
        this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
        this.c = (this.c + t) >>> 0;
        return t;
    }
    /** Uniform integer in [0, n), n <= 2^32. */
    int(n) {
        return n <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * n);
    }
    /** Integer in [lo, hi] inclusive. */
    range(lo, hi) {
        return lo + this.int(hi - lo + 1);
    }
    chance(p) {
        return this.u32() / 4294967296 < p;
    }
    pick(xs) {
        return xs[this.int(xs.length)];
    }
    bytes(n) {
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i++)
            b[i] = this.u32() & 0xff;
        return b;
    }
}
function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
}
export function fnv1a(s) {
    let h = 0x811c9dc5;
    const n = s.length;
    for (let i = 0; i < n; i++) {
        h ^= typeof s === 'string' ? s.charCodeAt(i) : s[i];
        h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
}
/** Seeds are u32 (a larger number is reduced mod 2^32). */
export function normalizeSeed(seed) {
    return Number(BigInt.asUintN(32, BigInt(seed)));
}
/** The PRNG of one case: a function of (seed, target, index) only. */
export function caseRng(seed, target, index) {
    const t = fnv1a(target);
    const lo = index >>> 0, hi = Math.floor(index / 4294967296) >>> 0;
    return new Rng(fmix32(seed ^ 0x9e3779b9), fmix32(t + lo), fmix32(seed + t + 0x632be5ab), fmix32(lo ^ hi ^ 0x85157af5));
}
// ---------------------------------------------------------------------------------
// Interesting values
// ---------------------------------------------------------------------------------
/** Integers that break length and offset arithmetic (as unsigned 64-bit patterns). */
export const INTERESTING_U64 = [
    0n, 1n, 2n, 7n, 8n, 31n, 32n, 33n, 127n, 128n, 255n, 256n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n,
    0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1fffffffffffffn /* 2^53-1 */, 0x20000000000000n /* 2^53 */,
    0x20000000000001n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn /* -1 */,
    0xfffffffffffffffen /* -2 */, 0xffffffff80000000n /* -2^31 */,
];
export function interestingU64(r, near) {
    if (near !== undefined && r.chance(0.3)) {
        const d = BigInt(r.pick([1, 2, 4, 8, 16, 32, 1024]));
        return BigInt.asUintN(64, r.chance(0.5) ? near + d : near - d);
    }
    return r.pick(INTERESTING_U64);
}
// ---------------------------------------------------------------------------------
// Varints
// ---------------------------------------------------------------------------------
export function encodeVarint(v, minBytes = 1) {
    const out = [];
    let x = BigInt.asUintN(64, v);
    do {
        let b = Number(x & 0x7fn);
        x >>= 7n;
        if (x !== 0n || out.length + 1 < minBytes)
            b |= 0x80;
        out.push(b);
    } while (x !== 0n || out.length < minBytes);
    return Uint8Array.from(out);
}
/** [value, byte length] of the varint at `at`, or undefined when it does not end within 10 bytes / the buffer. */
export function readVarint(b, at) {
    let v = 0n;
    for (let i = 0; i < 10 && at + i < b.length; i++) {
        const x = b[at + i];
        v |= BigInt(x & 0x7f) << BigInt(7 * i);
        if (x < 0x80)
            return [BigInt.asUintN(64, v), i + 1];
    }
    return undefined;
}
// ---------------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------------
export function concat(...parts) {
    let n = 0;
    for (const p of parts)
        n += p.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}
export function replaceRange(b, from, to, repl) {
    return concat(b.subarray(0, from), repl, b.subarray(to));
}
export function toHex(b) {
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
/** Writes v (two's complement) as `width` bytes, little- or big-endian. */
export function writeInt(b, at, width, v, bigEndian = false) {
    for (let i = 0; i < width && at + i < b.length; i++) {
        const shift = BigInt(8 * (bigEndian ? width - 1 - i : i));
        b[at + i] = Number((BigInt.asUintN(64, v) >> shift) & 0xffn);
    }
}
export function readUint(b, at, width) {
    let v = 0n;
    for (let i = 0; i < width && at + i < b.length; i++)
        v |= BigInt(b[at + i]) << BigInt(8 * i);
    return v;
}
function pos(r, b, inclusiveEnd = false) {
    return r.int(b.length + (inclusiveEnd ? 1 : 0));
}
/** Sizes skewed to small, sometimes large. */
function smallLen(r, max = 16) {
    return r.chance(0.85) ? r.range(1, max) : r.range(1, max * 16);
}
export const bitFlip = {
    name: 'bitflip', weight: 10,
    apply(b, { r }) {
        if (b.length === 0)
            return b;
        const out = b.slice();
        const n = r.chance(0.6) ? 1 : r.range(2, 8);
        for (let i = 0; i < n; i++)
            out[pos(r, out)] ^= 1 << r.int(8);
        return out;
    },
};
export const byteOverwrite = {
    name: 'overwrite', weight: 6,
    apply(b, { r }) {
        if (b.length === 0)
            return b;
        const out = b.slice();
        const at = pos(r, out), n = Math.min(smallLen(r), out.length - at);
        const fill = r.chance(0.3) ? r.pick([0x00, 0xff, 0x7f, 0x80, 0x20]) : -1;
        for (let i = 0; i < n; i++)
            out[at + i] = fill >= 0 ? fill : r.u32() & 0xff;
        return out;
    },
};
export const byteInsert = {
    name: 'insert', weight: 6,
    apply(b, { r, maxLen }) {
        const n = Math.min(smallLen(r), Math.max(0, maxLen - b.length));
        const ins = r.chance(0.4) ? new Uint8Array(n).fill(r.pick([0x00, 0xff, 0x80, 0x30, 0x22, 0x5b, 0x7b])) : r.bytes(n);
        const at = pos(r, b, true);
        return replaceRange(b, at, at, ins);
    },
};
export const byteDelete = {
    name: 'delete', weight: 6,
    apply(b, { r }) {
        if (b.length === 0)
            return b;
        const at = pos(r, b);
        const n = Math.min(r.chance(0.8) ? smallLen(r) : r.range(1, Math.max(1, b.length >> 2)), b.length - at);
        return replaceRange(b, at, at + n, new Uint8Array(0));
    },
};
export const duplicateRange = {
    name: 'dup-range', weight: 3,
    apply(b, { r, maxLen }) {
        if (b.length === 0)
            return b;
        const from = pos(r, b), n = Math.min(smallLen(r, 32), b.length - from, Math.max(0, maxLen - b.length));
        const copy = b.slice(from, from + n);
        const times = r.chance(0.8) ? 1 : r.range(2, 16);
        const parts = [];
        for (let i = 0; i < times; i++)
            parts.push(copy);
        const at = pos(r, b, true);
        return replaceRange(b, at, at, concat(...parts)).subarray(0, maxLen);
    },
};
export const splice = {
    name: 'splice', weight: 5,
    apply(b, { r, corpus, maxLen }) {
        const other = r.pick(corpus);
        const cutA = pos(r, b, true), cutB = pos(r, other, true);
        // Mostly at the same offset (same-format inputs line up field by field).
        const j = r.chance(0.6) ? Math.min(cutA, other.length) : cutB;
        return concat(b.subarray(0, cutA), other.subarray(j)).subarray(0, maxLen);
    },
};
export const truncate = {
    name: 'truncate', weight: 5,
    apply(b, { r }) {
        if (b.length === 0)
            return b;
        const keep = r.chance(0.5) ? b.length - r.range(1, Math.min(b.length, 8)) : r.int(b.length);
        return b.slice(0, keep);
    },
};
export const extend = {
    name: 'extend', weight: 4,
    apply(b, { r, corpus, maxLen }) {
        const room = Math.max(0, maxLen - b.length);
        const tail = r.chance(0.3) ? r.pick(corpus) : r.chance(0.5) ? r.bytes(smallLen(r, 64)) : new Uint8Array(smallLen(r, 64)).fill(r.pick([0, 0xff, 0x80]));
        return concat(b, tail.subarray(0, room));
    },
};
/** An interesting integer written at a known field (or anywhere), 1/2/4/8 bytes, LE or BE. */
export const interestingInt = {
    name: 'int', weight: 8,
    apply(b, { r, fields }) {
        if (b.length === 0)
            return b;
        const out = b.slice();
        const fs = fields?.(b) ?? [];
        if (fs.length > 0 && r.chance(0.8)) {
            const f = r.pick(fs);
            const cur = readUint(out, f.at, f.width);
            const v = f.length && r.chance(0.5) ? interestingU64(r, cur) : interestingU64(r);
            writeInt(out, f.at, f.width, v);
            return out;
        }
        const width = r.pick([1, 2, 4, 8]);
        writeInt(out, pos(r, out), width, interestingU64(r), r.chance(0.2));
        return out;
    },
};
export const randomBytes = {
    name: 'random', weight: 1,
    apply(b, { r, maxLen }) {
        return r.bytes(r.int(Math.min(maxLen, Math.max(16, b.length * 2))));
    },
};
export const GENERIC_MUTATORS = [
    bitFlip, byteOverwrite, byteInsert, byteDelete, duplicateRange, splice, truncate, extend, interestingInt, randomBytes,
];
/** Top-level fields of a protobuf message, or the longest well-formed prefix of them. */
export function scanProtobuf(b, from = 0, to = b.length) {
    const out = [];
    let at = from;
    while (at < to) {
        const tag = readVarint(b, at);
        if (!tag || tag[0] > 0xffffffffn)
            break;
        const fieldNo = Number(tag[0] >> 3n), wireType = Number(tag[0] & 7n);
        const vat = at + tag[1];
        if (wireType === 0) {
            const v = readVarint(b, vat);
            if (!v)
                break;
            out.push({ start: at, end: vat + v[1], fieldNo, wireType, tagLen: tag[1], varint: { at: vat, len: v[1], value: v[0] } });
            at = vat + v[1];
        }
        else if (wireType === 2) {
            const v = readVarint(b, vat);
            if (!v)
                break;
            const bodyStart = vat + v[1], bodyEnd = bodyStart + Number(v[0]);
            if (v[0] > BigInt(to - bodyStart))
                break;
            out.push({ start: at, end: bodyEnd, fieldNo, wireType, tagLen: tag[1], varint: { at: vat, len: v[1], value: v[0] }, body: { start: bodyStart, end: bodyEnd } });
            at = bodyEnd;
        }
        else if (wireType === 1 || wireType === 5) {
            const n = wireType === 1 ? 8 : 4;
            if (vat + n > to)
                break;
            out.push({ start: at, end: vat + n, fieldNo, wireType, tagLen: tag[1] });
            at = vat + n;
        }
        else {
            break;
        }
    }
    return out;
}
/** Fields of the message and of length-delimited fields that themselves parse as messages (one level). */
function scanNested(b) {
    const top = scanProtobuf(b);
    const all = [...top];
    for (const f of top) {
        if (f.body && f.body.end > f.body.start) {
            const inner = scanProtobuf(b, f.body.start, f.body.end);
            if (inner.length > 0 && inner[inner.length - 1].end === f.body.end)
                all.push(...inner);
        }
    }
    return all;
}
function tagBytes(fieldNo, wireType) {
    return encodeVarint((BigInt(fieldNo) << 3n) | BigInt(wireType));
}
export const pbLength = {
    name: 'pb-length', weight: 8,
    apply(b, { r }) {
        const fs = scanNested(b).filter((f) => f.wireType === 2);
        if (fs.length === 0)
            return bitFlip.apply(b, { r, corpus: [], maxLen: b.length });
        const f = r.pick(fs);
        const cur = f.varint.value;
        const v = r.chance(0.5) ? interestingU64(r, cur) : BigInt.asUintN(64, cur + BigInt(r.range(-3, 3)));
        const minBytes = r.chance(0.15) ? r.range(1, 10) : 1; // sometimes a non-minimal encoding
        return replaceRange(b, f.varint.at, f.varint.at + f.varint.len, encodeVarint(v, minBytes));
    },
};
export const pbVarint = {
    name: 'pb-varint', weight: 8,
    apply(b, { r }) {
        const fs = scanNested(b).filter((f) => f.wireType === 0);
        if (fs.length === 0)
            return interestingInt.apply(b, { r, corpus: [], maxLen: b.length });
        const f = r.pick(fs);
        const v = interestingU64(r, f.varint.value);
        const minBytes = r.chance(0.15) ? r.range(1, 10) : 1;
        return replaceRange(b, f.varint.at, f.varint.at + f.varint.len, encodeVarint(v, minBytes));
    },
};
export const pbDuplicate = {
    name: 'pb-dup', weight: 5,
    apply(b, { r, maxLen }) {
        const fs = scanNested(b);
        if (fs.length === 0)
            return b;
        const f = r.pick(fs);
        const copy = b.slice(f.start, f.end);
        const times = r.chance(0.8) ? 1 : r.range(2, 64);
        const parts = [];
        for (let i = 0; i < times; i++)
            parts.push(copy);
        const at = r.chance(0.5) ? f.end : r.pick([0, b.length, f.start]);
        return replaceRange(b, at, at, concat(...parts)).subarray(0, maxLen);
    },
};
export const pbDrop = {
    name: 'pb-drop', weight: 4,
    apply(b, { r }) {
        const fs = scanNested(b);
        if (fs.length === 0)
            return b;
        const f = r.pick(fs);
        return replaceRange(b, f.start, f.end, new Uint8Array(0));
    },
};
export const pbShuffle = {
    name: 'pb-shuffle', weight: 2,
    apply(b, { r }) {
        const fs = scanProtobuf(b);
        if (fs.length < 2)
            return b;
        const parts = fs.map((f) => b.subarray(f.start, f.end));
        for (let i = parts.length - 1; i > 0; i--) {
            const j = r.int(i + 1);
            [parts[i], parts[j]] = [parts[j], parts[i]];
        }
        return concat(...parts, b.subarray(fs[fs.length - 1].end));
    },
};
export const pbWireType = {
    name: 'pb-wiretype', weight: 4,
    apply(b, { r }) {
        const fs = scanNested(b);
        if (fs.length === 0)
            return b;
        const f = r.pick(fs);
        return replaceRange(b, f.start, f.start + f.tagLen, tagBytes(f.fieldNo, r.int(8)));
    },
};
/** A field this schema does not know (each wire type, groups nested deep, field numbers 0 and 2^29-1). */
export const pbUnknown = {
    name: 'pb-unknown', weight: 4,
    apply(b, { r, maxLen }) {
        const fs = scanProtobuf(b);
        const at = fs.length > 0 && r.chance(0.7) ? r.pick(fs).end : r.chance(0.5) ? 0 : b.length;
        const fieldNo = r.pick([0, 9, 15, 16, 100, 2047, 0x1fffffff]);
        let field;
        const kind = r.int(6);
        if (kind === 0)
            field = concat(tagBytes(fieldNo, 0), encodeVarint(interestingU64(r)));
        else if (kind === 1)
            field = concat(tagBytes(fieldNo, 1), r.bytes(8));
        else if (kind === 2)
            field = concat(tagBytes(fieldNo, 2), encodeVarint(BigInt(r.int(8))), r.bytes(r.int(8)));
        else if (kind === 3)
            field = concat(tagBytes(fieldNo, 5), r.bytes(4));
        else if (kind === 4) {
            // start-group ... end-group, nested `depth` times (skipType recurses on groups)
            const depth = r.chance(0.7) ? r.range(1, 8) : r.range(100, 20000);
            const open = tagBytes(fieldNo || 1, 3), close = tagBytes(fieldNo || 1, 4);
            const parts = [];
            for (let i = 0; i < depth; i++)
                parts.push(open);
            if (r.chance(0.8))
                for (let i = 0; i < depth; i++)
                    parts.push(close);
            field = concat(...parts);
        }
        else
            field = tagBytes(fieldNo, r.pick([3, 4, 6, 7]));
        return replaceRange(b, at, at, field).subarray(0, maxLen);
    },
};
export const PROTOBUF_MUTATORS = [pbLength, pbVarint, pbDuplicate, pbDrop, pbShuffle, pbWireType, pbUnknown];
// ---------------------------------------------------------------------------------
// safetensors: u64 header length + UTF-8 JSON header
// ---------------------------------------------------------------------------------
function stHeader(b) {
    if (b.length < 8)
        return undefined;
    const n = Number(readUint(b, 0, 8));
    if (!Number.isSafeInteger(n) || n < 2 || 8 + n > b.length)
        return undefined;
    return { n, text: Buffer.from(b.subarray(8, 8 + n)).toString('latin1') };
}
/** Replaces the header text, fixing the length prefix (mostly) so the deeper checks run. */
function withHeaderText(b, n, text, r) {
    const head = Buffer.from(text, 'latin1');
    const out = concat(new Uint8Array(8), head, b.subarray(8 + n));
    writeInt(out, 0, 8, BigInt(r.chance(0.9) ? head.length : n));
    return out;
}
const NUMBER_TOKENS = [
    '0', '-1', '1', '2', '-0', '1.5', '0.1e1', '1e3', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967295',
    '4294967296', '9007199254740991', '9007199254740992', '9007199254740993', '18446744073709551615', '18446744073709551616',
    '1e308', '1e309', '-1e309', '5e-324', '100000000', '1000000000', '1e15', '1e21', '[]', 'null', 'true', '"1"', '{}',
];
const STRING_TOKENS = [
    '', '__proto__', '__metadata__', 'constructor', 'toString', 'F64', 'F32', 'F16', 'BF16', 'I8', 'U8', 'f32', 'dtype',
    'shape', 'data_offsets', 'gradmesh-checkpoint/2', 'pt', '\\u0000', '\\ud800', '\\"', 'é', 'x'.repeat(300),
];
export const stNumber = {
    name: 'st-number', weight: 10,
    apply(b, { r }) {
        const h = stHeader(b);
        if (!h)
            return interestingInt.apply(b, { r, corpus: [], maxLen: b.length });
        const re = /-?\d+(\.\d+)?([eE][+-]?\d+)?/g;
        const spans = [];
        for (let m = re.exec(h.text); m; m = re.exec(h.text))
            spans.push([m.index, m.index + m[0].length]);
        if (spans.length === 0)
            return b;
        const [s, e] = r.pick(spans);
        const cur = h.text.slice(s, e);
        const tok = r.chance(0.3) && /^\d+$/.test(cur)
            ? String(BigInt(cur) + BigInt(r.pick([-8, -4, -2, -1, 1, 2, 4, 8, 1024])))
            : r.pick(NUMBER_TOKENS);
        return withHeaderText(b, h.n, h.text.slice(0, s) + tok + h.text.slice(e), r);
    },
};
export const stString = {
    name: 'st-string', weight: 6,
    apply(b, { r }) {
        const h = stHeader(b);
        if (!h)
            return b;
        const re = /"((?:[^"\\]|\\.)*)"/g;
        const spans = [];
        for (let m = re.exec(h.text); m; m = re.exec(h.text))
            spans.push([m.index + 1, m.index + m[0].length - 1]);
        if (spans.length === 0)
            return b;
        const [s, e] = r.pick(spans);
        const tok = r.chance(0.2) ? Buffer.from(r.bytes(r.range(1, 4))).toString('latin1').replace(/["\\]/g, 'x') : r.pick(STRING_TOKENS);
        return withHeaderText(b, h.n, h.text.slice(0, s) + tok + h.text.slice(e), r);
    },
};
/** Duplicates, drops or swaps `"key": value` members of the top-level header object. */
export const stMember = {
    name: 'st-member', weight: 5,
    apply(b, { r }) {
        const h = stHeader(b);
        if (!h)
            return b;
        let obj;
        try {
            obj = JSON.parse(h.text);
        }
        catch {
            return b;
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
            return b;
        const members = Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        if (members.length === 0)
            return b;
        const op = r.int(5);
        const i = r.int(members.length), j = r.int(members.length);
        if (op === 0)
            members.splice(i, 0, members[j]); // a duplicated key (JSON.parse keeps the last)
        else if (op === 1)
            members.splice(i, 1);
        else if (op === 2)
            [members[i], members[j]] = [members[j], members[i]];
        else if (op === 3) {
            // swap the data_offsets of two tensors
            const ki = Object.keys(obj)[i], kj = Object.keys(obj)[j];
            const ti = obj[ki], tj = obj[kj];
            if (ti && tj && typeof ti === 'object' && typeof tj === 'object' && 'data_offsets' in ti && 'data_offsets' in tj) {
                [ti.data_offsets, tj.data_offsets] = [tj.data_offsets, ti.data_offsets];
                return withHeaderText(b, h.n, JSON.stringify(obj), r);
            }
            return b;
        }
        else {
            // an extra field in a member, or a member of another type
            const extra = r.pick(['"x":1', '"dtype":"F32"', '"shape":[]', '"data_offsets":[0,0]', '"__proto__":{}']);
            const m = members[i];
            members[i] = m.endsWith('}') ? `${m.slice(0, -1)}${m.endsWith('{}') ? '' : ','}${extra}}` : `${m.split(':')[0]}:[${extra.split(':')[1]}]`;
        }
        return withHeaderText(b, h.n, `{${members.join(',')}}`, r);
    },
};
export const stHeaderLength = {
    name: 'st-hlen', weight: 5,
    apply(b, { r }) {
        if (b.length < 8)
            return b;
        const out = b.slice();
        const cur = readUint(out, 0, 8);
        const v = r.chance(0.3)
            ? r.pick([BigInt(b.length), BigInt(b.length - 8), BigInt(b.length - 7), 100000000n, 100000001n])
            : interestingU64(r, cur);
        writeInt(out, 0, 8, v);
        return out;
    },
};
export const SAFETENSORS_MUTATORS = [stNumber, stString, stMember, stHeaderLength];
/**
 * Input `index` of a target: usually 1-4 stacked mutations of a valid input; 1 in 64
 * is an unmodified valid input (so the accept path and its round trip keep running).
 */
export function generateCase(seed, target, index, corpus, mutators, maxLen, fields) {
    const r = caseRng(seed, target, index);
    const base = r.pick(corpus);
    if (r.int(64) === 0)
        return { input: base.slice(), ops: ['valid'] };
    const cx = { r, corpus, fields, maxLen };
    const total = mutators.reduce((a, m) => a + m.weight, 0);
    const stack = r.chance(0.5) ? 1 : r.chance(0.6) ? 2 : r.range(3, 4);
    let b = base;
    const ops = [];
    for (let i = 0; i < stack; i++) {
        let w = r.int(total);
        let m = mutators[0];
        for (const x of mutators) {
            if (w < x.weight) {
                m = x;
                break;
            }
            w -= x.weight;
        }
        b = m.apply(b, cx);
        ops.push(m.name);
    }
    return { input: b.length > maxLen ? b.slice(0, maxLen) : b === base ? base.slice() : b, ops };
}
//# sourceMappingURL=mutate.js.map