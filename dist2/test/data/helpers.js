// Builds small dataset directories for tests, with shards written by our encoders.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeShard, writeManifest } from '../../src/train/data/index.js';
const made = [];
process.on('exit', () => {
    for (const d of made)
        rmSync(d, { recursive: true, force: true });
});
/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'gm-data-') {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
}
export function makeDataset(dir, shards) {
    const entries = shards.map((s, i) => {
        const format = s.format ?? 'llmc-bin';
        const file = `s${i}.${format === 'npy' ? 'npy' : 'bin'}`;
        const bytes = encodeShard(s.tokens, format, s.dtype ?? 'uint16');
        writeFileSync(join(dir, file), bytes);
        return { file, tokens: s.tokens.length, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    writeManifest(dir, {
        format: 'gradmesh-dataset', version: 1, tokenizer: 'gpt2', vocabSize: 50257, eotToken: 50256, seqLen: 4,
        totalTokens: entries.reduce((a, e) => a + e.tokens, 0), shards: entries,
    });
}
/** Tokens 0..n−1 shifted by `base` (so each shard's tokens are recognisable). */
export function ramp(n, base = 0) {
    return Array.from({ length: n }, (_, i) => base + i);
}
//# sourceMappingURL=helpers.js.map