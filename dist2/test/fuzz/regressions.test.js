// Bugs the fuzzer found (npm run bench -- fuzz), pinned as plain tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobRequest, BlobResponse, CheckpointAnnouncement, GradAnnouncement, Manifest, NodeStatus, } from '../../src/p2p/proto/messages.js';
import { CheckpointError, decodeCheckpoint, decodeCheckpointFile } from '../../src/train/checkpoint/index.js';
import { parameterLayout } from '../../src/train/model-config.js';
import { checkpointCorpus, FUZZ_MODEL } from './targets.js';
const hex = (b) => Buffer.from(b).toString('hex');
// protons-runtime 8.0.1 wrote a uint64 in [2^31, 2^32) as one byte of the five it
// reserved: BlobRequest { offset: 2^31 } decoded as offset 0, so every 8 MiB range of
// a blob between 2 and 4 GiB (a 1b-model checkpoint) was answered from the wrong offset.
// Found by the round-trip property of the proto.* and gossip.* targets.
test('uint64 fields between 2^31 and 2^32 encode as varints and round-trip', () => {
    const digest = new Uint8Array(32).fill(7);
    const e = BlobRequest.encode({ version: 1, digest, offset: 2n ** 31n, length: 0n });
    assert.equal(hex(e.subarray(e.length - 6)), '188080808008', 'field 3 = varint 2^31');
    const values = [2n ** 31n - 1n, 2n ** 31n, 2n ** 31n + 8n * 2n ** 20n, 3n * 2n ** 30n + 5n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    for (const v of values) {
        assert.deepEqual(BlobRequest.decode(BlobRequest.encode({ version: 1, digest, offset: v, length: v })), { version: 1, digest, offset: v, length: v }, `BlobRequest ${v}`);
        const res = { version: 1, status: BlobResponse.Status.OK, totalSize: v, offset: v, length: v };
        assert.deepEqual(BlobResponse.decode(BlobResponse.encode(res)), res, `BlobResponse ${v}`);
        const g = GradAnnouncement.decode(GradAnnouncement.encode({ version: 1, window: v, size: v, announcedAtMs: v }));
        assert.deepEqual([g.window, g.size, g.announcedAtMs], [v, v, v], `GradAnnouncement ${v}`);
        const m = Manifest.decode(Manifest.encode({ version: 1, window: v, issuedAtMs: v }));
        assert.deepEqual([m.window, m.issuedAtMs], [v, v], `Manifest ${v}`);
        const c = CheckpointAnnouncement.decode(CheckpointAnnouncement.encode({ version: 1, window: v, size: v }));
        assert.deepEqual([c.window, c.size], [v, v], `CheckpointAnnouncement ${v}`);
        const s = NodeStatus.decode(NodeStatus.encode({ version: 1, window: v, sentAtMs: v }));
        assert.deepEqual([s.window, s.sentAtMs], [v, v], `NodeStatus ${v}`);
    }
});
/** The first fuzz checkpoint with the model's layer count in its metadata replaced. */
function withLayers(layers) {
    const good = checkpointCorpus()[0];
    const n = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
    const json = Buffer.from(good.subarray(8, 8 + n)).toString('utf8');
    const text = json.replace('\\"num_hidden_layers\\":1,', `\\"num_hidden_layers\\":${layers},`);
    assert.notEqual(text, json, 'the layer count was found and replaced');
    const edited = Buffer.from(text);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(edited.length), true);
    return Buffer.concat([len, edited, good.subarray(8 + n)]);
}
// A checkpoint whose metadata claimed 2^31 layers made decodeCheckpoint build that
// model's layout (9 tensors per layer) before comparing it with the expected one: the
// process ran out of memory. Any peer serving a checkpoint could kill a joining node.
// Found by the checkpoint target (seed 1, case 6801: st-number set the layer count).
test('a checkpoint claiming billions of layers is refused at once, in memory and from a file', { timeout: 20_000 }, () => {
    const layout = parameterLayout(FUZZ_MODEL);
    const dir = mkdtempSync(join(tmpdir(), 'gm-fuzz-regress-'));
    try {
        for (const layers of ['2147483648', '9007199254740991', '1e300', '2']) {
            const bytes = withLayers(layers);
            const t0 = performance.now();
            assert.throws(() => decodeCheckpoint(bytes, { layout }), (e) => e instanceof CheckpointError && e.code === 'shape_mismatch', layers);
            const path = join(dir, 'c.safetensors');
            writeFileSync(path, bytes);
            assert.throws(() => decodeCheckpointFile(path, { layout }), (e) => e instanceof CheckpointError && e.code === 'shape_mismatch', layers);
            assert.ok(performance.now() - t0 < 5000, `${layers} layers took ${performance.now() - t0} ms`);
        }
        assert.ok(decodeCheckpoint(checkpointCorpus()[0], { layout }).params.length > 0, 'the unedited checkpoint still decodes');
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=regressions.test.js.map