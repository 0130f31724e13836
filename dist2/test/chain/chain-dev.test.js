// The interface suite against the dev chain: in-process, and over its loopback
// service from a client (as separate node processes use it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError, DevChain, connectDevChain, hotkeyFromUri, startDevChainServer } from '../../src/chain/index.js';
import { chainSuite } from './suite.js';
async function devEnv(remote) {
    // blocks by hand so the test controls time (no timers, no timing assertions)
    const dev = DevChain.create({ netuid: 7, blockTimeMs: 0, revealPeriodBlocks: 2 });
    const owner = await hotkeyFromUri('//DevOwner');
    dev.register(owner.ss58); // uid 0, like a subnet owner's hotkey on subtensor
    const server = remote ? await startDevChainServer(dev, { port: 0 }) : undefined;
    const chain = server ? await connectDevChain(server.url, 7) : dev;
    const [miner, validator, stranger] = await Promise.all(['//Miner', '//Validator', '//Stranger'].map(hotkeyFromUri));
    return {
        chain, miner: miner, validator: validator, stranger: stranger,
        minerColdkey: 'cold-miner', validatorColdkey: 'cold-validator',
        async registerBoth() {
            dev.register(miner.ss58, 'cold-miner');
            dev.register(validator.ss58, 'cold-validator');
        },
        async stakeValidator(amount) {
            dev.setStake(validator.ss58, amount);
        },
        async setCommitReveal(enabled) {
            dev.setCommitReveal(enabled);
        },
        async advance(n) {
            dev.advance(n);
            // let the server's block events reach the client before the caller looks
            if (server)
                await new Promise((r) => setTimeout(r, 20));
        },
        async close() {
            await chain.close();
            await server?.close();
            await dev.close();
        },
    };
}
chainSuite('dev chain, in-process', () => devEnv(false));
chainSuite('dev chain, over loopback RPC', () => devEnv(true));
describe('dev chain: bad input', () => {
    it('a wrong URL gives one clear unreachable error', async () => {
        await assert.rejects(connectDevChain('http://127.0.0.1:9', 1), (e) => e instanceof ChainError && e.code === 'unreachable' && /start it/.test(e.message));
    });
    it('a subnet the dev chain does not serve gives subnet_not_found', async () => {
        const dev = DevChain.create({ netuid: 3, blockTimeMs: 0 });
        const server = await startDevChainServer(dev, { port: 0 });
        try {
            await assert.rejects(connectDevChain(server.url, 4), (e) => e instanceof ChainError && e.code === 'subnet_not_found' && /--netuid 3/.test(e.message));
        }
        finally {
            await server.close();
        }
    });
    it('the server refuses unsigned or forged state changes and survives garbage', async () => {
        const dev = DevChain.create({ netuid: 1, blockTimeMs: 0 });
        const alice = await hotkeyFromUri('//Alice');
        const bob = await hotkeyFromUri('//Bob');
        dev.register(alice.ss58);
        const server = await startDevChainServer(dev, { port: 0 });
        try {
            const post = async (body) => (await (await fetch(`${server.url}/rpc`, { method: 'POST', body })).json());
            assert.match((await post('{not json')).error.message, /JSON/);
            assert.match((await post(JSON.stringify({ method: 'setCommitment', params: ['gm1:x'] }))).error.message, /signed/);
            // bob signs a commitment claiming to be alice
            const forged = { method: 'setCommitment', params: ['gm1:evil'], hotkey: alice.ss58, signature: `0x${Buffer.from(bob.pair.sign('gradmesh-dev|1|setCommitment|["gm1:evil"]')).toString('hex')}` };
            assert.match((await post(JSON.stringify(forged))).error.message, /bad signature/);
            assert.equal(dev.state.readCommitments().size, 0);
            // and a real client still works afterwards
            const client = await connectDevChain(server.url, 1);
            await client.setCommitment(alice, 'gm1:ok');
            assert.equal((await client.readCommitments()).get(alice.ss58), 'gm1:ok');
            await client.close();
        }
        finally {
            await server.close();
        }
    });
    it('blocks come from a timer when blockTimeMs > 0', async () => {
        const dev = DevChain.create({ blockTimeMs: 5 });
        const { promise, resolve } = Promise.withResolvers();
        const unsub = await dev.subscribeBlocks((b) => b >= 3 && resolve(b));
        assert.equal(await promise, 3);
        unsub();
        await dev.close();
    });
});
//# sourceMappingURL=chain-dev.test.js.map