// The fuzz targets: every decoder that reads bytes from a peer, each with valid
// inputs to mutate, its documented refusal, and the properties checked on what it
// accepts. Shared by test/fuzz/fuzz.test.ts (a few thousand inputs per target) and
// bench/fuzz.ts (100k+).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { StreamMessageEvent } from '@libp2p/interface';
import { decodeAndCheck, encodeMessage, TOPIC_MAX_BYTES, TOPICS } from '../../src/p2p/messages.js';
import { BlobRequest, BlobResponse, CheckpointAnnouncement, GradAnnouncement, Manifest, ManifestEntry, NodeStatus, } from '../../src/p2p/proto/messages.js';
import { blobServer } from '../../src/p2p/blob-protocol.js';
import { ContentStore } from '../../src/p2p/content-store.js';
import { chunking, compressWithFeedback, decodePayload, encodePayload, HEADER_BYTES, modelShapeHash, PayloadError, } from '../../src/train/compress/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { CheckpointError, decodeCheckpoint, decodeCheckpointFile, encodeCheckpoint, encodeSafetensors, peekCheckpointFile, readSafetensors, tensorFloat32, } from '../../src/train/checkpoint/index.js';
import { canonicalModelConfig, parameterLayout } from '../../src/train/model-config.js';
import { awkwardLayout, layoutSize, testVector } from '../compress/helpers.js';
import { checkDecodedPayload } from '../compress/fuzz.js';
import { concat, encodeVarint, GENERIC_MUTATORS, PROTOBUF_MUTATORS, readUint, SAFETENSORS_MUTATORS, } from './mutate.js';
import { PropertyViolation } from './runner.js';
const ok = { accepted: true };
const no = (reason) => ({ accepted: false, reason });
function must(cond, what) {
    if (!cond)
        throw new PropertyViolation(what);
}
function bytesOf(fill, n = 32) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++)
        b[i] = (fill * 31 + i * 7) & 0xff;
    return b;
}
const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());
/**
 * The message with its strings made well-formed. protons' UTF-8 reader accepts the
 * (invalid) 3-byte encoding of a surrogate, e.g. ed ba b4, and returns lone surrogates,
 * which its writer does not always reproduce (two in a row come back as U+FFFD U+FFFD):
 * string fields round-trip up to ill-formed UTF-16 only.
 */
