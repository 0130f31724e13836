// prepare refuses input that would give a useless or silently wrong dataset: an empty
// file, inputs without any text, and files that are not text (NUL bytes, or mostly
// invalid UTF-8, in their first 64 KiB) unless asked with allowBinary, and then
// loudly. Nothing is left behind in --out when it refuses. The CLI says the same in
// one line and exits non-zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, prepareDataset } from '../../src/train/data/index.js';
import { sniffText } from '../../src/train/data/prepare.js';
import { repoRoot } from '../../src/train/model-config.js';
import { tempDir } from './helpers.js';
/** Bytes of a pseudo-random generator, the same every run. */
function noise(n, seed = 7, from = 0, to = 256) {
    const b = Buffer.alloc(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        b[i] = from + ((x >>> 16) % (to - from));
    }
    return b;
}
const isBadInput = (re) => (e) => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.code, 'BAD_INPUT');
    assert.match(e.message, re);
    return true;
};
test('sniffText: NUL bytes or a high share of invalid UTF-8 is not text; Latin-1 accents and UTF-8 are', () => {
    assert.equal(sniffText(Buffer.from('plain text, naïve café — 日本語\n'.repeat(100))).text, true);
    assert.equal(sniffText(Buffer.from('a\x00b')).text, false);
    assert.match(sniffText(Buffer.from('a\x00b')).why, /NUL byte at offset 1/);
    const random = sniffText(noise(4096, 3, 0x80, 0x100));
    assert.equal(random.text, false);
    assert.match(random.why, /\d+% of the first 4096 bytes are not valid UTF-8/);
    // Latin-1 text: one accented byte in ~40 is invalid UTF-8, but it is text (decoded with U+FFFD).
    const latin1 = Buffer.from('Le caf\xe9 est pr\xeat pour le d\xe9jeuner, dit-il.\n'.repeat(50), 'latin1');
    const s = sniffText(latin1);
    assert.equal(s.text, true);
    assert.ok(s.invalidBytes > 0);
});
test('prepare refuses an empty file and inputs without text, and leaves no --out behind', async () => {
    const inDir = tempDir();
    const empty = join(inDir, 'empty.txt');
    writeFileSync(empty, '');
    const out = join(tempDir(), 'ds');
    await assert.rejects(prepareDataset({ inputs: [empty], out }), isBadInput(new RegExp(`${empty}: is empty`)));
    assert.ok(!existsSync(out), 'no output directory is created');
    const blank = join(inDir, 'blank.jsonl');
    writeFileSync(blank, `${JSON.stringify({ text: '' })}\n${JSON.stringify({ text: '' })}\n`);
    await assert.rejects(prepareDataset({ inputs: [blank], out }), isBadInput(/no text to tokenise: 0 documents/));
    assert.ok(!existsSync(out), 'the output directory is removed again');
});
test('prepare refuses a binary file unless allowBinary, and then warns', async () => {
    const inDir = tempDir();
    const bin = join(inDir, 'model.txt');
    writeFileSync(bin, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), noise(20_000)]));
    const out = join(tempDir(), 'ds');
    await assert.rejects(prepareDataset({ inputs: [bin], out }), isBadInput(new RegExp(`${bin}: does not look like text \\(NUL byte at offset 3\\).*allow-binary`)));
    assert.ok(!existsSync(out));
    const warnings = [];
    const m = await prepareDataset({ inputs: [bin], out, allowBinary: true, onWarning: (w) => warnings.push(w) });
    assert.ok(m.totalTokens > 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`${bin}: does not look like text .*tokenised anyway`));
});
function cli(args) {
    return new Promise((done) => {
        const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), ...args]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d.toString()));
        child.stderr.on('data', (d) => (stderr += d.toString()));
        child.on('close', (status) => done({ status, stdout, stderr }));
    });
}
test('gradmesh data prepare: an empty or binary input exits 1 with one line; --allow-binary goes on with a warning', async () => {
    const inDir = tempDir();
    writeFileSync(join(inDir, 'empty.txt'), '');
    writeFileSync(join(inDir, 'blob.bin'), Buffer.concat([noise(100), Buffer.alloc(10)]));
    const outs = tempDir();
    const [empty, binary, allowed] = await Promise.all([
        cli(['data', 'prepare', '--in', join(inDir, 'empty.txt'), '--out', join(outs, 'a')]),
        cli(['data', 'prepare', '--in', join(inDir, 'blob.bin'), '--out', join(outs, 'b')]),
        cli(['data', 'prepare', '--in', join(inDir, 'blob.bin'), '--out', join(outs, 'c'), '--allow-binary']),
    ]);
    assert.equal(empty.status, 1, empty.stdout);
    assert.equal(empty.stderr, `gradmesh: ${join(inDir, 'empty.txt')}: is empty: nothing to tokenise\n`);
    assert.equal(binary.status, 1, binary.stdout);
    assert.match(binary.stderr, /^gradmesh: .*blob\.bin: does not look like text \(NUL byte at offset \d+\).*--allow-binary/);
    assert.equal(binary.stderr.trim().split('\n').length, 1);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stderr, /WARNING: .*blob\.bin: does not look like text/);
    assert.match(allowed.stdout, /prepared .*: \d+ tokens/);
});
//# sourceMappingURL=prepare-input.test.js.map