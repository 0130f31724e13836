// prepare: inputs of every kind round-trip through the shards; tokens do not depend
// on how text is cut into segments; bad inputs are typed errors; a killed run resumes
// to exactly the output of an uninterrupted one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, EOT, JOURNAL_FILE, ShardReader, brownDocumentIds, brownDocumentText, decodeTokens, encodeText, openDataset, prepareDataset, verifyDataset, } from '../../src/train/data/index.js';
import { lastSafeCutBytes } from '../../src/train/data/sources.js';
import { brownCorpusDir } from '../../src/train/data/brown.js';
import { writeParquet } from './parquet-writer.js';
import { tempDir } from './helpers.js';
function allTokens(dir) {
    const ds = openDataset(dir, { verify: true }); // checks every shard against dataset.json
    const out = [];
    for (const s of ds.manifest.shards) {
        const r = new ShardReader(join(dir, s.file));
        const tmp = new Uint32Array(s.tokens);
        r.read(0, s.tokens, tmp);
        r.close();
        out.push(...tmp);
    }
    ds.close();
    return out;
}
function splitDocs(tokens) {
    assert.equal(tokens[0], EOT, 'the stream starts with EOT');
    const docs = [];
    let cur = [];
    for (const t of tokens.slice(1)) {
        if (t === EOT) {
            docs.push(decodeTokens(cur));
            cur = [];
        }
        else
            cur.push(t);
    }
    docs.push(decodeTokens(cur));
    return docs;
}
const brown = (id) => brownDocumentText(readFileSync(join(brownCorpusDir(), id), 'utf8'));
test('text, JSONL and Parquet inputs round-trip: decoding the shards gives back the documents', async () => {
    const inDir = tempDir();
    const textDoc = `${brown('ca01')}\n\n  indented line   with  spaces\n\ttab\r\nliteral <|endoftext|> stays text\nunicode: naïve café ✓ 😀\n`;
    writeFileSync(join(inDir, 'a.txt'), textDoc);
    const jsonDocs = [brown('cb01'), 'short', 'with "quotes" and \\ backslash', brown('cc01')];
    writeFileSync(join(inDir, 'b.jsonl'), jsonDocs.map((body, i) => JSON.stringify({ id: i, body })).join('\n') + '\n\n');
    const pqDocs = Array.from({ length: 1500 }, (_, i) => `row ${i}: ${i % 7 === 0 ? brown('cd01').slice(0, 300) : 'a parquet document'}`);
    writeParquet(join(inDir, 'c.parquet'), { id: pqDocs.map((_, i) => `id${i}`), body: pqDocs }, 600);
    writeFileSync(join(inDir, 'ignored.csv'), 'not an input');
    const out = join(tempDir(), 'ds');
    const m = await prepareDataset({ inputs: [inDir], out, field: 'body', shardTokens: 3000, seqLen: 64 });
    assert.equal(m.documents, 1 + jsonDocs.length + pqDocs.length);
    assert.ok(m.shards.length > 3);
    for (const s of m.shards.slice(0, -1))
        assert.equal(s.tokens, 3000, 'every shard but the last is full');
    assert.equal((await verifyDataset(out)).ok, true);
    const tokens = allTokens(out);
    assert.equal(tokens.length, m.totalTokens);
    assert.deepEqual(splitDocs(tokens), [textDoc, ...jsonDocs, ...pqDocs]);
    // Running it again on the same inputs is a no-op that returns the same manifest.
    assert.deepEqual(await prepareDataset({ inputs: [inDir], out, field: 'body', shardTokens: 3000, seqLen: 64 }), m);
    await assert.rejects(prepareDataset({ inputs: [inDir], out, field: 'body', shardTokens: 4000 }), (e) => e instanceof DataError && e.code === 'OUT_NOT_EMPTY');
});
test('segment cuts leave GPT-2 tokens unchanged, so a large text gives the tokens of the whole', async () => {
    const samples = ['x\ny', 'a  \nb', 'a\n\nb', 'a\n b', '!\n?', "it\n's", 'a \nb', '1\n2', 'é\nb', 'a\né', 'a\n\tb', 'end\n'];
    for (const s of samples) {
        const bytes = Buffer.from(s);
        for (let p = 1; p < bytes.length; p++) {
            if (lastSafeCutBytes(bytes, p) !== p)
                continue;
            assert.deepEqual([...encodeText(bytes.subarray(0, p).toString()), ...encodeText(bytes.subarray(p).toString())], encodeText(s), JSON.stringify(s));
        }
    }
    assert.equal(lastSafeCutBytes(Buffer.from('a  \nb'), 4), -1);
    assert.equal(lastSafeCutBytes(Buffer.from('a\nb'), 2), 2);
    const base = brownDocumentIds().slice(0, 40).map(brown).join('\n  \n');
    const text = Array.from({ length: 3 }, (_, i) => `${i} ${base}`).join('\n'); // > 1 MiB: several segments
    assert.ok(Buffer.byteLength(text) > 1 << 20);
    const inDir = tempDir();
    writeFileSync(join(inDir, 'big.txt'), text);
    const out = join(tempDir(), 'ds');
    await prepareDataset({ inputs: [join(inDir, 'big.txt')], out, shardTokens: 100_000 });
    assert.deepEqual(allTokens(out), [EOT, ...encodeText(text)]);
});
test('bad JSONL and Parquet inputs are typed errors naming file and place', async () => {
    const inDir = tempDir();
    writeFileSync(join(inDir, 'bad.jsonl'), '{"text":"ok"}\n{"text": oops}\n');
    await assert.rejects(prepareDataset({ inputs: [join(inDir, 'bad.jsonl')], out: join(tempDir(), 'o') }), (e) => {
        assert.ok(e instanceof DataError && e.code === 'BAD_INPUT' && e.file?.endsWith('bad.jsonl') && /line 2/.test(e.message), String(e));
        return true;
    });
    writeFileSync(join(inDir, 'nofield.jsonl'), '{"text":"ok"}\n{"body":"x"}\n');
    await assert.rejects(prepareDataset({ inputs: [join(inDir, 'nofield.jsonl')], out: join(tempDir(), 'o') }), /line 2: field "text" is missing/);
    writeParquet(join(inDir, 'p.parquet'), { body: ['a', 'b'] });
    await assert.rejects(prepareDataset({ inputs: [join(inDir, 'p.parquet')], out: join(tempDir(), 'o') }), /no column "text"/);
    writeFileSync(join(inDir, 'junk.parquet'), 'this is not parquet at all');
    await assert.rejects(prepareDataset({ inputs: [join(inDir, 'junk.parquet')], out: join(tempDir(), 'o') }), (e) => e instanceof DataError && e.code === 'BAD_INPUT');
    await assert.rejects(prepareDataset({ inputs: [join(inDir, 'missing.txt')], out: join(tempDir(), 'o') }), (e) => e instanceof DataError && e.code === 'NOT_FOUND');
});
function resumeInputs() {
    const inDir = tempDir();
    writeFileSync(join(inDir, 'a.txt'), ['ca03', 'ca04', 'cb03', 'cc02', 'cd02'].map(brown).join('\n'));
    writeFileSync(join(inDir, 'b.jsonl'), ['ce02', 'cf02', 'cg02'].map((id) => JSON.stringify({ text: brown(id) })).join('\n'));
    const rows = Array.from({ length: 300 }, (_, i) => `parquet row ${i} ${brown('ch01').slice(i * 10, i * 10 + 200)}`);
    writeParquet(join(inDir, 'c.parquet'), { text: rows }, 128);
    return [inDir];
}
test('prepare stopped by its AbortSignal resumes to the same output, inside text, JSONL and Parquet inputs', async () => {
    const inputs = resumeInputs();
    const ref = join(tempDir(), 'ref');
    const want = await prepareDataset({ inputs, out: ref, shardTokens: 512 });
    const stoppedIn = new Set();
    for (const stopAt of [10, 30, 55]) {
        const out = join(tempDir(), 'ds');
        const ac = new AbortController();
        await assert.rejects(prepareDataset({ inputs, out, shardTokens: 512, signal: ac.signal, onProgress: (p) => { if (p.shards >= stopAt)
                ac.abort(); } }), (e) => e instanceof DataError && e.code === 'ABORTED');
        const journal = JSON.parse(readFileSync(join(out, JOURNAL_FILE), 'utf8'));
        stoppedIn.add(journal.input);
        const got = await prepareDataset({ inputs, out, shardTokens: 512 });
        assert.deepEqual(got.shards, want.shards, `stopped after ${stopAt} shards`);
        assert.equal(got.documents, want.documents);
    }
    assert.deepEqual([...stoppedIn].sort(), [0, 1, 2], 'stopped once in each kind of input');
});
test('prepare resumes after its process is killed with SIGKILL, to byte-identical shards', { timeout: 60_000 }, async (t) => {
    const inputs = resumeInputs();
    const ref = join(tempDir(), 'ref');
    const want = await prepareDataset({ inputs, out: ref, shardTokens: 512 });
    assert.ok(want.shards.length > 40, `${want.shards.length} shards`);
    const out = join(tempDir(), 'ds');
    const child = spawn(process.execPath, [fileURLToPath(new URL('./prepare-child.js', import.meta.url)), JSON.stringify(inputs), out, '512', '25'], {
        stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => { if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL'); });
    const said = await new Promise((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d) => {
            buf += d.toString();
            if (buf.includes('\n'))
                resolve(buf);
        });
        child.on('exit', (code) => reject(new Error(`child exited (${code}) before blocking: ${buf}`)));
    });
    const stoppedAt = Number(/^blocked after (\d+) shards/.exec(said)?.[1]);
    assert.ok(stoppedAt >= 25 && stoppedAt < want.shards.length, said);
    const exited = new Promise((r) => child.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(existsSync(join(out, JOURNAL_FILE)), 'the journal survived the kill');
    assert.ok(!existsSync(join(out, 'dataset.json')));
    const journal = JSON.parse(readFileSync(join(out, JOURNAL_FILE), 'utf8'));
    assert.equal(journal.shards.length, stoppedAt);
    const resumedShards = [];
    const got = await prepareDataset({ inputs, out, shardTokens: 512, onProgress: (p) => { if (p.shardWritten)
            resumedShards.push(p.shardWritten); } });
    assert.equal(resumedShards[0], `shard_${String(stoppedAt).padStart(6, '0')}.bin`, 'the resumed run starts after the journaled shards');
    assert.deepEqual(got.shards, want.shards);
    assert.equal(got.documents, want.documents);
    for (const s of want.shards)
        assert.ok(readFileSync(join(out, s.file)).equals(readFileSync(join(ref, s.file))), s.file);
    assert.deepEqual(readdirSync(out).sort(), [...want.shards.map((s) => s.file), 'dataset.json'].sort());
});
//# sourceMappingURL=prepare.test.js.map