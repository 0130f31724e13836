// Checkpoint encode/decode: a committed fixed vector, the round trip, and the
// rejection of lying or mismatched checkpoints with typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, decodeCheckpoint, decodeCheckpointFile, peekCheckpointFile, encodeCheckpoint, encodeSafetensors, readSafetensors, checkpointMetadata, CHECKPOINT_FORMAT, META_KEYS, } from '../../src/train/checkpoint/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { parameterLayout, repoRoot } from '../../src/train/model-config.js';
import { deterministicParams, smallModel, RUN_A, RUN_B, MANIFEST } from './helpers.js';
const model = smallModel();
const layout = parameterLayout(model);
const params = deterministicParams(model, 7);
const identity = (p, window = 7) => ({ window, thetaHash: thetaHash(p), runHash: RUN_A, manifestDigest: MANIFEST });
function rejects(fn, code) {
    assert.throws(fn, (e) => {
        assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        return true;
    });
}
const FIXTURE = join(repoRoot(), 'test', 'fixtures', 'checkpoint', 'small-w7.safetensors');
// thetaHash of deterministicParams(smallModel(), 7): pins the parameter recipe and the hash.
const FIXTURE_THETA = '32d2c4b4681d9e84a811ba97fe8144e4d74178be55c1c191adc0b436130371df';
test('the encoder reproduces the committed checkpoint byte for byte, and it decodes', () => {
    const bytes = encodeCheckpoint({ params, layout, model, meta: identity(params) });
    if (process.env.GRADMESH_WRITE_FIXTURES === '1') {
        mkdirSync(join(FIXTURE, '..'), { recursive: true });
        writeFileSync(FIXTURE, bytes);
    }
    const fixture = new Uint8Array(readFileSync(FIXTURE));
    assert.equal(thetaHash(params), FIXTURE_THETA);
    assert.deepEqual(Buffer.from(bytes), Buffer.from(fixture));
    const { meta, params: got } = decodeCheckpoint(fixture, { runHash: RUN_A, layout });
    assert.deepEqual(got, params);
    assert.deepEqual(meta, { format: CHECKPOINT_FORMAT, model, ...identity(params) });
});
test('a checkpoint is plain safetensors with the HF names in canonical order and format "pt"', () => {
    const view = readSafetensors(encodeCheckpoint({ params, layout, model, meta: identity(params) }));
    assert.deepEqual(view.header.tensors.map((t) => t.name), layout.map((t) => t.name));
    assert.equal(view.header.metadata.format, 'pt');
    // The data section is the flat parameter buffer itself, so its hash is thetaHash.
    assert.deepEqual(new Float32Array(view.data.slice().buffer), params);
});
test('a lying checkpoint is rejected: parameters changed, metadata kept', () => {
    const bytes = encodeCheckpoint({ params, layout, model, meta: identity(params) });
    const dataStart = readSafetensors(bytes).header.dataStart;
    for (const at of [0, 4 * 1000, bytes.length - dataStart - 4]) {
        const lying = bytes.slice();
        lying[dataStart + at] ^= 0x01; // one bit of one weight
        rejects(() => decodeCheckpoint(lying, { layout }), 'theta_mismatch');
    }
    // Another θ under this θ's identity, built with the real encoder's metadata.
    const other = deterministicParams(model, 8);
    const forged = encodeSafetensors(layout.map((t) => ({ name: t.name, shape: t.shape, data: other.subarray(t.offset, t.offset + t.numel) })), checkpointMetadata(model, identity(params)));
    rejects(() => decodeCheckpoint(forged, { layout }), 'theta_mismatch');
});
test('checkpoints of another run, model, tensor set, dtype or version are rejected', () => {
    const good = encodeCheckpoint({ params, layout, model, meta: identity(params) });
    rejects(() => decodeCheckpoint(good, { runHash: RUN_B, layout }), 'run_mismatch');
    rejects(() => decodeCheckpoint(good, { layout: parameterLayout(smallModel({ intermediate_size: 48 })) }), 'shape_mismatch');
    const meta = checkpointMetadata(model, identity(params));
    const tensors = layout.map((t) => ({ name: t.name, shape: t.shape, data: params.subarray(t.offset, t.offset + t.numel) }));
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors.slice(1), meta), { layout }), 'tensor_set');
    rejects(() => decodeCheckpoint(encodeSafetensors([...tensors, { name: 'extra', shape: [1], data: Float32Array.of(0) }], meta), { layout }), 'tensor_set');
    const renamed = tensors.map((t, i) => (i === 3 ? { ...t, name: 'model.layers.0.self_attn.q_proj.bias' } : t));
    rejects(() => decodeCheckpoint(encodeSafetensors(renamed, meta), { layout }), 'tensor_set');
    const reshaped = tensors.map((t) => (t.name === 'model.norm.weight' ? { ...t, shape: [4, 4] } : t));
    rejects(() => decodeCheckpoint(encodeSafetensors(reshaped, meta), { layout }), 'shape_mismatch');
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors, { ...meta, [META_KEYS.format]: 'gradmesh-checkpoint/2' }), { layout }), 'version');
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors, { format: 'pt' }), { layout }), 'metadata');
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors, { ...meta, [META_KEYS.window]: '-1' }), { layout }), 'metadata');
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors, { ...meta, [META_KEYS.thetaHash]: 'zz' }), { layout }), 'metadata');
    rejects(() => decodeCheckpoint(encodeSafetensors(tensors, { ...meta, [META_KEYS.model]: '{"vocab_size":' }), { layout }), 'metadata');
    // The embedding as BF16 (right shape, other tensors F32): fine for import, not for a checkpoint.
    const header = { __metadata__: meta };
    let at = 0;
    for (const t of layout) {
        const size = (t.name === 'model.embed_tokens.weight' ? 2 : 4) * t.numel;
        header[t.name] = { dtype: size === 2 * t.numel ? 'BF16' : 'F32', shape: t.shape, data_offsets: [at, at + size] };
        at += size;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bf = new Uint8Array(8 + json.length + at);
    new DataView(bf.buffer).setBigUint64(0, BigInt(json.length), true);
    bf.set(json, 8);
    assert.equal(readSafetensors(bf).header.byName.get('model.embed_tokens.weight').dtype, 'BF16');
    rejects(() => decodeCheckpoint(bf, { layout }), 'dtype');
});
test('the encoder refuses to publish a checkpoint whose thetaHash is not its parameters', () => {
    rejects(() => encodeCheckpoint({ params, layout, model, meta: identity(deterministicParams(model, 9)) }), 'theta_mismatch');
    rejects(() => encodeCheckpoint({ params, layout, model, meta: { ...identity(params), runHash: 'nothex' } }), 'invalid_input');
    rejects(() => encodeCheckpoint({ params: params.subarray(1), layout, model, meta: identity(params) }), 'invalid_input');
    rejects(() => encodeCheckpoint({ params, layout: parameterLayout(smallModel({ tie_word_embeddings: true })), model, meta: identity(params) }), 'shape_mismatch');
});
test('every refusal of a checkpoint file names the file, with the error code kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-ckpt-'));
    try {
        const path = join(dir, 'ckpt-000000000007.safetensors');
        const good = encodeCheckpoint({ params, layout, model, meta: identity(params) });
        const { dataStart } = readSafetensors(good).header;
        const tensors = layout.map((t) => ({ name: t.name, shape: t.shape, data: params.subarray(t.offset, t.offset + t.numel) }));
        const meta = checkpointMetadata(model, identity(params));
        const lying = good.slice();
        lying[dataStart + 8] ^= 0x01;
        const badJson = good.slice();
        badJson[8] = '['.charCodeAt(0);
        const cases = [
            ['truncated before the header', good.subarray(0, 5), 'truncated'],
            ['header not JSON', badJson, 'header_json'],
            ['window not a number', encodeSafetensors(tensors, { ...meta, [META_KEYS.window]: 'seven' }), 'metadata'],
            ['parameters changed', lying, 'theta_mismatch'],
            ['last tensor cut short', good.subarray(0, good.length - 4), 'truncated'],
        ];
        for (const [what, bytes, code] of cases) {
            writeFileSync(path, bytes);
            for (const read of [() => decodeCheckpointFile(path, { layout }), () => decodeCheckpointFile(path, { layout }, new Float32Array(params.length))]) {
                assert.throws(read, (e) => {
                    assert.ok(e instanceof CheckpointError, `${what}: ${String(e)}`);
                    assert.equal(e.code, code, `${what}: ${e.message}`);
                    assert.ok(e.message.startsWith(`${code}: ${path}: `), `${what}: names the file once: ${e.message}`);
                    return true;
                });
            }
        }
        writeFileSync(path, encodeSafetensors(tensors, { ...meta, [META_KEYS.thetaHash]: 'zz' }));
        assert.throws(() => peekCheckpointFile(path), (e) => e instanceof CheckpointError && e.code === 'metadata' && e.message.startsWith(`metadata: ${path}: `));
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=checkpoint.test.js.map