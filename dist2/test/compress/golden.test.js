// Golden vectors: fixed PRNG inputs give exact payload bytes (SHA-256) and exact
// aggregated parameters (thetaHash), in test/fixtures/compress/golden.json. Set
// GRADMESH_WRITE_GOLDEN=1 to rewrite the fixture after a deliberate format change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../src/train/model-config.js';
import { loadNative } from '../../src/native/index.js';
import { runScenario, SCENARIO_OPTIONS } from './scenario.js';
const fixture = join(repoRoot(), 'test', 'fixtures', 'compress', 'golden.json');
function computeAll() {
    const out = {};
    for (const [name, o] of Object.entries(SCENARIO_OPTIONS))
        out[name] = runScenario(o);
    return out;
}
test('golden vectors: payload digests and thetaHash after each window match the committed fixture', () => {
    const got = computeAll();
    if (process.env.GRADMESH_WRITE_GOLDEN === '1' || !existsSync(fixture)) {
        if (process.env.GRADMESH_WRITE_GOLDEN !== '1')
            assert.fail(`missing ${fixture}: run with GRADMESH_WRITE_GOLDEN=1`);
        writeFileSync(fixture, JSON.stringify(got, null, 2) + '\n');
    }
    const want = JSON.parse(readFileSync(fixture, 'utf8'));
    assert.deepEqual(got, want);
});
test('same bits with 1 and 2 threads', () => {
    const native = loadNative();
    const before = native.getThreads();
    try {
        native.setThreads(1);
        const one = computeAll();
        native.setThreads(2);
        const two = computeAll();
        assert.deepEqual(one, two);
    }
    finally {
        native.setThreads(before);
    }
});
test('same bits in a separate process (child node process, 2 threads)', () => {
    const child = join(fileURLToPath(new URL('.', import.meta.url)), 'scenario-child.js');
    const r = spawnSync(process.execPath, [child, '2'], { encoding: 'utf8', cwd: repoRoot() });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), computeAll());
});
test('the async (off the event loop) compress and aggregate give the same bits', async () => {
    const { awkwardLayout, layoutSize, testVector } = await import('./helpers.js');
    const C = await import('../../src/train/compress/index.js');
    const layout = awkwardLayout();
    const n = layoutSize(layout);
    const o = { chunk: 64, k: 8, demo: false };
    const eSync = new Float32Array(n), eAsync = new Float32Array(n);
    const d = testVector(n, 31);
    const cs = C.compressWithFeedback(eSync, d, layout, 0.9, o);
    const ca = await C.compressWithFeedbackAsync(eAsync, d, layout, 0.9, o);
    assert.deepEqual([ca.quant, ca.indices, ca.codes, eAsync], [cs.quant, cs.indices, cs.codes, eSync]);
    const other = C.compressWithFeedback(new Float32Array(n), testVector(n, 32), layout, 1, o);
    const pSync = testVector(n, 33), pAsync = pSync.slice();
    C.aggregateAndStep(pSync, layout, [{ uid: 1, payload: cs }, { uid: 2, payload: other }], 0.5);
    const st = await C.aggregateAndStepAsync(pAsync, layout, [{ uid: 2, payload: other }, { uid: 1, payload: ca }], 0.5);
    assert.deepEqual(st.uids, [1, 2]);
    assert.equal(C.thetaHash(pAsync), C.thetaHash(pSync));
});
//# sourceMappingURL=golden.test.js.map