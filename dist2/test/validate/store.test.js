// Persistence: the state file round-trips and a foreign or corrupt one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveGauntletState, loadGauntletState, newMinerRecord, GauntletError } from '../../src/validate/index.js';
const run = 'ab'.repeat(32);
test('gauntlet state round trip; foreign run and corrupt files are refused with a typed error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-gauntlet-'));
    try {
        const path = join(dir, 'gauntlet.json');
        assert.equal(loadGauntletState(path, run), undefined);
        const m = newMinerRecord(4, 2);
        m.rating = { mu: 27.123456789012345, sigma: 6.5 };
        m.indicatorMa = -0.36;
        m.penalties.copy = 2;
        const state = {
            format: 'gradmesh-gauntlet', version: 1, runHash: run, nonce: '11'.repeat(32), lastWindow: 9, lastWeightsWindow: 5, miners: [m, newMinerRecord(7, 3)],
        };
        saveGauntletState(path, state);
        assert.deepEqual(loadGauntletState(path, run), state);
        assert.throws(() => loadGauntletState(path, 'cd'.repeat(32)), (e) => e instanceof GauntletError && e.code === 'bad_state');
        writeFileSync(path, '{"format":"gradmesh-gauntlet"');
        assert.throws(() => loadGauntletState(path, run), (e) => e instanceof GauntletError && e.code === 'bad_state');
        saveGauntletState(path, { ...state, miners: [m, m] });
        assert.throws(() => loadGauntletState(path, run), /appears twice/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=store.test.js.map