// The rate-limited, coalescing trigger behind the peer-directory refresh, on its
// own and wired (as src/node/context.ts wires it) to real nodes' unknown-peer
// callback: a burst of messages from a peer that committed late costs a bounded
// number of re-reads, and the peer is heard once a re-read includes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { topicName } from '../../src/p2p/index.js';
import { rateLimited } from '../../src/p2p/rate-limit.js';
import { RUN_HASH, bytes32, hexToBytes, startNode, tempDir, waitFor } from './helpers.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
test('the first request runs at once; requests during a run coalesce into one more, no sooner than the interval', async () => {
    const starts = [];
    let running = 0;
    let maxRunning = 0;
    const run = rateLimited(async () => {
        starts.push(Date.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(50);
        running--;
    }, 300);
    const t0 = Date.now();
    const first = run();
    await sleep(10);
    const during = Array.from({ length: 20 }, () => run()); // all while the first runs
    assert.equal(starts.length, 1);
    await first;
    assert.equal(starts.length, 1, 'the first caller waits only for the run it started');
    await Promise.all(during);
    assert.equal(starts.length, 2, 'twenty requests during a run: one more run');
    assert.ok(starts[0] - t0 < 50, 'the first ran at once');
    assert.ok(starts[1] - starts[0] >= 295, `second run ${starts[1] - starts[0]} ms after the first`);
    assert.equal(maxRunning, 1, 'never two at once');
    // quiet for longer than the interval: the next request runs at once
    await sleep(350);
    const t1 = Date.now();
    await run();
    assert.equal(starts.length, 3);
    assert.ok(starts[2] - t1 < 50);
});
test('a failed run rejects its waiters and the next request still runs; cancel settles waiters and stops runs', async () => {
    let n = 0;
    const run = rateLimited(async () => {
        n++;
        if (n === 1)
            throw new Error('chain unreachable');
    }, 100);
    await assert.rejects(run(), /chain unreachable/);
    await run();
    assert.equal(n, 2);
    const waiting = run(); // due in ~100 ms
    run.cancel();
    await waiting; // settled without a run
    await sleep(150);
    assert.equal(n, 2, 'no run after cancel');
    await run();
    assert.equal(n, 2, 'cancelled for good');
});
test('real nodes: an unknown sender triggers a rate-limited re-read, and is heard once the re-read includes it', async () => {
    const root = await tempDir('gm-rl-');
    const a = await startNode(join(root, 'a'), []);
    const b = await startNode(join(root, 'b'), [a.multiaddrs()[0]]);
    try {
        const statusTopic = topicName(RUN_HASH, 'status');
        await waitFor(() => a.libp2p.services.pubsub.getSubscribers(statusTopic).some((p) => p.toString() === b.peerId)
            && b.libp2p.services.pubsub.getSubscribers(statusTopic).some((p) => p.toString() === a.peerId), 'status subscriptions');
        // the "chain": b has not committed its PeerId yet
        const committed = new Set([a.peerId]);
        let reads = 0;
        const INTERVAL = 1000;
        const refresh = rateLimited(async () => {
            reads++;
            await sleep(20); // a chain read takes a while
            a.setRegisteredPeers(new Set(committed));
        }, INTERVAL);
        await refresh();
        const asked = [];
        a.onUnknownPeer((p) => {
            asked.push(p);
            refresh().catch(() => { });
        });
        const heard = [];
        a.on('status', (_m, from) => heard.push(from));
        const msg = (w) => ({ version: 1, runHash: hexToBytes(RUN_HASH), uid: 4, role: 'miner', window: BigInt(w), thetaHash: bytes32(2), peerCount: 1, sentAtMs: BigInt(Date.now()) });
        const t0 = Date.now();
        let w = 0;
        // a burst of messages before b's commitment lands
        await waitFor(async () => {
            for (let i = 0; i < 10; i++)
                await b.publish('status', msg(w++));
            await sleep(100);
            return asked.filter((p) => p === b.peerId).length >= 5;
        }, 'unknown-peer callbacks for b');
        assert.equal(heard.length, 0);
        assert.equal(a.penalties().size, 0, 'no offence');
        // b commits; its messages keep coming and trigger the re-read that lets them in
        committed.add(b.peerId);
        await waitFor(async () => {
            await b.publish('status', msg(w++));
            await sleep(100);
            return heard.includes(b.peerId);
        }, 'b heard after the re-read');
        const elapsed = Date.now() - t0;
        // one initial read, then at most one per interval (+1 for the run in flight at the end)
        const bound = 1 + Math.ceil(elapsed / INTERVAL) + 1;
        assert.ok(reads >= 2, 'the unknown sender caused a re-read');
        assert.ok(reads <= bound, `${reads} reads in ${elapsed} ms for ${asked.length} callbacks (bound ${bound})`);
        assert.ok(asked.length > reads, 'callbacks coalesced into fewer reads');
        assert.equal(a.penalties().size, 0);
        refresh.cancel();
    }
    finally {
        await Promise.all([a.stop(), b.stop()]);
        await rm(root, { recursive: true, force: true });
    }
});
//# sourceMappingURL=rate-limit.test.js.map