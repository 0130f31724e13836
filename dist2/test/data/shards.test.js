// Shard readers, dataset.json checks and sample cutting, on shards built here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, truncateSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, ShardReader, encodeShard, makeBatch, npyHeader, openDataset, verifyDataset, LLMC_MAGIC, } from '../../src/train/data/index.js';
import { makeDataset, ramp, tempDir } from './helpers.js';
function isDataError(code, fileEnds) {
    return (e) => {
        assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        assert.ok(e.file?.endsWith(fileEnds), `error names the file: ${e.file}`);
        assert.ok(e.message.includes(fileEnds), `message names the file: ${e.message}`);
        return true;
    };
}
test('llm.c .bin and .npy (<u2, <u4) shards read back their tokens, whole-loaded and by positional reads', () => {
    const dir = tempDir();
    const tokens = [50256, 0, 1, 65535, 464, 2068, 7586];
    const big = [70000, 4294967295, 3];
    const files = [
        ['a.bin', encodeShard(tokens, 'llmc-bin'), tokens],
        ['b.npy', encodeShard(tokens, 'npy', 'uint16'), tokens],
        ['c.npy', encodeShard(big, 'npy', 'uint32'), big],
    ];
    for (const [name, bytes, want] of files) {
        writeFileSync(join(dir, name), bytes);
        for (const wholeLoadBytes of [1 << 20, 0]) {
            const r = new ShardReader(join(dir, name), { wholeLoadBytes });
            assert.equal(r.tokens, want.length);
            const out = new Uint32Array(want.length + 2);
            r.read(0, want.length, out, 1);
            assert.deepEqual([...out.subarray(1, want.length + 1)], want);
            const part = new Uint32Array(2);
            r.read(1, 2, part);
            assert.deepEqual([...part], want.slice(1, 3));
            assert.throws(() => r.read(want.length - 1, 2, part), DataError);
            r.close();
        }
    }
    // The llm.c header layout, byte for byte.
    const bin = readFileSync(join(dir, 'a.bin'));
    assert.equal(bin.readInt32LE(0), LLMC_MAGIC);
    assert.equal(bin.readInt32LE(4), 1);
    assert.equal(bin.readInt32LE(8), tokens.length);
    assert.equal(bin.length, 1024 + 2 * tokens.length);
    assert.equal(npyHeader('uint16', 7).length % 64, 0);
});
test('a truncated shard is an error naming the file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.bin'), encodeShard(ramp(100), 'llmc-bin'));
    truncateSync(join(dir, 't.bin'), 1024 + 150);
    assert.throws(() => new ShardReader(join(dir, 't.bin')), isDataError('TRUNCATED', 't.bin'));
    writeFileSync(join(dir, 'h.bin'), encodeShard(ramp(100), 'llmc-bin').subarray(0, 500));
    assert.throws(() => new ShardReader(join(dir, 'h.bin')), isDataError('TRUNCATED', 'h.bin'));
    writeFileSync(join(dir, 't.npy'), encodeShard(ramp(100), 'npy', 'uint32').subarray(0, 64 + 4 * 99 + 2));
    assert.throws(() => new ShardReader(join(dir, 't.npy')), isDataError('TRUNCATED', 't.npy'));
    writeFileSync(join(dir, 'long.bin'), encodeShard(ramp(10), 'llmc-bin'));
    appendFileSync(join(dir, 'long.bin'), Buffer.from([1, 2]));
    assert.throws(() => new ShardReader(join(dir, 'long.bin')), isDataError('SIZE_MISMATCH', 'long.bin'));
});
test('a bad magic number is an error naming the file', () => {
    const dir = tempDir();
    const bin = encodeShard(ramp(10), 'llmc-bin');
    bin.writeInt32LE(20240519, 0);
    writeFileSync(join(dir, 'm.bin'), bin);
    assert.throws(() => new ShardReader(join(dir, 'm.bin')), isDataError('BAD_MAGIC', 'm.bin'));
    const npy = encodeShard(ramp(10), 'npy');
    npy[1] = 0x58;
    writeFileSync(join(dir, 'm.npy'), npy);
    assert.throws(() => new ShardReader(join(dir, 'm.npy')), isDataError('BAD_MAGIC', 'm.npy'));
    const v2 = encodeShard(ramp(10), 'llmc-bin');
    v2.writeInt32LE(2, 4);
    writeFileSync(join(dir, 'v.bin'), v2);
    assert.throws(() => new ShardReader(join(dir, 'v.bin')), isDataError('BAD_VERSION', 'v.bin'));
});
test('a wrong dtype or shape in an .npy is an error naming the file', () => {
    const dir = tempDir();
    const withHeader = (from, to) => {
        const b = encodeShard(ramp(8), 'npy', 'uint32');
        const text = b.subarray(10, 64).toString('latin1').replace(from, to.padEnd(from.length, ' '));
        return Buffer.concat([b.subarray(0, 10), Buffer.from(text, 'latin1'), b.subarray(64)]);
    };
    for (const [name, from, to, code] of [
        ['i4.npy', "'<u4'", "'<i4'", 'BAD_DTYPE'],
        ['f4.npy', "'<u4'", "'<f4'", 'BAD_DTYPE'],
        ['be.npy', "'<u4'", "'>u4'", 'BAD_DTYPE'],
        ['u8.npy', "'<u4'", "'<u8'", 'BAD_DTYPE'],
        ['f.npy', 'False', 'True', 'BAD_HEADER'],
        ['2d.npy', '(8,)', '(2, 4)', 'BAD_HEADER'],
    ]) {
        writeFileSync(join(dir, name), withHeader(from, to));
        assert.throws(() => new ShardReader(join(dir, name)), isDataError(code, name), name);
    }
});
test('samples are T+1-token windows at multiples of T inside each shard, numbered through the shards', () => {
    const dir = tempDir();
    // T = 4: shard 0 (10 tokens) → floor(9/4) = 2 samples; shard 1 (4 tokens) → 0; shard 2 (9 tokens) → 2.
    makeDataset(dir, [{ tokens: ramp(10, 100) }, { tokens: ramp(4, 200) }, { tokens: ramp(9, 300), format: 'npy', dtype: 'uint32' }]);
    const ds = openDataset(dir, { verify: true });
    assert.equal(ds.totalTokens, 23);
    assert.equal(ds.sampleCount(4), 4);
    assert.deepEqual([...ds.readSample(0, 4)], [100, 101, 102, 103, 104]);
    assert.deepEqual([...ds.readSample(1, 4)], [104, 105, 106, 107, 108]);
    assert.deepEqual([...ds.readSample(2, 4)], [300, 301, 302, 303, 304]);
    assert.deepEqual([...ds.readSample(3, 4)], [304, 305, 306, 307, 308]);
    assert.equal(ds.sampleCount(3), 3 + 1 + 2);
    assert.deepEqual([...ds.readSample(3, 3)], [200, 201, 202, 203]);
    assert.throws(() => ds.readSample(4, 4), (e) => e instanceof DataError && e.code === 'RANGE');
    const { inputs, targets } = makeBatch(ds, [3, 0], 4);
    assert.deepEqual([...inputs], [304, 305, 306, 307, 100, 101, 102, 103]);
    assert.deepEqual([...targets], [305, 306, 307, 308, 101, 102, 103, 104]);
    ds.close();
});
test('verification catches one changed byte; opening checks header counts against dataset.json', async () => {
    const dir = tempDir();
    makeDataset(dir, [{ tokens: ramp(300) }, { tokens: ramp(200, 7) }]);
    assert.equal((await verifyDataset(dir)).ok, true);
    const path = join(dir, 's1.bin');
    const bytes = readFileSync(path);
    bytes[1024 + 77] ^= 0x01;
    writeFileSync(path, bytes);
    const report = await verifyDataset(dir);
    assert.equal(report.ok, false);
    assert.equal(report.shards[0].ok, true);
    assert.deepEqual(report.shards[1].problems.map((p) => p.code), ['CHECKSUM']);
    assert.throws(() => openDataset(dir, { verify: true }), isDataError('CHECKSUM', 's1.bin'));
    openDataset(dir).close(); // without verify only sizes and headers are checked
    // A shard whose header disagrees with the manifest.
    const m = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'));
    m.shards[0].tokens = 299;
    m.totalTokens -= 1;
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify(m));
    assert.throws(() => openDataset(dir), isDataError('TOKEN_COUNT', 's0.bin'));
    assert.ok((await verifyDataset(dir)).shards[0].problems.some((p) => p.code === 'TOKEN_COUNT'));
});
test('a malformed dataset.json is a BAD_MANIFEST error', () => {
    const dir = tempDir();
    makeDataset(dir, [{ tokens: ramp(10) }]);
    const m = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'));
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ ...m, shards: [{ ...m.shards[0], file: '../etc/passwd.bin' }] }));
    assert.throws(() => openDataset(dir), isDataError('BAD_MANIFEST', 'dataset.json'));
    writeFileSync(join(dir, 'dataset.json'), '{"format":');
    assert.throws(() => openDataset(dir), isDataError('BAD_MANIFEST', 'dataset.json'));
    assert.throws(() => openDataset(join(dir, 'nope')), (e) => e instanceof DataError && e.code === 'NOT_FOUND');
});
//# sourceMappingURL=shards.test.js.map