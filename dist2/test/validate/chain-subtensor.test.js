// Once on the real subtensor runtime (chopsticks, offline): the Gauntlet's weights,
// from its saved scores, land in the validator's weights row.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotkeyFromUri } from '../../src/chain/index.js';
import { Gauntlet, saveGauntletState, newMinerRecord } from '../../src/validate/index.js';
import { connectFixture, createSubnet, specOrSkip, startSubtensor } from '../chain/chopsticks-env.js';
import { makeWorld, runHash, spec } from './fixture.js';
const chainSpec = specOrSkip();
const world = makeWorld();
const dir = mkdtempSync(join(tmpdir(), 'gm-gauntlet-subtensor-'));
after(() => {
    world.close();
    rmSync(dir, { recursive: true, force: true });
});
test('Gauntlet weights reach subtensor (spec 218 under chopsticks)', { skip: chainSpec ? false : 'no subtensor chain spec', timeout: 180_000 }, async () => {
    const [owner, validator, validatorCold, m1, m2, minerCold] = await Promise.all(['//GOwner', '//GValidator', '//GValidatorCold', '//GMiner1', '//GMiner2', '//GMinerCold'].map(hotkeyFromUri));
    const fx = await startSubtensor(chainSpec, [owner, validator, validatorCold, minerCold].map((k) => k.ss58));
    try {
        const netuid = await createSubnet(fx, owner);
        const chain = await connectFixture(fx, netuid);
        try {
            await chain.burnedRegister(validatorCold.pair, validator.ss58);
            const uid1 = await chain.burnedRegister(minerCold.pair, m1.ss58);
            const uid2 = await chain.burnedRegister(minerCold.pair, m2.ss58);
            await chain.addStake(validatorCold.pair, validator.ss58, 100);
            await fx.newBlocks(3); // an epoch: the validator permit
            const vUid = (await chain.uidOf(validator.ss58));
            const statePath = join(dir, 'gauntlet.json');
            saveGauntletState(statePath, {
                format: 'gradmesh-gauntlet', version: 1, runHash: Buffer.from(runHash).toString('hex'), nonce: '33'.repeat(32), lastWindow: 0, lastWeightsWindow: -1,
                miners: [
                    { ...newMinerRecord(uid1, 0), rating: { mu: 30, sigma: 2 }, indicatorMa: 1, evaluations: 4 }, // final 24: rank 0
                    { ...newMinerRecord(uid2, 0), rating: { mu: 26, sigma: 2 }, indicatorMa: 1, evaluations: 4 }, // final 20: rank 1
                ],
            });
            const g = new Gauntlet({ engine: world.engine, runHash, spec, trainSet: world.ds, theta: () => world.theta0, statePath, config: { topG: 2 } });
            const w = await g.maybeSetWeights(1, chain, validator);
            assert.deepEqual(w?.map((x) => x.uid), [uid1, uid2]);
            await fx.newBlocks(1);
            const row = await chain.getWeights(vUid);
            // Linear profile G = 2: weights 2 : 1, scaled so the largest is 65535.
            assert.equal(row.get(uid1), 65535);
            assert.equal(row.get(uid2), 32768);
        }
        finally {
            await chain.close();
        }
    }
    finally {
        await fx.close();
    }
});
//# sourceMappingURL=chain-subtensor.test.js.map