// scripts/check-export.mjs, the held-out check of an export: a node's directory is
// exported with `gradmesh export --from NODE --reference` and the folder is loaded by
// the script's own float64 LLaMA (no code shared with the engine), which must
// reproduce the engine's logits; a folder whose weights were altered after export must
// FAIL, and one that is not an export is refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thetaHash } from '../../src/train/compress/hash.js';
import { loadModelConfig, parameterCount, repoRoot } from '../../src/train/model-config.js';
import { saveNodeState } from '../../src/node/node-state.js';
import { loadRunSpec, runHash, toHex } from '../../src/node/run-spec.js';
import { deterministicParams, MANIFEST } from './helpers.js';
const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
const CHECK = join(repoRoot(), 'scripts', 'check-export.mjs');
test('an export of a node directory is loaded by the held-out float64 reference and matches the engine; altered weights FAIL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-check-export-'));
    try {
        const tiny = loadModelConfig('tiny');
        const node = join(dir, 'nodes', 'validator0');
        // a trained-looking θ (not the initialisation), as a testnet node saves it
        const params = deterministicParams(tiny, 7).map((x) => x * 0.5);
        const zeros = new Float32Array(parameterCount(tiny));
        saveNodeState(join(node, 'state.bin'), {
            runHash: toHex(runHash(loadRunSpec('testnet-tiny'))), numParams: params.length, window: 12, manifestDigest: MANIFEST,
            thetaHash: thetaHash(params), adamStep: 60, innerStep: 60, savedAt: '2026-01-01T00:00:00Z',
        }, { params, errorBuffer: zeros, adamM: zeros, adamV: zeros });
        const out = join(dir, 'model');
        const exp = spawnSync(process.execPath, [CLI, 'export', '--from', node, '--out', out, '--reference'], { encoding: 'utf8' });
        assert.equal(exp.status, 0, exp.stderr);
        assert.equal(JSON.parse(exp.stdout.trim().split('\n').at(-1)).window, 12);
        const ok = spawnSync(process.execPath, [CHECK, out], { encoding: 'utf8' });
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
        const r = JSON.parse(ok.stdout.trim().split('\n').at(-1));
        assert.equal(r.pass, true);
        assert.ok(r.max_rel_diff < 1e-5, `relative difference ${r.max_rel_diff}`);
        assert.equal(r.argmax_agree, r.positions);
        assert.match(ok.stdout, /2 layers, hidden 64, vocab 50304, tied lm_head/);
        // Alter one value of the last layer's down projection in the safetensors file.
        const st = readFileSync(join(out, 'model.safetensors'));
        const hlen = Number(st.readBigUInt64LE(0));
        const header = JSON.parse(st.subarray(8, 8 + hlen).toString('utf8'));
        const at = 8 + hlen + header['model.layers.1.mlp.down_proj.weight'].data_offsets[0];
        st.writeFloatLE(st.readFloatLE(at) + 5, at);
        writeFileSync(join(out, 'model.safetensors'), st);
        const bad = spawnSync(process.execPath, [CHECK, out], { encoding: 'utf8' });
        assert.equal(bad.status, 1, bad.stdout + bad.stderr);
        assert.match(bad.stdout, /^FAIL$/m);
        // Not an export: the missing file is named.
        const none = spawnSync(process.execPath, [CHECK, node], { encoding: 'utf8' });
        assert.equal(none.status, 2);
        assert.match(none.stderr, /config\.json is missing/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=check-export.test.js.map