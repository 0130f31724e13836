// Weights from saved Gauntlet state reach the dev chain (src/chain DevChain), in rank
// order, every N windows; under commit-reveal they are revealed on a later call.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevChain, hotkeyFromUri, weightsToU16 } from '../../src/chain/index.js';
import { Gauntlet, saveGauntletState, newMinerRecord } from '../../src/validate/index.js';
import { makeWorld, runHash, spec } from './fixture.js';
const world = makeWorld();
const dir = mkdtempSync(join(tmpdir(), 'gm-gauntlet-chain-'));
after(() => {
    world.close();
    rmSync(dir, { recursive: true, force: true });
});
function rec(uid, mu, ma) {
    return { ...newMinerRecord(uid, 0), rating: { mu, sigma: 2 }, indicatorMa: ma, evaluations: 5 };
}
test('weights from saved scores reach the dev chain, direct and commit-reveal', async () => {
    const validator = await hotkeyFromUri('//GauntletValidator');
    const miners = await Promise.all([1, 2, 3, 4, 5].map((i) => hotkeyFromUri(`//GauntletMiner${i}`)));
    const chain = DevChain.create({ blockTimeMs: 0, neurons: [{ hotkey: validator.ss58, stake: 1000 }, ...miners.map((m) => ({ hotkey: m.ss58 }))] });
    try {
        const statePath = join(dir, 'gauntlet.json');
        // finals: uid 1 → (40−6)·0.5 = 17, uid 2 → 24·1 = 24, uid 3 → 0 (ma < 0), uid 4 → 19·0.2 = 3.8, uid 5 → 14·0.1 = 1.4
        saveGauntletState(statePath, {
            format: 'gradmesh-gauntlet', version: 1, runHash: Buffer.from(runHash).toString('hex'), nonce: '22'.repeat(32),
            lastWindow: 4, lastWeightsWindow: -1, miners: [rec(1, 40, 0.5), rec(2, 30, 1), rec(3, 50, -0.2), rec(4, 25, 0.2), rec(5, 20, 0.1)],
        });
        const g = new Gauntlet({
            engine: world.engine, runHash, spec, trainSet: world.ds, theta: () => world.theta0, statePath,
            config: { topG: 2, reserves: 1, reserveRatio: 0.5, windowsPerWeights: 5 },
        });
        // ranks 2, 1, 4 (G = 2 linear: 2, 1; one reserve: ½) and uid 5 past the reserves.
        const w = await g.maybeSetWeights(5, chain, validator);
        assert.deepEqual(w, [{ uid: 2, weight: 2 / 3.5 }, { uid: 1, weight: 1 / 3.5 }, { uid: 4, weight: 0.5 / 3.5 }, { uid: 5, weight: 0 }]);
        const row = await chain.getWeights(0);
        assert.deepEqual([...row].sort((a, b) => a[0] - b[0]), [[1, 32768], [2, 65535], [4, 16384]]);
        const expected = weightsToU16(w.map((x) => x.uid), w.map((x) => x.weight));
        assert.deepEqual(expected.uids, [2, 1, 4]);
        // Not again before N windows.
        assert.equal(await g.maybeSetWeights(9, chain, validator), null);
        // Commit-reveal, on a chain that runs it: the commit leaves the row empty, and the
        // next window's call reveals it once the reveal window is open.
        const cr = DevChain.create({ blockTimeMs: 0, commitReveal: true, neurons: [{ hotkey: validator.ss58, stake: 1000 }, ...miners.map((m) => ({ hotkey: m.ss58 }))] });
        try {
            const g2 = new Gauntlet({ engine: world.engine, runHash, spec, trainSet: world.ds, theta: () => world.theta0, statePath: join(dir, 'other.json'), config: { topG: 2, reserves: 1, reserveRatio: 0.5, windowsPerWeights: 5 } });
            assert.equal(await g2.maybeSetWeights(0, cr, validator), null, 'no scores yet: nothing to set');
            saveGauntletState(join(dir, 'other.json'), { ...readState(statePath), lastWeightsWindow: -1 });
            const g3 = new Gauntlet({ engine: world.engine, runHash, spec, trainSet: world.ds, theta: () => world.theta0, statePath: join(dir, 'other.json'), config: { topG: 2, reserves: 1, reserveRatio: 0.5, windowsPerWeights: 5 } });
            assert.ok(await g3.maybeSetWeights(10, cr, validator));
            assert.equal((await cr.getWeights(0)).size, 0, 'committed, not yet revealed');
            cr.advance(3);
            assert.equal(await g3.maybeSetWeights(11, cr, validator), null);
            assert.deepEqual([...(await cr.getWeights(0))].sort((a, b) => a[0] - b[0]), [[1, 32768], [2, 65535], [4, 16384]]);
        }
        finally {
            await cr.close();
        }
    }
    finally {
        await chain.close();
    }
});
function readState(path) {
    return JSON.parse(readFileSync(path, 'utf8'));
}
//# sourceMappingURL=chain-weights.test.js.map