// The DHT provide queue: records wait for quiet transfers (with a bound), run a few
// at a time, skip blobs that left the store, and are dropped by clear().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvideQueue } from '../../src/p2p/provide-queue.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function harness(over = {}) {
    const state = { active: false, lastTransfer: Date.now(), held: new Set(), started: [], running: 0, maxRunning: 0 };
    const q = new ProvideQueue({
        provide: async (d, signal) => {
            state.started.push(d);
            state.running++;
            state.maxRunning = Math.max(state.maxRunning, state.running);
            try {
                await new Promise((resolve, reject) => {
                    const t = setTimeout(resolve, d.startsWith('slow') ? 5000 : 40);
                    signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); });
                });
                if (d.startsWith('bad'))
                    throw new Error('dht said no');
            }
            finally {
                state.running--;
            }
        },
        stillHeld: (d) => state.held.has(d),
        transfersActive: () => state.active,
        msSinceTransfer: () => Date.now() - state.lastTransfer,
        quietMs: 100,
        maxDeferMs: 600,
        concurrency: 2,
        ...over,
    });
    return { q, state };
}
test('provide queue: records wait while transfers run, then publish a few at a time', async () => {
    const { q, state } = harness();
    for (const d of ['a', 'b', 'c', 'd', 'bad'])
        state.held.add(d);
    state.active = true;
    const results = ['a', 'b', 'c', 'd', 'bad'].map((d) => q.enqueue(d));
    assert.equal(q.enqueue('a'), results[0], 'a digest already waiting is not queued twice');
    await sleep(200);
    assert.deepEqual(state.started, [], 'nothing published during transfers');
    state.active = false;
    state.lastTransfer = Date.now();
    await sleep(50);
    assert.deepEqual(state.started, [], 'nothing published before transfers have been quiet for quietMs');
    assert.deepEqual(await Promise.all(results), [true, true, true, true, false]);
    assert.deepEqual(state.started, ['a', 'b', 'c', 'd', 'bad']);
    assert.equal(state.maxRunning, 2, 'concurrency bound');
    assert.equal(await q.whenProvided('a'), true);
    assert.equal(await q.whenProvided('never-queued'), false);
});
test('provide queue: a record waits at most maxDeferMs under constant transfers', async () => {
    const { q, state } = harness();
    state.held.add('x');
    state.active = true;
    const t0 = Date.now();
    assert.equal(await q.enqueue('x'), true);
    const waited = Date.now() - t0;
    assert.ok(waited >= 600 && waited < 1500, `published after ${waited} ms`);
});
test('provide queue: blobs pruned while waiting are skipped; clear drops what waits and aborts what runs', async () => {
    const { q, state } = harness({ concurrency: 1 });
    state.held.add('kept');
    state.held.add('slow-running');
    state.active = true;
    const pruned = q.enqueue('gone'); // not held
    const kept = q.enqueue('kept');
    state.active = false;
    state.lastTransfer = 0;
    assert.equal(await pruned, false);
    assert.equal(await kept, true);
    assert.deepEqual(state.started, ['kept']);
    const running = q.enqueue('slow-running');
    const waiting = q.enqueue('kept'); // queued behind it (concurrency 1)
    await sleep(60);
    q.clear();
    assert.equal(await running, false, 'the running provide was aborted');
    assert.equal(await waiting, false, 'the waiting one was dropped');
    assert.equal(q.waiting, 0);
    // the queue works again after clear
    assert.equal(await q.enqueue('kept'), true);
});
//# sourceMappingURL=provide-queue.test.js.map