// `prepare`: text / JSONL / Parquet → GPT-2 tokens → llm.c .bin shards + dataset.json.
// Documents are streamed (memory: one shard buffer plus one segment of text), and each
// document is preceded by EOT (50256), as in llm.c's and GPT-2's training data. Shards
// are filled to exactly shardTokens tokens (documents run across shard boundaries);
// the last shard holds the rest.
//
// Resumption: after each shard is renamed into place, a journal is written atomically
// with the restart point: the input, the position of the segment being consumed, and
// how many of that segment's tokens are already in written shards. A resumed run
// re-reads from that segment, drops those tokens and carries on, so its output is byte
// for byte what an uninterrupted run would have written.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DataError } from './errors.js';
import { GPT2_EOT, GPT2_VOCAB_SIZE, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, readManifest, writeFileAtomic, writeManifest, } from './manifest.js';
import { llmcHeader } from './shard.js';
import { inputKindOf, readSegments } from './sources.js';
import { encodeText } from './tokenizer.js';
export const JOURNAL_FILE = 'prepare-journal.json';
export const DEFAULT_SHARD_TOKENS = 10_000_000;
export const DEFAULT_SEQ_LEN = 1024;
const INPUT_EXTENSIONS = ['.txt', '.text', '.md', '.jsonl', '.ndjson', '.parquet'];
/** How much of each text / JSONL input sniffText looks at. */
export const SNIFF_BYTES = 64 * 1024;
/**
 * Above this share of bytes that are not valid UTF-8, an input is not text. Latin-1
 * prose has a few percent (its accented letters, decoded as U+FFFD, with a warning);
 * random or compressed bytes have over half.
 */
export const MAX_INVALID_UTF8_SHARE = 0.1;
/**
 * Whether the start of a file looks like text: no NUL byte (binary formats, UTF-16,
 * gzip all have them early) and at most MAX_INVALID_UTF8_SHARE invalid UTF-8. A
 * sequence cut off by the end of the sample is not counted.
 */
export function sniffText(buf) {
    const n = buf.length;
    let invalid = 0;
    let i = 0;
    while (i < n) {
        const b = buf[i];
        if (b === 0)
            return { text: false, why: `NUL byte at offset ${i}`, invalidBytes: invalid, bytes: n };
        if (b < 0x80) {
            i++;
            continue;
        }
        const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
        if (len === 0) {
            invalid++;
            i++;
            continue;
        }
        if (i + len > n)
            break;
        let ok = true;
        for (let k = 1; k < len; k++)
            if ((buf[i + k] & 0xc0) !== 0x80)
                ok = false;
        if (!ok) {
            invalid++;
            i++;
            continue;
        }
        i += len;
    }
    if (n > 0 && invalid / n > MAX_INVALID_UTF8_SHARE) {
        return { text: false, why: `${Math.round((100 * invalid) / n)}% of the first ${n} bytes are not valid UTF-8`, invalidBytes: invalid, bytes: n };
    }
    return { text: true, invalidBytes: invalid, bytes: n };
}
function readHead(path, max) {
    const fd = openSync(path, 'r');
    try {
        const buf = Buffer.alloc(max);
        let got = 0;
        while (got < max) {
            const r = readSync(fd, buf, got, max - got, got);
            if (r === 0)
                break;
            got += r;
        }
        return buf.subarray(0, got);
    }
    finally {
        closeSync(fd);
    }
}
/**
 * Refuses inputs that would make a useless or silently wrong dataset, before
 * anything is written: an empty file, and a text / JSONL input that is not text
 * (unless allowBinary; then the caller is warned). Parquet is binary by design.
 */