function wellFormed(m) {
    if (typeof m !== 'object' || m === null)
        return m;
    const out = { ...m };
    for (const [k, v] of Object.entries(out))
        if (typeof v === 'string')
            out[k] = v.toWellFormed();
    return out;
}
// ---------------------------------------------------------------------------------
// Gossip topics: decodeAndCheck never throws; what it accepts re-encodes to a message
// it accepts again, unchanged, and the canonical encoding is a fixed point.
// ---------------------------------------------------------------------------------
export const RUN_HASH = bytesOf(0xab);
const GOSSIP_CTX = { runHash: RUN_HASH, maxBlobBytes: 1 << 20 };
const U64_MAX = 2n ** 64n - 1n;
function gossipCorpus(topic) {
    const base = { version: 1, runHash: RUN_HASH };
    switch (topic) {
        case 'grad': {
            const plain = [
                { ...base, window: 7n, uid: 3, digest: bytesOf(1), size: 100n, baseThetaHash: bytesOf(2), announcedAtMs: 1700000000000n },
                { ...base, window: U64_MAX, uid: 0xffffffff, digest: bytesOf(3), size: 1n << 20n, baseThetaHash: bytesOf(4), announcedAtMs: U64_MAX },
                { ...base, window: 0n, uid: 0, digest: bytesOf(5), size: 1n, baseThetaHash: bytesOf(6), announcedAtMs: 0n },
            ];
            const inl = [1, 37, 600].map((n, i) => {
                const inline = bytesOf(40 + i, n);
                return { ...base, window: BigInt(9 + i), uid: 5 + i, digest: sha256(inline), size: BigInt(n), baseThetaHash: bytesOf(7), inline, announcedAtMs: 5n };
            });
            return [...plain, ...inl];
        }
        case 'manifest':
            return [0, 1, 3, 12].map((n, i) => ({
                ...base, window: BigInt(100 + i), validatorUid: i,
                entries: Array.from({ length: n }, (_, j) => ({ uid: j * 1000 + i, digest: bytesOf(j) })),
                nextThetaHash: bytesOf(9), issuedAtMs: 1700000000000n + BigInt(i),
                prevDigest: i % 2 === 0 ? new Uint8Array(0) : bytesOf(10),
            }));
        case 'checkpoint':
            return [1n, 1234567n, U64_MAX].map((size, i) => ({
                ...base, window: BigInt(i * 1000), digest: bytesOf(20 + i), size, thetaHash: bytesOf(30 + i),
            }));
        case 'status':
            return ['', 'miner', 'validator', 'é'.repeat(32)].map((role, i) => ({
                ...base, uid: i, role, window: BigInt(i), thetaHash: i % 2 === 0 ? new Uint8Array(0) : bytesOf(11),
                peerCount: i * 7, sentAtMs: 1700000000000n,
            }));
    }
}
function gossipTarget(topic) {
    return {
        name: `gossip.${topic}`,
        about: `decodeAndCheck('${topic}'): never throws; refusal = {ok:false, rejection}`,
        corpus: gossipCorpus(topic).map((m) => encodeMessage(topic, m)),
        mutators: [...PROTOBUF_MUTATORS, ...GENERIC_MUTATORS],
        maxLen: TOPIC_MAX_BYTES[topic] + 16,
        run(input) {
            const r = decodeAndCheck(topic, input, GOSSIP_CTX); // any throw is a crash: it is documented never to throw
            if (!r.ok) {
                must(r.rejection.action === 'reject' || r.rejection.action === 'ignore', `bad rejection action ${String(r.rejection.action)}`);
                must(typeof r.rejection.reason === 'string' && r.rejection.reason.length > 0, 'rejection without a reason');
                return no(`${r.rejection.action}: ${r.rejection.reason.startsWith('malformed') ? r.rejection.reason.split(':').slice(0, 2).join(':') : r.rejection.reason}`);
            }
            const again = encodeMessage(topic, r.msg);
            const r2 = decodeAndCheck(topic, again, GOSSIP_CTX);
            must(r2.ok, `accepted message re-encodes to one that is refused (${r2.ok ? '' : r2.rejection.reason})`);
            must(r2.ok && isDeepStrictEqual(wellFormed(r2.msg), wellFormed(r.msg)), 'accepted message does not round-trip through its encoding');
            must(r2.ok && Buffer.compare(encodeMessage(topic, r2.msg), again) === 0, 'canonical encoding is not a fixed point');
            return ok;
        },
    };
}
/** Errors that mean a bug in the decoder rather than bad input. */
function isBugError(e) {
    return !(e instanceof Error) || e instanceof TypeError || e instanceof ReferenceError || e instanceof SyntaxError;
}
function protoTarget(name, codec, corpus) {
    return {
        name: `proto.${name}`,
        about: `${name}.decode (protons): refusal = Error from the reader`,
        corpus: corpus.map((m) => codec.encode(m)),
        mutators: [...PROTOBUF_MUTATORS, ...GENERIC_MUTATORS],
        maxLen: 4096,
        run(input) {
            let m;
            try {
                m = codec.decode(input);
            }
            catch (e) {
                if (isBugError(e))
                    throw e;
                const err = e;
                return no(`${err.name}: ${err.message}`);
            }
            let again, m2;
            try {
                again = codec.encode(m);
                m2 = codec.decode(again);
            }
            catch (e) {
                throw new PropertyViolation(`decoded message does not re-encode and decode: ${e.message}`);
            }
            must(isDeepStrictEqual(wellFormed(m2), wellFormed(m)), 'decoded message does not round-trip through its encoding');
            must(Buffer.compare(codec.encode(m2), again) === 0, 'canonical encoding is not a fixed point');
            return ok;
        },
    };
}
function protoTargets() {
    const c = Object.fromEntries(TOPICS.map((t) => [t, gossipCorpus(t)]));
    const entries = [{ uid: 0, digest: bytesOf(1) }, { uid: 0xffffffff, digest: bytesOf(2) }, { uid: 7, digest: new Uint8Array(0) }];
    const requests = [
        { version: 1, digest: bytesOf(3), offset: 0n, length: 0n },
        { version: 1, digest: bytesOf(4), offset: 12345n, length: 1n << 20n },
        { version: 2, digest: bytesOf(5), offset: U64_MAX, length: U64_MAX },
    ];
    const S = BlobResponse.Status;
    const responses = [S.OK, S.NOT_FOUND, S.BAD_REQUEST, S.BUSY, S.TOO_LARGE].map((status, i) => ({
        version: 1, status, totalSize: BigInt(i * 1000), offset: BigInt(i), length: BigInt(i * 10),
    }));
    return [
        protoTarget('GradAnnouncement', GradAnnouncement, c.grad),
        protoTarget('ManifestEntry', ManifestEntry, entries),
        protoTarget('Manifest', Manifest, c.manifest),
        protoTarget('CheckpointAnnouncement', CheckpointAnnouncement, c.checkpoint),
        protoTarget('NodeStatus', NodeStatus, c.status),
        protoTarget('BlobRequest', BlobRequest, requests),
        protoTarget('BlobResponse', BlobResponse, responses),
    ];
}
// ---------------------------------------------------------------------------------
// Gradient payloads: decodePayload throws PayloadError and nothing else; an accepted
// payload decompresses to finite values and re-encodes to a payload that decodes to
// the same header and arrays.
// ---------------------------------------------------------------------------------
function payloadFields(layout) {
    return (b) => {
        const f = [
            { at: 4, width: 2 }, { at: 6, width: 1 }, { at: 7, width: 1 }, { at: 8, width: 2, length: true }, { at: 10, width: 2, length: true },
            { at: 12, width: 4, length: true }, { at: 16, width: 8 }, { at: 24, width: 4 }, { at: 28, width: 4 },
        ];
        if (b.length < HEADER_BYTES)
            return f.filter((x) => x.at + x.width <= b.length);
        const chunk = Number(readUint(b, 8, 2)), k = Number(readUint(b, 10, 2)), demo = (b[6] & 1) === 1;
        let geo;
        try {
            geo = chunking(layout, { chunk, k, demo });
        }
        catch {
            return f;
        }
        let p = HEADER_BYTES;
        for (const t of geo) {
            if (p + 48 > b.length)
                break;
            f.push({ at: p, width: 4 }, { at: p + 4, width: 2, length: true }, { at: p + 6, width: 2, length: true }, { at: p + 8, width: 4, length: true }, { at: p + 12, width: 4, length: true }, { at: p + 16, width: 2, length: true }, { at: p + 18, width: 1 }, { at: p + 19, width: 1 }, { at: p + 20, width: 4 }, { at: p + 24, width: 4 }, { at: p + 28, width: 4 }, { at: p + 44, width: 4, length: true });
            p += 48 + Number(readUint(b, p + 44, 4)) + Math.ceil(t.values / 4);
        }
        return f;
    };
}
function payloadTarget() {
    const layout = awkwardLayout();
    const n = layoutSize(layout);
    const opts = [{ chunk: 64, k: 8, demo: false }, { chunk: 16, k: 6, demo: true }, { chunk: 128, k: 2, demo: false }, { chunk: 4, k: 16, demo: false }];
    const corpus = opts.map((o, i) => encodePayload({ version: 1, runHash: bytesOf(i), window: 2 ** 53 - 1 - i, uid: 0xffffffff - i, modelShapeHash: modelShapeHash(layout), baseThetaHash: bytesOf(100 + i) }, compressWithFeedback(new Float32Array(n), testVector(n, i + 1), layout, 1, o)));
    const out = new Float32Array(n);
    return {
        name: 'payload',
        about: 'decodePayload (wire format v1, native records): refusal = PayloadError',
        corpus,
        mutators: GENERIC_MUTATORS,
        maxLen: 1 << 20,
        fields: payloadFields(layout),
        run(input) {
            let p;
            try {
                p = decodePayload(input, layout);
            }
            catch (e) {
                if (e instanceof PayloadError)
                    return no(e.code);
                throw e;
            }
            try {
                checkDecodedPayload(p, layout, out);
            }
            catch (e) {
                throw new PropertyViolation(`accepted payload: ${e.message}`);
            }
            let again;
            try {
                again = encodePayload(p.header, p);
            }
            catch (e) {
                throw new PropertyViolation(`accepted payload cannot be re-encoded: ${e.message}`);
            }
            const q = decodePayload(again, layout);
            must(isDeepStrictEqual(q.header, p.header) && isDeepStrictEqual(q.options, p.options), 'header does not round-trip');
            must(isDeepStrictEqual(q.quant, p.quant) && isDeepStrictEqual(q.indices, p.indices) && isDeepStrictEqual(q.codes, p.codes), 'records do not round-trip');
            return ok;
        },
    };
}
// ---------------------------------------------------------------------------------
// Checkpoints and safetensors: CheckpointError and nothing else; what is accepted
// re-encodes and decodes to the same parameters and identity; the file reader and
// the in-memory reader agree on every input.
// ---------------------------------------------------------------------------------
export const FUZZ_MODEL = {
    name: 'fuzz', vocab_size: 8, hidden_size: 4, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2,
    num_key_value_heads: 1, max_position_embeddings: 8, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: false,
};
function params(model, seed) {
    const layout = parameterLayout(model);
    const n = layoutSize(layout);
    const v = testVector(n, seed);
    if (seed === 3)
        v.fill(0);
    if (seed === 4)
        v[0] = -0;
    return v;
}
export function checkpointCorpus() {
    const layout = parameterLayout(FUZZ_MODEL);
    return [1, 2, 3, 4].map((s) => {
        const p = params(FUZZ_MODEL, s);
        const meta = { window: s === 2 ? 2 ** 53 - 1 : s, thetaHash: thetaHash(p), runHash: 'a'.repeat(64), manifestDigest: (s % 2 ? '0' : 'f').repeat(64) };
        return encodeCheckpoint({ params: p, layout, model: { ...FUZZ_MODEL, name: s === 4 ? 'ü"\\' : 'fuzz' }, meta });
    });
}
function checkpointTarget() {
    const layout = parameterLayout(FUZZ_MODEL);
    return {
        name: 'checkpoint',
        about: 'decodeCheckpoint (safetensors + metadata + thetaHash): refusal = CheckpointError',
        corpus: checkpointCorpus(),
        mutators: [...SAFETENSORS_MUTATORS, ...GENERIC_MUTATORS],
        maxLen: 1 << 16,
        fields: () => [{ at: 0, width: 8, length: true }],
        run(input) {
            let d;
            try {
                d = decodeCheckpoint(input, { layout, runHash: 'a'.repeat(64) });
            }
            catch (e) {
                if (e instanceof CheckpointError)
                    return no(e.code);
                throw e;
            }
            must(thetaHash(d.params) === d.meta.thetaHash, 'accepted parameters do not hash to the thetaHash');
            let again;
            try {
                again = encodeCheckpoint({ params: d.params, layout, model: d.meta.model, meta: d.meta });
            }
            catch (e) {
                throw new PropertyViolation(`accepted checkpoint cannot be re-encoded: ${e.message}`);
            }
            const d2 = decodeCheckpoint(again, { layout });
            // validateModelConfig keeps keys it does not know; the encoder writes the canonical config
            const canonical = (m) => ({ ...m, model: canonicalModelConfig(m.model) });
            must(isDeepStrictEqual(canonical(d2.meta), canonical(d.meta)) && isDeepStrictEqual(d2.params, d.params), 'checkpoint does not round-trip');
            return ok;
        },
    };
}
function checkpointFileTarget() {
    const layout = parameterLayout(FUZZ_MODEL);
    // one file rewritten per input: in memory where there is a tmpfs
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'gm-fuzz-ckpt-'));
    const path = join(dir, 'input.safetensors');
    const codeOf = (fn) => {
        try {
            fn();
            return 'accepted';
        }
        catch (e) {
            if (e instanceof CheckpointError)
                return e.code;
            throw e;
        }
    };
    return {
        name: 'checkpoint.file',
        about: 'decodeCheckpointFile + peekCheckpointFile (SafetensorsFileReader): refusal = CheckpointError, same as in memory',
        corpus: checkpointCorpus(),
        mutators: [...SAFETENSORS_MUTATORS, ...GENERIC_MUTATORS],
        maxLen: 1 << 16,
        fields: () => [{ at: 0, width: 8, length: true }],
        run(input) {
            writeFileSync(path, input);
            const expect = { layout, runHash: 'a'.repeat(64) };
            const file = codeOf(() => decodeCheckpointFile(path, expect));
            const mem = codeOf(() => decodeCheckpoint(input, expect));
            must(file === mem, `the file reader says ${file}, the in-memory reader ${mem}`);
            const peek = codeOf(() => peekCheckpointFile(path));
            // peek reads the header and metadata only: it fails exactly when decoding fails there
            if (peek !== 'accepted')
                must(peek === file, `peekCheckpointFile says ${peek}, decodeCheckpointFile ${file}`);
            if (file === 'accepted') {
                must(peek === 'accepted', 'peek refuses a checkpoint that decodes');
                must(isDeepStrictEqual(peekCheckpointFile(path), decodeCheckpointFile(path, expect).meta), 'peek and decode disagree on the metadata');
                return ok;
            }
            return no(file);
        },
        close() {
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
function rawSafetensors(entries, metadata, pad = 0) {
    const header = {};
    if (metadata)
        header.__metadata__ = metadata;
    let at = 0;
    for (const e of entries) {
        header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + e.bytes.length] };
        at += e.bytes.length;
    }
    const json = Buffer.from(JSON.stringify(header) + ' '.repeat(pad));
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
    return concat(len, json, ...entries.map((e) => e.bytes));
}
function safetensorsTarget() {
    const corpus = [
        encodeSafetensors([{ name: 'a', shape: [2, 3], data: Float32Array.of(1, 2, 3, -4, 5.5, 1e-30) }, { name: 'b.weight', shape: [0], data: new Float32Array(0) }], { k: 'v' }),
        encodeSafetensors([]),
        rawSafetensors([
            { name: 'h', dtype: 'F16', shape: [4], bytes: Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00) },
            { name: 'bf', dtype: 'BF16', shape: [2, 1], bytes: Uint8Array.of(0x80, 0x3f, 0x80, 0xff) },
            { name: 'f', dtype: 'F32', shape: [], bytes: Uint8Array.of(0, 0, 0x80, 0x7f) },
        ], { format: 'pt' }, 3),
        rawSafetensors([{ name: 's', dtype: 'F32', shape: [1, 1, 1, 2], bytes: new Uint8Array(8) }]),
    ];
    return {
        name: 'safetensors',
        about: 'readSafetensors + tensorFloat32 of every tensor: refusal = CheckpointError',
        corpus,
        mutators: [...SAFETENSORS_MUTATORS, ...GENERIC_MUTATORS],
        maxLen: 1 << 16,
        fields: () => [{ at: 0, width: 8, length: true }],
        run(input) {
            let view;
            const floats = [];
            try {
                view = readSafetensors(input);
                for (const t of view.header.tensors)
                    floats.push(tensorFloat32(view, t.name));
            }
            catch (e) {
                if (e instanceof CheckpointError)
                    return no(e.code);
                throw e;
            }
            // Independent check of the layout invariant the reader promises: tensors tile the data exactly.
            let at = 0;
            for (const t of view.header.tensors) {
                must(t.begin === at && t.end >= t.begin, `tensor ${t.name} does not continue the tiling`);
                at = t.end;
            }
            must(at === view.data.length && view.header.dataStart + view.data.length === input.length, 'tensors do not cover the data section exactly');
            view.header.tensors.forEach((t, i) => must(floats[i].length === t.shape.reduce((a, b) => a * b, 1), `tensor ${t.name} decodes to the wrong length`));
            if (view.header.tensors.every((t) => t.dtype === 'F32')) {
                const again = encodeSafetensors(view.header.tensors.map((t, i) => ({ name: t.name, shape: t.shape, data: floats[i] })), view.header.metadata);
                const v2 = readSafetensors(again);
                // compared as JSON: a header may spell 0 as -0 (the same integer to the reader)
                const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
                must(same(v2.header.tensors, view.header.tensors) && same(v2.header.metadata, view.header.metadata), 'header does not round-trip');
                must(Buffer.compare(v2.data, view.data) === 0, 'data does not round-trip');
            }
            return ok;
        },
    };
}
// ---------------------------------------------------------------------------------
// Blob protocol request parser: the server handler, fed the raw bytes a client sends
// (varint length + BlobRequest + anything) over an in-memory stream. It must answer
// with one well-formed BlobResponse, serve exactly the right bytes when it says OK,
// and never reach its error path (onError) on a stream that behaves.
// ---------------------------------------------------------------------------------
/** A Stream double with just what lpStream and the blob server use. */
class FakeStream extends EventTarget {
    log = Object.assign((..._a) => { }, { error: (..._a) => { }, trace: (..._a) => { }, enabled: false });
    remoteWriteStatus = 'writable';
    readBufferLength = 0;
    status = 'open';
    written = [];
    aborted;
    send(data) {
        this.written.push(data.subarray());
        return true;
    }
    push() { }
    unshift() { }
    async closeRead() { }
    async close() { this.status = 'closed'; }
    abort(err) { this.aborted = err; this.status = 'aborted'; }
    async onDrain() { }
    /** The client's bytes, in up to three messages (cut where a hash of the input says), then its end of stream. */
    deliver(input) {
        let h = 0x811c9dc5;
        for (let i = 0; i < input.length; i++)
            h = Math.imul(h ^ input[i], 0x01000193);
        const cuts = [...new Set([(h >>> 0) % (input.length + 1), (h >>> 12) % (input.length + 1)])].sort((a, b) => a - b);
        let at = 0;
        for (const c of [...cuts, input.length]) {
            if (c > at)
                this.dispatchEvent(new StreamMessageEvent(input.subarray(at, c)));
            at = c;
        }
        this.remoteWriteStatus = 'closed';
        this.dispatchEvent(new Event('remoteCloseWrite'));
    }
}
const MAX_REQUEST_BYTES = 128; // blob-protocol.ts MAX_HEADER_BYTES
const BLOB_MAX_RESPONSE = 4096;
/** What the client's bytes say, read independently of lpStream: the request, or why there is none. */
function parseFramed(input) {
    let len = 0, n = 0;
    for (;;) {
        if (n >= input.length || n >= 2)
            return undefined; // no complete length, or a length of more than 2 bytes (128 needs 2)
        const x = input[n];
        len |= (x & 0x7f) << (7 * n);
        n++;
        if (x < 0x80)
            break;
    }
    if (len > MAX_REQUEST_BYTES || n + len > input.length)
        return undefined;
    try {
        return BlobRequest.decode(input.subarray(n, n + len));
    }
    catch {
        return undefined;
    }
}
/** A blob server over a real ContentStore holding blobs of 0, 1, 1000 and 5000 bytes. */
export async function blobFixture() {
    const dir = mkdtempSync(join(tmpdir(), 'gm-fuzz-blob-'));
    const store = new ContentStore(dir);
    await store.open();
    const blobs = new Map();
    for (const size of [0, 1, 1000, 5000]) {
        const b = bytesOf(size + 1, size);
        blobs.set(await store.put(b, { window: 1, kind: 'fuzz' }), b);
    }
    const errors = [];
    const server = blobServer({
        store, perPeerConcurrency: 1 << 30, requestTimeoutMs: 10_000, chunkBytes: 512, maxResponseBytes: BLOB_MAX_RESPONSE,
        onError: (_peer, err) => errors.push(err),
    });
    const connection = { remotePeer: { toString: () => 'fuzz-peer' } };
    const frame = (r) => {
        const body = BlobRequest.encode(r);
        return concat(encodeVarint(BigInt(body.length)), body);
    };
    const digests = [...blobs.keys()].map((d) => new Uint8Array(Buffer.from(d, 'hex')));
    const corpus = [
        frame({ version: 1, digest: digests[2], offset: 0n, length: 0n }),
        frame({ version: 1, digest: digests[2], offset: 999n, length: 1n }),
        frame({ version: 1, digest: digests[3], offset: 1000n, length: 4096n }),
        frame({ version: 1, digest: digests[3], offset: 4000n, length: 0n }),
        frame({ version: 1, digest: digests[0], offset: 0n, length: 0n }),
        frame({ version: 1, digest: digests[1], offset: 1n, length: 7n }),
    ];
    return { server, connection, blobs, errors, corpus, close: () => rmSync(dir, { recursive: true, force: true }) };
}
/** What the server writes back for the client's bytes, over the Stream double; also whether it aborted. */
export async function blobTranscript(fx, input) {
    const stream = new FakeStream();
    const done = fx.server(stream, fx.connection);
    stream.deliver(input);
    await done;
    return { out: concat(...stream.written), aborted: stream.aborted };
}
async function blobTarget() {
    const fx = await blobFixture();
    const { blobs } = fx;
    const S = BlobResponse.Status;
    return {
        name: 'blob.request',
        about: 'blobServer request parsing (lp varint + BlobRequest): refusal = a BAD_REQUEST/NOT_FOUND/TOO_LARGE answer',
        corpus: fx.corpus,
        mutators: [...PROTOBUF_MUTATORS.map((m) => ({ ...m, apply: framed(m.apply) })), ...GENERIC_MUTATORS],
        maxLen: 512,
        fields: () => [{ at: 0, width: 1, length: true }, { at: 0, width: 2, length: true }],
        async run(input) {
            fx.errors.length = 0;
            const { out, aborted } = await blobTranscript(fx, input);
            must(fx.errors.length === 0, `the server reached its error path: ${fx.errors.map((e) => String(e)).join('; ')}`);
            must(aborted === undefined, `the server aborted the stream: ${String(aborted)}`);
            // varint length + BlobResponse, then the body
            let len = 0, n = 0;
            while (n < out.length && n < 2) {
                const x = out[n];
                len |= (x & 0x7f) << (7 * n++);
                if (x < 0x80)
                    break;
            }
            must(n > 0 && n + len <= out.length && len <= MAX_REQUEST_BYTES, 'no well-formed response header');
            let res;
            try {
                res = BlobResponse.decode(out.subarray(n, n + len));
            }
            catch (e) {
                throw new PropertyViolation(`response header does not decode: ${e.message}`);
            }
            const body = out.subarray(n + len);
            const req = parseFramed(input);
            // What the server must answer. A request of another version may also get
            // BAD_REQUEST (a version check refuses it before anything else).
            let want = S.BAD_REQUEST;
            let range;
            const hex = req && req.digest.length === 32 ? Buffer.from(req.digest).toString('hex') : undefined;
            if (req && hex) {
                const blob = blobs.get(hex);
                if (!blob)
                    want = S.NOT_FOUND;
                else if (req.offset <= BigInt(blob.length)) {
                    const total = BigInt(blob.length);
                    const length = req.length === 0n || req.offset + req.length > total ? total - req.offset : req.length;
                    if (length > BigInt(BLOB_MAX_RESPONSE))
                        want = S.TOO_LARGE;
                    else {
                        want = S.OK;
                        range = [Number(req.offset), Number(req.offset + length)];
                    }
                }
            }
            const allowed = req && req.version !== 1 ? [want, S.BAD_REQUEST] : [want];
            must(allowed.includes(res.status), `answered ${res.status}, expected ${allowed.join(' or ')}`);
            if (res.status === S.OK) {
                const blob = blobs.get(hex);
                must(res.offset === BigInt(range[0]) && res.length === BigInt(range[1] - range[0]) && res.totalSize === BigInt(blob.length), 'OK header does not describe the range');
                must(Buffer.compare(body, blob.subarray(range[0], range[1])) === 0, 'served bytes differ from the blob range');
                return ok;
            }
            must(body.length === 0, `a ${res.status} answer carries ${body.length} body bytes`);
            return no(res.status);
        },
        close: fx.close,
    };
}
/** Applies a protobuf mutator to the message inside the length prefix, then re-frames it (usually with the right length). */
function framed(apply) {
    return (b, cx) => {
        const x = b[0];
        if (x === undefined || x >= 0x80 || 1 + x > b.length)
            return apply(b, cx);
        const inner = apply(b.subarray(1, 1 + x), cx);
        const len = cx.r.chance(0.85) ? inner.length : x;
        return concat(encodeVarint(BigInt(len)), inner, b.subarray(1 + x));
    };
}
// ---------------------------------------------------------------------------------
export const TARGET_NAMES = [
    ...TOPICS.map((t) => `gossip.${t}`),
    'proto.GradAnnouncement', 'proto.ManifestEntry', 'proto.Manifest', 'proto.CheckpointAnnouncement', 'proto.NodeStatus',
    'proto.BlobRequest', 'proto.BlobResponse',
    'payload', 'checkpoint', 'checkpoint.file', 'safetensors', 'blob.request',
];
/** Builds the targets whose names pass `want` (all by default). */
export async function makeTargets(want = () => true) {
    const out = [];
    for (const t of TOPICS)
        if (want(`gossip.${t}`))
            out.push(gossipTarget(t));
    out.push(...protoTargets().filter((t) => want(t.name)));
    if (want('payload'))
        out.push(payloadTarget());
    if (want('checkpoint'))
        out.push(checkpointTarget());
    if (want('checkpoint.file'))
        out.push(checkpointFileTarget());
    if (want('safetensors'))
        out.push(safetensorsTarget());
    if (want('blob.request'))
        out.push(await blobTarget());
    return out;
}
//# sourceMappingURL=targets.js.map