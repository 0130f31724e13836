// Test fixture: the real subtensor runtime (spec 218, dynamic TAO) run in-process and
// offline by chopsticks from the raw chain spec in ../shared/chain/. Not product code.
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiPromise } from '@polkadot/api';
import { repoRoot } from '../../src/train/model-config.js';
import { SubtensorChain, connectSubtensor, hotkeyFromUri } from '../../src/chain/index.js';
export function subtensorSpecPath() {
    return process.env.GRADMESH_SUBTENSOR_SPEC ?? join(repoRoot(), '..', 'shared', 'chain', 'subtensor-spec218-raonet.json');
}
/**
 * null (after a loud notice) when the spec is missing outside CI; throws in CI, so the
 * subtensor suite can never pass silently without having run.
 */
export function specOrSkip() {
    const p = subtensorSpecPath();
    if (existsSync(p))
        return p;
    const msg = `subtensor chain spec not found at ${p} (set GRADMESH_SUBTENSOR_SPEC or place subtensor-spec218-raonet.json in ../shared/chain/ beside the repo)`;
    if (process.env.CI === 'true')
        throw new Error(`CI: ${msg}`);
    process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPING the subtensor chain tests: ${msg}\n${'!'.repeat(78)}\n\n`);
    return null;
}
export async function startSubtensor(specPath, fund) {
    process.env.LOG_LEVEL ??= 'error'; // chopsticks reads it when first imported
    const cs = await import('@acala-network/chopsticks-core');
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    // From genesis, chopsticks reads the wall clock twice while building block #1 (aura
    // slot digest, timestamp inherent); under load the two reads can straddle a 12 s slot
    // and the runtime rejects the block. Freeze the clock mid-slot for setup only: later
    // blocks take their timestamps from chain state.
    const realNow = Date.now;
    const frozen = Math.floor(realNow() / 12_000) * 12_000 + 6_000;
    Date.now = () => frozen;
    let blockchain;
    try {
        blockchain = await cs.setup({ genesis: new cs.GenesisProvider(spec), buildBlockMode: cs.BuildBlockMode.Batch, runtimeLogLevel: 0 });
    }
    finally {
        Date.now = realNow;
    }
    if (blockchain.head.number !== 1)
        throw new Error('chopsticks did not build block #1 from the subtensor spec');
    const sudo = (await hotkeyFromUri('//Alice')).pair;
    const account = (a) => [[a], { providers: 1, data: { free: 10n ** 18n } }];
    await cs.setStorage(blockchain, { Sudo: { Key: sudo.address }, System: { Account: [sudo.address, ...fund].map(account) } });
    const api = await ApiPromise.create({ provider: new cs.ChopsticksProvider(blockchain), noInitWarn: true });
    const admin = new SubtensorChain(api, 0, { commitDir: mkdtempSync(join(tmpdir(), 'gm-commits-')), inclusionTimeoutMs: 60_000, label: 'chopsticks' });
    return {
        cs, blockchain, admin, sudo,
        async newBlocks(n) {
            for (let i = 0; i < n; i++)
                await blockchain.newBlock();
        },
        provider: () => new cs.ChopsticksProvider(blockchain),
        async close() {
            await admin.close();
            await blockchain.close();
            await cs.destroyWorker(); // the wasm executor's worker thread would keep the process alive
        },
    };
}
/** creates a dynamic-TAO subnet owned by sudo, with short tempo and no rate limits */
export async function createSubnet(fx, ownerHotkey) {
    const { api } = fx.admin;
    const before = new Set((await api.query.subtensorModule.networksAdded.entries()).map(([k]) => k.args[0].toNumber()));
    // genesis state has a recent network registration: lift the rate limit first
    await fx.admin.send(api.tx.sudo.sudo(api.tx.adminUtils.sudoSetNetworkRateLimit(0)), fx.sudo);
    await fx.admin.send(api.tx.subtensorModule.registerNetwork(ownerHotkey.ss58, 1), fx.sudo);
    const after = (await api.query.subtensorModule.networksAdded.entries()).map(([k]) => k.args[0].toNumber());
    const netuid = after.find((n) => !before.has(n));
    if (netuid === undefined)
        throw new Error('registerNetwork added no subnet');
    // This runtime opens a new pool with 1 rao of alpha against the locked TAO, which
    // prices alpha so high that staking buys nothing. Give the pool deep 1:1 reserves
    // (1e6 each) so staking 100 TAO buys ~100 alpha.
    const deep = (10n ** 15n).toString();
    await fx.cs.setStorage(fx.blockchain, { SubtensorModule: { SubnetAlphaIn: [[[netuid], deep]], SubnetTAO: [[[netuid], deep]] } });
    const a = api.tx.adminUtils;
    await Promise.all([
        a.sudoSetTempo(netuid, 2), // an epoch every 3 blocks: validator permits come quickly
        a.sudoSetWeightsSetRateLimit(netuid, 0),
        a.sudoSetCommitRevealWeightsEnabled(netuid, false),
        a.sudoSetCommitRevealWeightsInterval(netuid, 1),
    ].map((call) => fx.admin.send(api.tx.sudo.sudo(call), fx.sudo)));
    return netuid;
}
export async function connectFixture(fx, netuid) {
    return connectSubtensor({ provider: fx.provider(), netuid, commitDir: mkdtempSync(join(tmpdir(), 'gm-commits-')), inclusionTimeoutMs: 60_000 });
}
//# sourceMappingURL=chopsticks-env.js.map