// dataset.json: what a dataset directory holds, so any node can check its copy
// byte for byte (SHA-256 per shard) before training on it.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from './errors.js';
import { ShardReader, bytesPerToken, readShardLayout } from './shard.js';
export const MANIFEST_FILE = 'dataset.json';
export const MANIFEST_FORMAT = 'gradmesh-dataset';
export const MANIFEST_VERSION = 1;
export const GPT2_VOCAB_SIZE = 50257;
export const GPT2_EOT = 50256;
const shardName = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.(bin|npy)$/, 'a plain file name ending in .bin or .npy');
const shardEntry = z.object({
    file: shardName,
    tokens: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export const datasetManifestSchema = z.object({
    format: z.literal(MANIFEST_FORMAT),
    version: z.literal(MANIFEST_VERSION),
    name: z.string().optional(),
    tokenizer: z.literal('gpt2'),
    vocabSize: z.number().int().positive(),
    eotToken: z.number().int().nonnegative(),
    /** The sequence length the dataset was prepared for; a hint, samples can use any T. */
    seqLen: z.number().int().positive(),
    totalTokens: z.number().int().nonnegative(),
    documents: z.number().int().nonnegative().optional(),
    shards: z.array(shardEntry),
    /** Where the tokens came from (inputs, options, builder); informative, and used to reuse a cached build. */
    source: z.record(z.string(), z.unknown()).optional(),
});
export function readManifest(dir) {
    const path = join(dir, MANIFEST_FILE);
    let raw;
    try {
        raw = readFileSync(path, 'utf8');
    }
    catch (err) {
        throw new DataError('NOT_FOUND', `no dataset manifest: ${err.message}`, path);
    }
    let json;
    try {
        json = JSON.parse(raw);
    }
    catch (err) {
        throw new DataError('BAD_MANIFEST', `not JSON: ${err.message}`, path);
    }
    const parsed = datasetManifestSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DataError('BAD_MANIFEST', `invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`, path);
    }
    const m = parsed.data;
    const sum = m.shards.reduce((a, s) => a + s.tokens, 0);
    if (sum !== m.totalTokens)
        throw new DataError('BAD_MANIFEST', `totalTokens ${m.totalTokens} ≠ sum of shard tokens ${sum}`, path);
    if (new Set(m.shards.map((s) => s.file)).size !== m.shards.length)
        throw new DataError('BAD_MANIFEST', 'a shard is listed twice', path);
    return m;
}
/** Writes dataset.json atomically (temp file + rename), so a reader never sees half of it. */
export function writeManifest(dir, manifest) {
    const checked = datasetManifestSchema.parse(manifest);
    writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(checked, null, 2) + '\n');
}
export function writeFileAtomic(path, data) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
}
/** SHA-256 of a file, read in 1 MiB blocks (synchronous: used when opening with verify). */
export function sha256FileSync(path) {
    const h = createHash('sha256');
    const fd = openSync(path, 'r');
    try {
        const buf = Buffer.allocUnsafe(1 << 20);
        for (;;) {
            const n = readSync(fd, buf, 0, buf.length, null);
            if (n === 0)
                break;
            h.update(buf.subarray(0, n));
        }
    }
    finally {
        closeSync(fd);
    }
    return h.digest('hex');
}
/**
 * Checks every shard against dataset.json: the file exists and parses, its header's
 * token count and its size match, its SHA-256 matches, and no token is ≥ vocabSize.
 * A malformed manifest throws; problems with shards are reported, not thrown.
 */
export async function verifyDataset(dir, onShard) {
    const manifest = readManifest(dir);
    const shards = [];
    for (const [i, entry] of manifest.shards.entries()) {
        const v = await verifyShard(dir, entry, manifest.vocabSize);
        shards.push(v);
        onShard?.(v, i, manifest.shards.length);
    }
    return { dir, ok: shards.every((s) => s.ok), totalTokens: manifest.totalTokens, shards };
}
async function verifyShard(dir, entry, vocabSize) {
    const path = join(dir, entry.file);
    const problems = [];
    const verdict = { file: entry.file, ok: false, problems };
    let fh;
    try {
        fh = await open(path, 'r');
    }
    catch (err) {
        problems.push({ code: 'NOT_FOUND', message: err.message });
        return verdict;
    }
    try {
        let layout;
        try {
            layout = readShardLayout(fh.fd, path);
            verdict.tokens = layout.tokens;
            if (layout.tokens !== entry.tokens) {
                problems.push({ code: 'TOKEN_COUNT', message: `header says ${layout.tokens} tokens, dataset.json says ${entry.tokens}` });
            }
        }
        catch (err) {
            if (!(err instanceof DataError))
                throw err;
            problems.push({ code: err.code, message: err.message });
        }
        // Hash the raw bytes, and scan the tokens when the header parsed.
        const h = createHash('sha256');
        const bpt = layout ? bytesPerToken(layout.dtype) : 0;
        let pos = 0;
        let maxToken = -1;
        const buf = Buffer.allocUnsafe(1 << 20);
        for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            if (bytesRead === 0)
                break;
            const chunk = buf.subarray(0, bytesRead);
            h.update(chunk);
            if (layout) {
                // Chunks are 1 MiB and headers are whole multiples of 2 bytes, but .npy headers
                // need not be 4-aligned, so find the first token boundary in this chunk.
                const dataStart = Math.max(layout.headerBytes, pos);
                let off = dataStart + ((bpt - ((dataStart - layout.headerBytes) % bpt)) % bpt) - pos;
                for (; off + bpt <= bytesRead; off += bpt) {
                    const t = bpt === 2 ? chunk.readUInt16LE(off) : chunk.readUInt32LE(off);
                    if (t > maxToken)
                        maxToken = t;
                }
            }
            pos += bytesRead;
        }
        verdict.sha256 = h.digest('hex');
        if (pos !== entry.bytes)
            problems.push({ code: 'SIZE_MISMATCH', message: `file has ${pos} bytes, dataset.json says ${entry.bytes}` });
        if (verdict.sha256 !== entry.sha256)
            problems.push({ code: 'CHECKSUM', message: `SHA-256 ${verdict.sha256} ≠ dataset.json's ${entry.sha256}` });
        if (maxToken >= vocabSize)
            problems.push({ code: 'BAD_TOKEN', message: `token id ${maxToken} ≥ vocabulary size ${vocabSize}` });
    }
    finally {
        await fh.close();
    }
    verdict.ok = problems.length === 0;
    return verdict;
}
/** Opens every shard listed in the manifest and checks its header against it. */
export function openShards(dir, manifest, verify) {
    const readers = [];
    try {
        for (const entry of manifest.shards) {
            const path = join(dir, entry.file);
            const r = new ShardReader(path);
            readers.push(r);
            if (r.tokens !== entry.tokens)
                throw new DataError('TOKEN_COUNT', `header says ${r.tokens} tokens, dataset.json says ${entry.tokens}`, path);
            if (r.layout.fileBytes !== entry.bytes)
                throw new DataError('SIZE_MISMATCH', `file has ${r.layout.fileBytes} bytes, dataset.json says ${entry.bytes}`, path);
            if (verify) {
                const sha = sha256FileSync(path);
                if (sha !== entry.sha256)
                    throw new DataError('CHECKSUM', `SHA-256 ${sha} ≠ dataset.json's ${entry.sha256}`, path);
            }
        }
    }
    catch (err) {
        for (const r of readers)
            r.close();
        throw err;
    }
    return readers;
}
//# sourceMappingURL=manifest.js.map