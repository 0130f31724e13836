// The chain history a node keeps of what it is paid: one entry per window, the newest
// `max` kept, persisted and read back after a restart; a damaged file starts it afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainHistory, payEntry, watchPay } from '../../src/node/chain-history.js';
import { WeightsRecorder } from '../../src/node/weights-recorder.js';
const neuron = (uid, o = {}) => ({
    uid, hotkey: `hk${uid}`, coldkey: `ck${uid}`, stake: uid === 0 ? 50 : 0, validatorPermit: true, incentive: 0, lastUpdate: 0, ...o,
});
test('payEntry: the uid\'s figures and each validator\'s share of its row for the uid', () => {
    const neurons = [neuron(0), neuron(1, { stake: 25 }), neuron(2, { incentive: 0.4, rank: 0.4, trust: 0.9, consensus: 0.3, emission: 0.2, dividends: 0 })];
    const weights = new Map([
        [0, new Map([[2, 100], [1, 300]])], // gives uid 2 a quarter
        [1, new Map([[2, 65535]])], // gives uid 2 everything
        [3, new Map([[1, 5]])], // does not weigh uid 2
    ]);
    const e = payEntry({ window: 7, block: 70, timeMs: 1 }, 2, neurons, weights);
    assert.deepEqual(e, {
        window: 7, block: 70, timeMs: 1, uid: 2, rank: 0.4, trust: 0.9, consensus: 0.3, incentive: 0.4, emission: 0.2, dividends: 0,
        weightsFrom: [{ validatorUid: 1, stake: 25, weight: 1 }, { validatorUid: 0, stake: 50, weight: 0.25 }],
    });
    // A chain that does not report rank/trust (a runtime without those maps): null, not 0.
    const bare = payEntry({ window: 7, block: 70 }, 1, [neuron(1)], new Map());
    assert.equal(bare.rank, null);
    assert.equal(bare.trust, null);
    assert.equal(bare.emission, null);
    // A uid the metagraph does not have (deregistered): paid nothing.
    assert.equal(payEntry({ window: 7, block: 70 }, 9, neurons, weights).incentive, 0);
});
test('history: one entry per window, bounded, persisted across a restart; a damaged file starts afresh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-chain-history-'));
    try {
        const path = join(dir, 'chain-history.json');
        const h = new ChainHistory(path, 3);
        const at = (w, incentive) => payEntry({ window: w, block: w * 10, timeMs: w }, 2, [neuron(2, { incentive })], new Map());
        for (let w = 0; w < 5; w++)
            h.record(at(w, w / 10));
        h.record(at(4, 0.9)); // the same window read again: the newer reading replaces it
        assert.deepEqual(h.entries().map((e) => [e.window, e.incentive]), [[2, 0.2], [3, 0.3], [4, 0.9]]);
        const again = new ChainHistory(path, 3);
        assert.deepEqual(again.entries(), h.entries(), 'read back after a restart');
        assert.equal(again.latest()?.window, 4);
        assert.deepEqual(new ChainHistory(path, 2).entries().map((e) => e.window), [3, 4], 'a smaller bound keeps the newest');
        writeFileSync(path, '{"format":"gradmesh-chain-history","entries":[{"win');
        assert.deepEqual(new ChainHistory(path).entries(), []);
        assert.throws(() => new ChainHistory(path, 0), /chain history size must be a positive integer, not 0/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test('watchPay reads the chain once per window and survives a failed read', async () => {
    let window = 3;
    const waiters = [];
    const driver = {
        get window() { return window; },
        get block() { return window * 10; },
        waitFor: (w) => new Promise((resolve) => waiters.push({ w, resolve })),
    };
    let reads = 0;
    const chain = {
        metagraph: async () => {
            reads++;
            if (reads === 2)
                throw new Error('connection refused');
            return [neuron(2, { incentive: reads / 10 })];
        },
        allWeights: async () => new Map(),
    };
    const warned = [];
    const h = new ChainHistory();
    const stop = watchPay({ chain, uid: 2, history: h, driver, log: { warn: (o) => warned.push(o) } });
    const tick = async () => {
        while (!waiters.length)
            await new Promise((r) => setTimeout(r, 1));
        window++;
        waiters.shift().resolve(window);
    };
    await tick(); // window 4: the read fails
    await tick(); // window 5
    while (h.entries().length < 2)
        await new Promise((r) => setTimeout(r, 1));
    stop();
    assert.deepEqual(h.entries().map((e) => [e.window, e.block, e.incentive]), [[3, 30, 0.1], [5, 50, 0.3]]);
    assert.equal(warned.length, 1);
    assert.match(JSON.stringify(warned[0]), /pay_read_failed.*"window":4.*connection refused/);
});
test('weights recorder: a failed set_weights is retried; success and failure are recorded and persisted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-weights-history-'));
    try {
        const path = join(dir, 'weights-history.json');
        let calls = 0;
        const chain = {
            setWeights: async () => {
                calls++;
                if (calls === 1)
                    throw new Error('transaction timed out');
                return { mode: 'direct', block: 77 };
            },
        };
        const rec = new WeightsRecorder({ path, backoffMs: 1, now: () => ({ window: 7, block: 70 + calls }) });
        const r = await rec.wrap(chain).setWeights('signer', [1, 2], [0.5, 0.5]);
        assert.deepEqual(r, { mode: 'direct', block: 77 });
        assert.equal(calls, 2);
        const [a] = rec.entries();
        assert.equal(a.ok, true);
        assert.equal(a.tries, 2);
        assert.equal(a.mode, 'direct');
        assert.deepEqual(a.weights, [{ uid: 1, weight: 0.5 }, { uid: 2, weight: 0.5 }]);
        const again = new WeightsRecorder({ path, now: () => ({ window: 0, block: 0 }) });
        assert.deepEqual(again.entries(), rec.entries());
        assert.equal(again.lastSet()?.window, 7);
        assert.match(readFileSync(path, 'utf8'), /gradmesh-weights-history/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=chain-history.test.js.map