// The interface suite against the real subtensor runtime (chopsticks, offline), plus
// the subtensor-specific bad-input cases.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError, connectSubtensor, hotkeyFromUri, resolveEndpoint } from '../../src/chain/index.js';
import { chainSuite } from './suite.js';
import { connectFixture, createSubnet, specOrSkip, startSubtensor } from './chopsticks-env.js';
const spec = specOrSkip();
let fx = null;
let netuid = -1;
chainSuite('subtensor (spec 218 under chopsticks)', async () => {
    if (!spec)
        return null;
    const [owner, miner, validator, stranger, minerCold, validatorCold] = await Promise.all(['//Owner', '//Miner', '//Validator', '//Stranger', '//MinerCold', '//ValidatorCold'].map(hotkeyFromUri));
    fx = await startSubtensor(spec, [owner, miner, validator, minerCold, validatorCold].map((k) => k.ss58));
    netuid = await createSubnet(fx, owner);
    const chain = await connectFixture(fx, netuid);
    const f = fx;
    return {
        chain, miner: miner, validator: validator, stranger: stranger,
        minerColdkey: minerCold.ss58, validatorColdkey: validatorCold.ss58,
        async registerBoth() {
            // sequential: uids follow registration order
            await chain.burnedRegister(minerCold.pair, miner.ss58);
            await chain.burnedRegister(validatorCold.pair, validator.ss58);
        },
        async stakeValidator(amount) {
            await chain.addStake(validatorCold.pair, validator.ss58, amount);
            await f.newBlocks(3); // one epoch (tempo 2) assigns validator permits
        },
        async setCommitReveal(enabled) {
            await f.admin.send(f.admin.api.tx.sudo.sudo(f.admin.api.tx.adminUtils.sudoSetCommitRevealWeightsEnabled(netuid, enabled)), f.sudo);
        },
        advance: (n) => f.newBlocks(n),
        async close() {
            await chain.close();
        },
    };
});
describe('subtensor: bad input', { skip: spec ? false : 'subtensor chain spec missing (see the notice above)' }, () => {
    after(async () => {
        await fx?.close();
    });
    it('a subnet that does not exist gives subnet_not_found', async () => {
        assert.ok(fx, 'the suite above started the chain');
        await assert.rejects(connectSubtensor({ provider: fx.provider(), netuid: 999 }), (e) => e instanceof ChainError && e.code === 'subnet_not_found' && /subnet 999 does not exist/.test(e.message) && /--netuid/.test(e.message));
    });
    it('a failing extrinsic is decoded into the pallet error with a hint', async (t) => {
        assert.ok(fx);
        const chain = await connectFixture(fx, netuid);
        const unregistered = await hotkeyFromUri('//NeverRegistered');
        try {
            // staking onto a hotkey that is not registered: the runtime's error comes back
            // by name, not as an opaque dispatch error
            await assert.rejects(chain.addStake((await hotkeyFromUri('//ValidatorCold')).pair, unregistered.ss58, 1), (e) => {
                t.diagnostic(String(e.message));
                return e instanceof ChainError && e.code === 'extrinsic_failed' && /addStake failed: subtensorModule\.HotKeyAccountNotExists/.test(e.message) && /register/.test(e.message);
            });
        }
        finally {
            await chain.close();
        }
    });
});
describe('subtensor endpoints', () => {
    it('resolves btcli network names and rejects bad endpoints', () => {
        assert.equal(resolveEndpoint({ network: 'finney' }), 'wss://entrypoint-finney.opentensor.ai:443');
        assert.equal(resolveEndpoint({ network: 'test' }), 'wss://test.finney.opentensor.ai:443');
        assert.equal(resolveEndpoint({ network: 'local' }), 'ws://127.0.0.1:9944');
        assert.equal(resolveEndpoint({ network: 'finney', endpoint: 'ws://10.0.0.1:9944' }), 'ws://10.0.0.1:9944');
        assert.throws(() => resolveEndpoint({ network: 'mainnet' }), (e) => e instanceof ChainError && e.code === 'bad_endpoint' && /finney, test, local/.test(e.message));
        assert.throws(() => resolveEndpoint({ endpoint: 'http://127.0.0.1:9944' }), (e) => e instanceof ChainError && e.code === 'bad_endpoint');
    });
    it('a wrong endpoint gives one clear unreachable error', async () => {
        await assert.rejects(connectSubtensor({ endpoint: 'ws://127.0.0.1:9', netuid: 1, connectTimeoutMs: 1500 }), (e) => e instanceof ChainError && e.code === 'unreachable' && /ws:\/\/127\.0\.0\.1:9/.test(e.message) && /--subtensor\.chain_endpoint/.test(e.message));
    });
});
//# sourceMappingURL=chain-subtensor.test.js.map