// One behavioural suite for the Chain interface, run against every backend.
// State builds up step by step (register → stake → commit → weights → commit-reveal),
// so the steps run in order inside one describe().
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/index.js';
const PEER_A = 'gm1:12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
const PEER_B = 'gm1:12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq';
async function rejectsWith(p, code, hint) {
    await assert.rejects(p, (e) => {
        assert.ok(e instanceof ChainError, `expected ChainError, got ${String(e)}`);
        assert.equal(e.code, code);
        assert.match(e.message, hint);
        return true;
    });
}
export function chainSuite(name, makeEnv) {
    describe(`Chain interface: ${name}`, { timeout: 240_000 }, () => {
        let env = null;
        let skipped = false;
        let minerUid = -1;
        let validatorUid = -1;
        before(async () => {
            env = await makeEnv();
            skipped = env === null;
        });
        after(async () => {
            await env?.close();
        });
        const step = (title, fn) => it(title, async (t) => {
            if (skipped)
                return t.skip('fixture unavailable (see the printed notice)');
            await fn(env);
        });
        step('follows the block stream', async (e) => {
            const start = await e.chain.currentBlock();
            assert.ok(Number.isInteger(start) && start >= 0);
            const seen = [];
            const { promise: two, resolve } = Promise.withResolvers();
            const unsub = await e.chain.subscribeBlocks((b) => {
                seen.push(b);
                if (seen.filter((x) => x > start).length >= 2)
                    resolve();
            });
            await e.advance(2);
            await two;
            unsub();
            const after = seen.filter((x) => x > start);
            assert.ok(after.length >= 2);
            for (let i = 1; i < seen.length; i++)
                assert.ok(seen[i] > seen[i - 1], `blocks must increase: ${seen.join(',')}`);
            assert.ok((await e.chain.currentBlock()) >= start + 2);
        });
        step('an unregistered hotkey gets one clear not_registered error', async (e) => {
            assert.equal(await e.chain.uidOf(e.stranger.ss58), null);
            await rejectsWith(e.chain.ensureRegistered(e.stranger.ss58), 'not_registered', /register/);
            await rejectsWith(e.chain.setWeights(e.stranger, [0], [1]), 'not_registered', /register/);
        });
        step('registers a miner and a validator (uids in registration order)', async (e) => {
            await e.registerBoth();
            minerUid = await e.chain.ensureRegistered(e.miner.ss58);
            validatorUid = await e.chain.ensureRegistered(e.validator.ss58);
            assert.equal(validatorUid, minerUid + 1);
            assert.equal(await e.chain.uidOf(e.miner.ss58), minerUid);
        });
        step('stake shows in the metagraph', async (e) => {
            await e.stakeValidator(100);
            const mg = await e.chain.metagraph();
            assert.deepEqual(mg.map((n) => n.uid), [...mg.keys()], 'uids are 0..n-1 in order');
            const m = mg[minerUid];
            const v = mg[validatorUid];
            assert.equal(m.hotkey, e.miner.ss58);
            assert.equal(v.hotkey, e.validator.ss58);
            assert.equal(m.coldkey, e.minerColdkey);
            assert.equal(v.coldkey, e.validatorColdkey);
            // dynamic TAO swaps TAO for alpha, so the exact amount differs from 100
            assert.ok(v.stake > 1, `validator stake ${v.stake}`);
            assert.ok(v.stake > m.stake);
            assert.equal(v.validatorPermit, true);
            for (const n of mg) {
                assert.ok(n.incentive >= 0 && n.incentive <= 1);
                assert.ok(Number.isInteger(n.lastUpdate));
            }
        });
        step('commits PeerIds and reads them back', async (e) => {
            await Promise.all([e.chain.setCommitment(e.miner, PEER_A), e.chain.setCommitment(e.validator, PEER_B)]);
            const c = await e.chain.readCommitments();
            assert.equal(c.get(e.miner.ss58), PEER_A);
            assert.equal(c.get(e.validator.ss58), PEER_B);
            assert.equal(c.has(e.stranger.ss58), false);
            await rejectsWith(e.chain.setCommitment(e.miner, 'x'.repeat(129)), 'commitment_too_long', /128/);
        });
        step('sets weights directly and reads them back as u16', async (e) => {
            assert.equal(await e.chain.commitRevealEnabled(), false);
            assert.equal(typeof (await e.chain.weightsVersionKey()), 'bigint');
            const r = await e.chain.setWeights(e.validator, [minerUid, validatorUid], [0.25, 1]);
            assert.equal(r.mode, 'direct');
            const w = await e.chain.getWeights(validatorUid);
            assert.deepEqual([...w].sort((a, b) => a[0] - b[0]), [[minerUid, 16384], [validatorUid, 65535]]);
            const mg = await e.chain.metagraph();
            assert.ok(mg[validatorUid].lastUpdate >= r.block - 1 && mg[validatorUid].lastUpdate > 0);
            // every weights row at once (what "is my miner paid" reads): the same row
            const all = await e.chain.allWeights();
            assert.deepEqual([...(all.get(validatorUid) ?? [])].sort((a, b) => a[0] - b[0]), [[minerUid, 16384], [validatorUid, 65535]]);
            // the pay figures, where the chain reports them, are shares (emission: alpha, ≥ 0)
            for (const n of mg) {
                for (const k of ['rank', 'trust', 'consensus']) {
                    const v = n[k];
                    if (v !== undefined)
                        assert.ok(v >= 0 && v <= 1, `${k} of uid ${n.uid}: ${v}`);
                }
                if (n.emission !== undefined)
                    assert.ok(n.emission >= 0 && Number.isFinite(n.emission), `emission of uid ${n.uid}: ${n.emission}`);
            }
        });
        step('commits weights, then reveals them once the window opens', async (e) => {
            await e.setCommitReveal(true);
            assert.equal(await e.chain.commitRevealEnabled(), true);
            const r = await e.chain.setWeights(e.validator, [minerUid, validatorUid], [1, 0.5]);
            assert.equal(r.mode, 'commit-reveal');
            const early = await e.chain.revealPendingWeights(e.validator);
            assert.deepEqual(early, { revealed: 0, waiting: 1, expired: 0 });
            // nothing changes before the reveal
            assert.equal((await e.chain.getWeights(validatorUid)).get(minerUid), 16384);
            let revealed = 0;
            for (let i = 0; i < 12 && revealed === 0; i++) {
                await e.advance(1);
                revealed = (await e.chain.revealPendingWeights(e.validator)).revealed;
            }
            assert.equal(revealed, 1, 'the commit was revealed within 12 blocks');
            const w = await e.chain.getWeights(validatorUid);
            assert.deepEqual([...w].sort((a, b) => a[0] - b[0]), [[minerUid, 65535], [validatorUid, 32768]]);
            assert.deepEqual(await e.chain.revealPendingWeights(e.validator), { revealed: 0, waiting: 0, expired: 0 });
        });
        step('bad weights are refused before anything is sent', async (e) => {
            await rejectsWith(e.chain.setWeights(e.validator, [0, 1], [1]), 'bad_weights', /one weight per uid/);
            await rejectsWith(e.chain.setWeights(e.validator, [0], [0]), 'bad_weights', /positive/);
        });
    });
}
//# sourceMappingURL=suite.js.map