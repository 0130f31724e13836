// `gradmesh data prepare|verify|info`, run through commander in-process (only the
// data command is registered, so this tests our command and nothing else).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerData } from '../../src/cli/commands/data.js';
import { tempDir } from './helpers.js';
async function run(args) {
    const program = new Command('gradmesh').exitOverride();
    registerData(program);
    const out = [];
    const err = [];
    const log = console.log;
    const error = console.error;
    console.log = (...a) => void out.push(a.join(' '));
    console.error = (...a) => void err.push(a.join(' '));
    const before = process.exitCode;
    try {
        await program.parseAsync(['node', 'gradmesh', ...args]);
        return { out: out.join('\n'), err: err.join('\n'), exitCode: Number(process.exitCode ?? 0) };
    }
    finally {
        console.log = log;
        console.error = error;
        process.exitCode = before; // the verify failure below must not fail the test run
    }
}
test('data prepare, info and verify; verify catches a changed byte', async () => {
    const inDir = tempDir();
    writeFileSync(join(inDir, 'a.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(200));
    writeFileSync(join(inDir, 'b.jsonl'), Array.from({ length: 50 }, (_, i) => JSON.stringify({ body: `document number ${i}` })).join('\n'));
    const out = join(tempDir(), 'ds');
    const prep = await run(['data', 'prepare', '--in', inDir, '--out', out, '--field', 'body', '--shard-tokens', '500', '--seq-len', '32']);
    assert.match(prep.out, /prepared .*: \d+ tokens, 51 documents, \d+ shards/);
    assert.match(prep.err, /shard 1 written/); // plain progress lines when not on a terminal
    const info = JSON.parse((await run(['data', 'info', out])).out);
    assert.equal(info.seqLen, 32);
    assert.ok(info.samples > 0 && info.totalTokens > 2000);
    const good = await run(['data', 'verify', out]);
    assert.equal(good.exitCode, 0);
    assert.match(good.out, /: ok, \d+ shards/);
    const shard = join(out, 'shard_000001.bin');
    const bytes = readFileSync(shard);
    bytes[bytes.length - 1] ^= 0x40;
    writeFileSync(shard, bytes);
    const bad = await run(['data', 'verify', out]);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.out, /FAIL .*shard_000001\.bin\s+CHECKSUM/);
    assert.match(bad.out, /FAILED/);
});
test('data pool prints the sampler vector pool', async () => {
    const r = await run(['data', 'pool', '--run-hash', '51c0d40682b01c02a1a1e6fde5e3a4102ed5224662176e91632a5ca69dd377df', '--uid', '0', '--window', '0', '--size', '8', '--samples', '1000']);
    assert.deepEqual(JSON.parse(r.out).pool, [483, 543, 112, 674, 397, 556, 104, 915]); // docs/sampler.md §6
});
//# sourceMappingURL=cli.test.js.map