// "Is my miner paid?" against the dev chain: two validators with different stakes weigh
// two miners differently; what the chain reports for each miner (rank, consensus,
// trust, incentive, emission, weights from each validator) is checked against the
// figures worked by hand, then carried through the status document to
// `gradmesh status`, the Prometheus exporter and the dashboard's data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DevChain } from '../../src/chain/index.js';
import { readPay, ChainHistory } from '../../src/node/chain-history.js';
import { WeightsRecorder } from '../../src/node/weights-recorder.js';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { formatStatus } from '../../src/ops/format-status.js';
import { parseNodeStatus } from '../../src/ops/status.js';
import { sampleStatus } from './sample-status.js';
async function keys(n) {
    await cryptoWaitReady();
    const ring = new Keyring({ type: 'sr25519' });
    return Array.from({ length: n }, (_, i) => {
        const pair = ring.addFromUri(`//ChainPay${i}`);
        return { ss58: pair.address, pair };
    });
}
function samples(text) {
    const m = new Map();
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#'))
            continue;
        const i = line.lastIndexOf(' ');
        m.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
    return m;
}
const close = (a, b, what) => {
    assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: got ${a}, want ${b}`);
};
test('the chain pays each miner what its validators weigh, and status, metrics and history show it', async () => {
    const [v0, v1, m2, m3] = await keys(4);
    const chain = DevChain.create({
        blockTimeMs: 0,
        neurons: [
            { hotkey: v0.ss58, stake: 300 },
            { hotkey: v1.ss58, stake: 100 },
            { hotkey: m2.ss58 },
            { hotkey: m3.ss58 },
        ],
    });
    try {
        // Before any weights: nothing is paid, no validator weighs the miner.
        const before = await readPay(chain, 3, { window: 0, block: 0 });
        assert.equal(before.incentive, 0);
        assert.deepEqual(before.weightsFrom, []);
        chain.advance(5);
        await chain.setWeights(v0, [2, 3], [3, 1]); // stake share 0.75: 0.75 / 0.25
        await chain.setWeights(v1, [2, 3], [1, 3]); // stake share 0.25: 0.25 / 0.75
        const rows = await chain.allWeights();
        assert.deepEqual([...rows.keys()].sort(), [0, 1], 'allWeights: one row per validator that set weights');
        // By hand: rank(2) = .75·.75 + .25·.25 = .625, rank(3) = .375. Consensus is the
        // stake-weighted median: uid 2 → .75 (v0 alone holds ¾ of the stake), uid 3 → .25.
        // Clipping to consensus keeps all of uid 2's rank (trust 1) and .25 of uid 3's .375.
        const p2 = await readPay(chain, 2, { window: 1, block: 5 });
        const p3 = await readPay(chain, 3, { window: 1, block: 5 });
        close(p2.rank, 0.625, 'rank uid 2');
        close(p3.rank, 0.375, 'rank uid 3');
        close(p2.consensus, 0.75, 'consensus uid 2');
        close(p3.consensus, 0.25, 'consensus uid 3');
        close(p2.trust, 1, 'trust uid 2');
        close(p3.trust, 0.25 / 0.375, 'trust uid 3');
        close(p3.incentive, 0.375, 'incentive uid 3');
        close(p3.emission, 0.5 * 0.375, 'emission uid 3 (half of 1 alpha per block, by incentive)');
        assert.deepEqual(p3.weightsFrom.map((w) => [w.validatorUid, w.stake]), [[1, 100], [0, 300]], 'highest weight first');
        close(p3.weightsFrom[0].weight, 0.75, 'v1 gives uid 3');
        close(p3.weightsFrom[1].weight, 0.25, 'v0 gives uid 3');
        // v0 changes its mind: uid 3's incentive rises, and the history shows both readings.
        chain.advance(5);
        await chain.setWeights(v0, [2, 3], [1, 1]);
        const later = await readPay(chain, 3, { window: 2, block: 10 });
        close(later.incentive, 0.75 * 0.5 + 0.25 * 0.75, 'incentive uid 3 after v0 weighs evenly');
        const history = new ChainHistory(undefined, 8);
        history.record(p3);
        history.record(later);
        // A validator's weights history, as the recorder keeps it.
        const recorder = new WeightsRecorder({ now: () => ({ window: 2, block: 10 }), tries: 1 });
        await recorder.wrap(chain).setWeights(v1, [2, 3], [1, 3]);
        const miner = parseNodeStatus({ ...sampleStatus({ role: 'miner', uid: 3 }), pay: { history: history.entries() } });
        const text = formatStatus(miner);
        assert.match(text, /paid +window 2 \(block 10\): incentive 56\.3% ↑ · emission 0\.281 ↑ · trust /);
        assert.match(text, /weights +uid 1 gives 75\.0% \(stake 100\) · uid 0 gives 50\.0% \(stake 300\)/);
        assert.match(text, /history +incentive over 2 windows 1–2: 37\.5% → 56\.3%/);
        const m = samples(await new OpsMetrics(() => miner, { processMetrics: false }).render());
        assert.equal(m.get('gradmesh_chain_incentive{role="miner"}'), later.incentive);
        assert.equal(m.get('gradmesh_chain_emission{role="miner"}'), later.emission);
        assert.equal(m.get('gradmesh_chain_trust{role="miner"}'), later.trust);
        assert.equal(m.get('gradmesh_chain_pay_window{role="miner"}'), 2);
        assert.equal(m.get('gradmesh_chain_weight_from_validator{validator_uid="1"}'), 0.75);
        const validator = parseNodeStatus({ ...sampleStatus({ role: 'validator', uid: 1 }), pay: { history: [], weightsSet: recorder.entries() } });
        assert.match(formatStatus(validator), /set +last set in window 2 \(block 10, .*direct\): uid 2 1\.000, uid 3 3\.000 · 1 set, 0 failed/);
        const vm = samples(await new OpsMetrics(() => validator, { processMetrics: false }).render());
        assert.equal(vm.get('gradmesh_weights_set_attempts_total{result="ok"}'), 1);
    }
    finally {
        await chain.close();
    }
});
test('a validator without a permit cannot pay anyone, and the recorder says set_weights failed', async () => {
    const [v0, m1, m2] = await keys(3);
    const chain = DevChain.create({ blockTimeMs: 0, maxValidators: 1, neurons: [{ hotkey: v0.ss58, stake: 10 }, { hotkey: m1.ss58 }, { hotkey: m2.ss58 }] });
    try {
        const warnings = [];
        const errors = [];
        const recorder = new WeightsRecorder({
            now: () => ({ window: 4, block: 40 }), tries: 2, backoffMs: 1,
            log: { info: () => { }, warn: (o) => warnings.push(o), error: (o) => errors.push(o) },
        });
        // m1 holds no permit (maxValidators 1): the chain refuses its weights for m2.
        await assert.rejects(recorder.wrap(chain).setWeights(m1, [2], [1]), /NeuronNoValidatorPermit/);
        assert.equal(warnings.length, 1, 'one retry logged');
        assert.equal(errors.length, 1, 'the final failure logged');
        const [a] = recorder.entries();
        assert.equal(a.ok, false);
        assert.equal(a.tries, 2);
        assert.match(a.error, /NeuronNoValidatorPermit/);
        const p = await readPay(chain, 2, { window: 4, block: 40 });
        assert.equal(p.incentive, 0);
        assert.deepEqual(p.weightsFrom, []);
        const status = parseNodeStatus({ ...sampleStatus({ role: 'validator', uid: 1 }), pay: { history: [p], weightsSet: recorder.entries() } });
        assert.match(formatStatus(status), /never set · LAST TRY FAILED in window 4 after 2 tries: .*NeuronNoValidatorPermit/);
    }
    finally {
        await chain.close();
    }
});
//# sourceMappingURL=chain-pay.test.js.map