import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveNodeState, saveNodeStateAsync, loadNodeState, StateError } from '../../src/node/node-state.js';
import { sharedFloat32 } from '../../src/train/compress/offload.js';
function buffers(n, seed) {
    const mk = (k) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7 + k * 13 + i));
    return { params: mk(0), errorBuffer: mk(1), adamM: mk(2), adamV: mk(3) };
}
const header = (n) => ({
    runHash: 'ab'.repeat(32), numParams: n, window: 7, manifestDigest: '00'.repeat(32), thetaHash: 'cd'.repeat(32), adamStep: 70, innerStep: 70, savedAt: 'now',
});
test('state round-trips exactly and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
    const path = join(dir, 'state.bin');
    const src = buffers(1000, 1);
    saveNodeState(path, header(1000), src);
    const dst = { params: new Float32Array(1000), errorBuffer: new Float32Array(1000), adamM: new Float32Array(1000), adamV: new Float32Array(1000) };
    const h = loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 1000 }, dst);
    assert.equal(h.window, 7);
    assert.deepEqual(dst, src);
    assert.deepEqual(readdirSync(dir), ['state.bin']);
});
test('the async save (written by libuv, checksummed on the hash worker) writes the same file, shared buffers or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
    const src = buffers(3000, 5);
    // θ and the error buffer live in shared memory in a node; the engine's moments do not
    const shared = sharedFloat32(3000);
    shared.set(src.params);
    saveNodeState(join(dir, 'sync.bin'), header(3000), src);
    await saveNodeStateAsync(join(dir, 'async.bin'), header(3000), { ...src, params: shared });
    await saveNodeStateAsync(join(dir, 'async.bin'), header(3000), { ...src, params: shared }); // over an existing file
    assert.deepEqual(readFileSync(join(dir, 'async.bin')), readFileSync(join(dir, 'sync.bin')));
    const dst = { params: new Float32Array(3000), errorBuffer: new Float32Array(3000), adamM: new Float32Array(3000), adamV: new Float32Array(3000) };
    loadNodeState(join(dir, 'async.bin'), { runHash: 'ab'.repeat(32), numParams: 3000 }, dst);
    assert.deepEqual(dst, src);
    assert.deepEqual(readdirSync(dir).sort(), ['async.bin', 'sync.bin']);
    await assert.rejects(saveNodeStateAsync(join(dir, 'bad.bin'), header(3001), src), /has 3000 values, expected 3001/);
    assert.deepEqual(readdirSync(dir).sort(), ['async.bin', 'sync.bin']);
});
test('corrupt, truncated and foreign state files are refused with a reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
    const path = join(dir, 'state.bin');
    saveNodeState(path, header(100), buffers(100, 2));
    const into = buffers(100, 3);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(path, bytes);
    assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), (e) => e instanceof StateError && /checksum mismatch/.test(e.message));
    saveNodeState(path, header(100), buffers(100, 2));
    assert.throws(() => loadNodeState(path, { runHash: 'ef'.repeat(32), numParams: 100 }, into), /belongs to run/);
    assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 99 }, into), /holds 100 parameters/);
    truncateSync(path, 500);
    assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), /truncated or corrupt/);
    writeFileSync(path, 'hello world, not a state file at all........');
    assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), /bad magic/);
    assert.ok(existsSync(path));
});
// A state file written by hand: magic, header length, the given header text, a body of
// the right size for numParams, and a checksum that is correct for those bytes (so
// what is tested is the header check, not the checksum).
function craft(path, headerText, numParams, opts = {}) {
    const hb = Buffer.from(headerText, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(opts.headerLength ?? hb.length, 0);
    const body = Buffer.alloc(16 * numParams, 7);
    const pre = Buffer.concat([Buffer.from('GMSTATE1', 'ascii'), len, hb, body]);
    const sum = opts.checksum === false ? Buffer.alloc(32) : createHash('sha256').update(pre).digest();
    writeFileSync(path, Buffer.concat([pre, sum]));
}
test('every kind of corrupt state header is a StateError naming the file and the reason, never a TypeError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
    const path = join(dir, 'state.bin');
    const n = 50;
    const expect = { runHash: 'ab'.repeat(32), numParams: n };
    const good = header(n);
    const json = (h) => JSON.stringify(h);
    const refuses = (what, reason) => {
        let err;
        try {
            loadNodeState(path, expect, buffers(n, 9));
        }
        catch (e) {
            err = e;
        }
        assert.ok(err instanceof StateError, `${what}: expected a StateError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        assert.ok(err.message.startsWith(`${path}: `), `${what}: message names the file: ${err.message}`);
        assert.match(err.message, reason, what);
    };
    craft(path, '{"runHash": "ab', n);
    refuses('bad JSON', /header is not valid JSON/);
    craft(path, '[1, 2, 3]', n);
    refuses('JSON that is not an object', /header: expected an object/);
    const { runHash: _r, ...noRunHash } = good;
    craft(path, json(noRunHash), n);
    refuses('missing field', /header field runHash: missing/);
    craft(path, json({ ...good, window: '7' }), n);
    refuses('string for a number', /header field window: expected integer/);
    craft(path, json({ ...good, window: 7.5 }), n);
    refuses('fraction for an integer', /header field window: expected integer/);
    craft(path, json({ ...good, thetaHash: 42 }), n);
    refuses('number for a hash', /header field thetaHash: expected 64 lowercase hex digits/);
    craft(path, json({ ...good, numParams: 49 }), 50);
    refuses('numParams disagreeing with the size', /size .* does not match the header/);
    // written by saveNodeState, then damaged: the checksum catches it before the header is read
    saveNodeState(path, good, buffers(n, 2));
    const bytes = readFileSync(path);
    const at = bytes.indexOf('"window":7') + '"window":'.length;
    bytes[at] = '8'.charCodeAt(0); // still valid JSON of the right shape: only the checksum can tell
    writeFileSync(path, bytes);
    refuses('flipped byte in the header', /checksum mismatch/);
    // a flipped bit in runHash must read as corruption, not as a state of another run
    saveNodeState(path, good, buffers(n, 2));
    const other = readFileSync(path);
    other[other.indexOf('"runHash":"ab') + '"runHash":"'.length] ^= 0x04; // 'a' -> 'e'
    writeFileSync(path, other);
    refuses('flipped bit in the header runHash', /checksum mismatch/);
    saveNodeState(path, good, buffers(n, 2));
    const body = readFileSync(path);
    body[body.length - 40] ^= 0x10;
    writeFileSync(path, body);
    refuses('flipped byte in the body', /checksum mismatch/);
    saveNodeState(path, good, buffers(n, 2));
    truncateSync(path, readFileSync(path).length - 1);
    refuses('one byte short', /checksum mismatch|truncated/);
    truncateSync(path, 20);
    refuses('truncated inside the header', /truncated|header length/);
    truncateSync(path, 6);
    refuses('truncated inside the magic', /truncated/);
    craft(path, json(good), n, { headerLength: 0xffffffff });
    refuses('huge header length', /header length 4294967295 is impossible/);
    craft(path, json(good), n, { checksum: false });
    refuses('zeroed checksum', /checksum mismatch/);
});
test('a state file of another run or model is refused by name even when its body size differs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
    const path = join(dir, 'state.bin');
    saveNodeState(path, header(60), buffers(60, 4));
    assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 50 }, buffers(50, 1)), (e) => e instanceof StateError && e.message === `${path}: holds 60 parameters, the model has 50`);
    assert.throws(() => loadNodeState(path, { runHash: 'ef'.repeat(32), numParams: 60 }, buffers(60, 1)), (e) => e instanceof StateError && /belongs to run abababababab…/.test(e.message));
});
//# sourceMappingURL=node-state.test.js.map