// safetensors: exact bytes of a fixed file, round trips, BF16/F16 import, and the
// rejection of every kind of damaged header with a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, encodeSafetensors, readSafetensors, tensorFloat32, SafetensorsFileReader, } from '../../src/train/checkpoint/index.js';
/** A safetensors file from a literal header object and data bytes (padding as the format allows). */
function craft(header, data, headerText = JSON.stringify(header)) {
    const json = new TextEncoder().encode(headerText);
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
}
function rejects(bytes, code, what) {
    assert.throws(() => readSafetensors(bytes), (e) => {
        assert.ok(e instanceof CheckpointError, `${what}: expected CheckpointError, got ${String(e)}`);
        assert.equal(e.code, code, `${what}: ${e.message}`);
        return true;
    });
}
test('writer produces the exact bytes of the format (fixed vector)', () => {
    const bytes = encodeSafetensors([{ name: 'a', shape: [2], data: Float32Array.of(1, -2) }, { name: 'b', shape: [], data: Float32Array.of(0.5) }], { k: 'v' });
    const json = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}';
    const padded = Math.ceil(json.length / 8) * 8;
    const expected = Buffer.concat([
        Buffer.from([padded, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from(json.padEnd(padded, ' '), 'ascii'),
        Buffer.from('0000803f000000c00000003f', 'hex'), // 1.0, -2.0, 0.5 as fp32 LE
    ]);
    assert.deepEqual(Buffer.from(bytes), expected);
    assert.equal((8 + padded) % 8, 0);
});
test('round trip keeps every bit, order, shapes and metadata', () => {
    const weird = new Float32Array(new Uint32Array([0x7fc00001, 0x80000000, 0x00000001, 0x7f800000, 0xff7fffff]).buffer);
    const tensors = [
        { name: 'model.embed_tokens.weight', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5) },
        { name: 'scalar', shape: [], data: Float32Array.of(3.25) },
        { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
        { name: 'bits', shape: [5], data: weird },
    ];
    const meta = { format: 'pt', 'gradmesh.note': 'ünïcödé ✓' };
    const view = readSafetensors(encodeSafetensors(tensors, meta));
    assert.deepEqual(view.header.metadata, meta);
    assert.deepEqual(view.header.tensors.map((t) => t.name), tensors.map((t) => t.name));
    for (const t of tensors) {
        assert.deepEqual(view.header.byName.get(t.name).shape, t.shape);
        const got = tensorFloat32(view, t.name);
        assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(t.data.slice().buffer), t.name);
    }
});
test('BF16 and F16 tensors are read as fp32 (import)', () => {
    // F16: 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf; BF16: 1.0, -3.0, 2^-133 (subnormal).
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00];
    const bf16 = [0x3f80, 0xc040, 0x0001];
    const data = new Uint8Array(2 * (f16.length + bf16.length));
    const dv = new DataView(data.buffer);
    [...f16, ...bf16].forEach((h, i) => dv.setUint16(2 * i, h, true));
    const bytes = craft({
        h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] },
        b: { dtype: 'BF16', shape: [3], data_offsets: [10, 16] },
    }, data);
    const view = readSafetensors(bytes);
    assert.deepEqual([...tensorFloat32(view, 'h')], [1, -2, 65504, 2 ** -24, Infinity]);
    assert.deepEqual([...tensorFloat32(view, 'b')], [1, -3, 2 ** -133]);
});
test('damaged files are rejected with the right error code', () => {
    const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const data8 = new Uint8Array(8);
    assert.doesNotThrow(() => readSafetensors(craft(ok, data8)));
    rejects(new Uint8Array(5), 'truncated', 'shorter than the length prefix');
    const huge = craft(ok, data8);
    new DataView(huge.buffer).setBigUint64(0, 1n << 62n, true);
    rejects(huge, 'header_size', 'header length 2^62');
    const pastEnd = craft(ok, data8);
    new DataView(pastEnd.buffer).setBigUint64(0, BigInt(pastEnd.length), true);
    rejects(pastEnd, 'header_size', 'header length past the end');
    rejects(craft(null, [], '{"a":'), 'header_json', 'invalid JSON');
    rejects(craft(null, [], '[1,2]'), 'header_json', 'array header');
    const badUtf8 = craft(null, [], '{"a":{}}');
    badUtf8[10] = 0xff;
    rejects(badUtf8, 'header_json', 'invalid UTF-8');
    rejects(craft(null, [], '{"a":1}x'), 'header_json', 'trailing garbage');
    rejects(craft({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data8), 'dtype', 'unknown dtype');
    rejects(craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8), 'shape', 'shape × size ≠ bytes');
    rejects(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, -8] } }, data8), 'header_schema', 'negative offset');
    rejects(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8.5] } }, data8), 'header_schema', 'fractional offset');
    rejects(craft({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8), 'header_schema', 'negative dim');
    rejects(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data8), 'offsets', 'end before begin');
    rejects(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, extra: 1 }, data8), 'header_schema', 'non-object entry');
    rejects(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8], x: 1 } }, data8), 'header_schema', 'unknown field');
    rejects(craft({ __metadata__: { k: 1 }, ...ok }, data8), 'header_schema', 'non-string metadata');
    rejects(craft(null, data8, '{"__metadata__":{"__proto__":"x"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), 'header_schema', 'metadata __proto__');
    rejects(craft(null, data8, '{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), 'header_schema', 'tensor __proto__');
    rejects(craft({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    }, data8), 'offsets', 'overlap');
    rejects(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8), 'offsets', 'hole at the start');
    rejects(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data8), 'offsets', 'undescribed trailing bytes');
    rejects(craft({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8), 'truncated', 'data shorter than offsets');
    rejects(craft({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, data8), 'shape', 'overflowing shape');
});
test('every truncation and every header byte flip of a valid file gives a CheckpointError or a valid parse', () => {
    const bytes = encodeSafetensors([
        { name: 'x', shape: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => i) },
        { name: 'y', shape: [4], data: new Float32Array(4) },
    ], { format: 'pt' });
    for (let len = 0; len < bytes.length; len++) {
        assert.throws(() => readSafetensors(bytes.subarray(0, len)), CheckpointError, `truncated to ${len}`);
    }
    const headerEnd = bytes.length - 40;
    for (let i = 0; i < headerEnd; i++) {
        for (const flip of [0x01, 0x20, 0x80]) {
            const damaged = bytes.slice();
            damaged[i] ^= flip;
            try {
                readSafetensors(damaged);
            }
            catch (e) {
                assert.ok(e instanceof CheckpointError, `byte ${i} ^ ${flip}: ${String(e)}`);
            }
        }
    }
});
test('the file reader reads tensors without loading the file and rejects a truncated file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-st-'));
    try {
        const data = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
        const bytes = encodeSafetensors([{ name: 'w', shape: [10, 100], data }, { name: 'v', shape: [3], data: Float32Array.of(1, 2, 3) }]);
        writeFileSync(join(dir, 'a.safetensors'), bytes);
        const r = new SafetensorsFileReader(join(dir, 'a.safetensors'));
        const w = new Float32Array(1000);
        r.readInto('w', w);
        r.close();
        assert.deepEqual(w, data);
        writeFileSync(join(dir, 'b.safetensors'), bytes.subarray(0, bytes.length - 1));
        assert.throws(() => new SafetensorsFileReader(join(dir, 'b.safetensors')), (e) => e instanceof CheckpointError && e.code === 'truncated');
        assert.throws(() => new SafetensorsFileReader(join(dir, 'none.safetensors')), (e) => e instanceof CheckpointError && e.code === 'not_found');
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=safetensors.test.js.map