function checkInputs(inputs, opts) {
    for (const f of inputs) {
        if (f.bytes === 0)
            throw new DataError('BAD_INPUT', 'is empty: nothing to tokenise', f.path);
        if (f.kind === 'parquet')
            continue;
        const s = sniffText(readHead(f.path, SNIFF_BYTES));
        if (!s.text) {
            const what = `does not look like text (${s.why})`;
            if (!opts.allowBinary) {
                throw new DataError('BAD_INPUT', `${what}; its tokens would be noise. Pass --allow-binary (allowBinary) to tokenise it anyway`, f.path);
            }
            opts.onWarning?.(`${f.path}: ${what}; tokenised anyway (allowBinary)`);
        }
        else if (s.invalidBytes > 0) {
            opts.onWarning?.(`${f.path}: ${s.invalidBytes} of the first ${s.bytes} bytes are not valid UTF-8 (Latin-1?); they are read as U+FFFD`);
        }
    }
}
const journalSchema = z.object({
    version: z.literal(1),
    fingerprint: z.string(),
    shards: z.array(z.object({ file: z.string(), tokens: z.number(), bytes: z.number(), sha256: z.string() })),
    input: z.number().int().nonnegative(),
    pos: z.number().int().nonnegative(),
    line: z.number().int().positive(),
    skip: z.number().int().nonnegative(),
    documents: z.number().int().nonnegative(),
});
/** Expands directories (sorted, recursive) and checks every input exists. */
export function listInputs(inputs) {
    if (inputs.length === 0)
        throw new DataError('BAD_INPUT', 'no inputs given');
    const out = [];
    const add = (path) => {
        const st = statSync(path);
        out.push({ path, kind: inputKindOf(path), bytes: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    };
    const walk = (dir) => {
        for (const name of readdirSync(dir).sort()) {
            if (name.startsWith('.'))
                continue;
            const p = join(dir, name);
            if (statSync(p).isDirectory())
                walk(p);
            else if (INPUT_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e)))
                add(p);
        }
    };
    for (const raw of inputs) {
        const p = resolve(raw);
        if (!existsSync(p))
            throw new DataError('NOT_FOUND', 'input does not exist', p);
        if (statSync(p).isDirectory())
            walk(p);
        else
            add(p);
    }
    if (out.length === 0)
        throw new DataError('BAD_INPUT', `no input files found in ${inputs.join(', ')}`);
    return out;
}
function shardName(i) {
    return `shard_${String(i).padStart(6, '0')}.bin`;
}
export async function prepareDataset(opts) {
    const field = opts.field ?? 'text';
    const shardTokens = opts.shardTokens ?? DEFAULT_SHARD_TOKENS;
    const seqLen = opts.seqLen ?? DEFAULT_SEQ_LEN;
    if (!Number.isInteger(shardTokens) || shardTokens < 1 || shardTokens > 0x7fffffff) {
        throw new DataError('RANGE', `shard size ${shardTokens} must be an integer in [1, 2^31)`);
    }
    if (!Number.isInteger(seqLen) || seqLen < 1)
        throw new DataError('RANGE', `seqLen ${seqLen} must be a positive integer`);
    const out = resolve(opts.out);
    const inputs = listInputs(opts.inputs);
    const source = {
        builder: 'gradmesh prepare v1',
        inputs: inputs.map((f) => ({ path: f.path, kind: f.kind, bytes: f.bytes, mtimeMs: f.mtimeMs })),
        field,
        shardTokens,
    };
    const fingerprint = createHash('sha256').update(JSON.stringify({ source, seqLen, name: opts.name ?? null })).digest('hex');
    checkInputs(inputs, opts);
    const createdOut = !existsSync(out);
    mkdirSync(out, { recursive: true });
    const journalPath = join(out, JOURNAL_FILE);
    let journal = null;
    if (existsSync(journalPath)) {
        let raw;
        try {
            raw = JSON.parse(readFileSync(journalPath, 'utf8'));
        }
        catch {
            raw = null;
        }
        const parsed = journalSchema.safeParse(raw);
        if (!parsed.success)
            throw new DataError('OUT_NOT_EMPTY', 'unreadable prepare journal; delete the directory to start again', journalPath);
        journal = parsed.data;
        if (journal.fingerprint !== fingerprint) {
            throw new DataError('OUT_NOT_EMPTY', 'holds an unfinished prepare of other inputs or options; use another directory or delete it', out);
        }
    }
    else if (existsSync(join(out, MANIFEST_FILE))) {
        const m = readManifest(out);
        if (m.source?.fingerprint === fingerprint)
            return m; // already prepared from the same inputs
        throw new DataError('OUT_NOT_EMPTY', 'already holds a dataset prepared from other inputs or options', out);
    }
    else if (readdirSync(out).length > 0) {
        throw new DataError('OUT_NOT_EMPTY', 'is not empty', out);
    }
    const resumed = journal !== null;
    const shards = journal ? journal.shards.map((s) => ({ ...s })) : [];
    // Shards the journal lists must still be there, whole (a shard beyond them is from
    // the interrupted run and will be written again).
    for (const s of shards) {
        const p = join(out, s.file);
        if (!existsSync(p) || statSync(p).size !== s.bytes)
            throw new DataError('OUT_NOT_EMPTY', 'a shard listed in the prepare journal is missing or changed; delete the directory to start again', p);
    }
    const buffer = new Uint16Array(shardTokens);
    let fill = 0;
    let documents = journal?.documents ?? 0;
    let tokensWritten = shards.reduce((a, s) => a + s.tokens, 0);
    const bytesTotal = inputs.reduce((a, f) => a + f.bytes, 0);
    let bytesBefore = inputs.slice(0, journal?.input ?? 0).reduce((a, f) => a + f.bytes, 0);
    const writeShard = (count) => {
        const header = llmcHeader(count);
        const body = Buffer.from(buffer.buffer, buffer.byteOffset, count * 2);
        if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
            throw new DataError('RANGE', 'big-endian hosts are not supported by prepare');
        const file = shardName(shards.length);
        const tmp = join(out, `${file}.tmp`);
        writeFileSync(tmp, Buffer.concat([header, body]));
        renameSync(tmp, join(out, file));
        const sha256 = createHash('sha256').update(header).update(body).digest('hex');
        const entry = { file, tokens: count, bytes: header.length + body.length, sha256 };
        shards.push(entry);
        tokensWritten += count;
        return entry;
    };
    const startInput = journal?.input ?? 0;
    for (let i = startInput; i < inputs.length; i++) {
        const input = inputs[i];
        const first = i === startInput && journal !== null;
        let skip = first ? journal.skip : 0;
        let firstSegment = first;
        const segments = readSegments(input.path, input.kind, field, first ? journal.pos : 0, first ? journal.line : 1);
        for await (const seg of segments) {
            if (opts.signal?.aborted)
                throw new DataError('ABORTED', 'prepare aborted; run it again to resume', out);
            if (seg.docStart && seg.text.length === 0)
                continue; // no empty documents
            const body = encodeText(seg.text);
            const tokens = seg.docStart ? [GPT2_EOT, ...body] : body;
            if (seg.docStart && !firstSegment)
                documents++;
            firstSegment = false;
            let k = skip;
            skip = 0;
            while (k < tokens.length) {
                const n = Math.min(tokens.length - k, shardTokens - fill);
                for (let t = 0; t < n; t++)
                    buffer[fill + t] = tokens[k + t];
                fill += n;
                k += n;
                if (fill === shardTokens) {
                    const entry = writeShard(fill);
                    fill = 0;
                    const j = { version: 1, fingerprint, shards, input: i, pos: seg.pos, line: Math.max(1, seg.line), skip: k, documents };
                    writeFileAtomic(journalPath, JSON.stringify(j));
                    opts.onProgress?.(progress(entry.file, input, i, seg.progress));
                }
            }
            opts.onProgress?.(progress(undefined, input, i, seg.progress));
        }
        bytesBefore += input.bytes;
    }
    if (fill > 0) {
        writeShard(fill);
        fill = 0;
    }
    if (tokensWritten === 0) {
        // Every document was empty: a dataset of no samples would only fail later, in
        // training. Leave --out as it was found.
        rmSync(journalPath, { force: true });
        if (createdOut && readdirSync(out).length === 0)
            rmSync(out, { recursive: true, force: true });
        throw new DataError('BAD_INPUT', `no text to tokenise: 0 documents in ${inputs.map((f) => f.path).join(', ')}`);
    }
    const manifest = {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        ...(opts.name ? { name: opts.name } : {}),
        tokenizer: 'gpt2',
        vocabSize: GPT2_VOCAB_SIZE,
        eotToken: GPT2_EOT,
        seqLen,
        totalTokens: tokensWritten,
        documents,
        shards,
        source: { ...(opts.sourceInfo ?? source), fingerprint },
    };
    writeManifest(out, manifest);
    rmSync(journalPath, { force: true });
    // Temp files a killed run may have left behind.
    for (const name of readdirSync(out))
        if (/\.tmp(-\d+)?$/.test(name))
            rmSync(join(out, name), { force: true });
    opts.onProgress?.(progress(undefined, inputs[inputs.length - 1], inputs.length - 1, 1, true));
    return manifest;
    function progress(shardWritten, input, index, fraction, done = false) {
        const cur = input ?? inputs[Math.min(inputs.length - 1, index ?? 0)];
        const within = done ? 0 : fraction !== undefined ? Math.round(cur.bytes * fraction) : 0;
        return {
            file: cur.path,
            inputIndex: index ?? 0,
            inputs: inputs.length,
            bytesDone: done ? bytesTotal : Math.min(bytesTotal, bytesBefore + within),
            bytesTotal,
            tokens: tokensWritten + fill,
            documents,
            shards: shards.length,
            ...(shardWritten ? { shardWritten } : {}),
            resumed,
        };
    }
}
//# sourceMappingURL=prepare.js.map