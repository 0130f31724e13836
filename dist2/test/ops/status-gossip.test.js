import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSwarm } from '../p2p/helpers.js';
import { PeerStatusBook, publishStatus, statusMessage } from '../../src/ops/status-gossip.js';
const RUN = new Uint8Array(32).fill(0xcd);
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);
test('peers hear each other\'s θ over real gossip', { timeout: 60_000 }, async (t) => {
    const swarm = await startSwarm(2, { network: 'opsgossip', runHash: Buffer.from(RUN).toString('hex'), provideBlobs: false });
    t.after(swarm.stop);
    const a = swarm.nodes[0];
    const b = swarm.nodes[1];
    const uids = new Map([[a.peerId, 1], [b.peerId, 2]]);
    const bookB = new PeerStatusBook((p) => uids.get(p));
    b.on('status', (msg, from) => bookB.record(msg, from));
    // Until the mesh forms, a publish may reach nobody: repeat, as each window does.
    const until = Date.now() + 30_000;
    while (!bookB.get(a.peerId) && Date.now() < until) {
        await publishStatus(a, statusMessage({ runHash: RUN, uid: 1, role: 'miner', thetaWindow: 7, thetaHash: H1, peerCount: 1 }));
        await new Promise((r) => setTimeout(r, 200));
    }
    const heard = bookB.get(a.peerId);
    assert.ok(heard, 'b heard a');
    assert.deepEqual({ ...heard, heardAtMs: 0 }, { peerId: a.peerId, uid: 1, role: 'miner', thetaWindow: 7, thetaHash: H1, peerCount: 1, heardAtMs: 0 });
    assert.deepEqual(bookB.agreement({ thetaWindow: 7, thetaHash: H1 }), { thetaWindow: 7, agreeing: 1, differing: 0, elsewhere: 0 });
    assert.deepEqual(bookB.agreement({ thetaWindow: 7, thetaHash: H2 }), { thetaWindow: 7, agreeing: 0, differing: 1, elsewhere: 0 });
    assert.deepEqual(bookB.agreement({ thetaWindow: 8, thetaHash: H1 }), { thetaWindow: 8, agreeing: 0, differing: 0, elsewhere: 1 });
    assert.ok(b.stats().perTopic.status.bytesIn > 0, 'the status bytes are counted on their topic');
});
test('statuses from unregistered peers, or claiming another uid, are ignored; quiet peers expire', () => {
    let now = 1_000_000;
    const book = new PeerStatusBook((p) => (p === 'peerA' ? 1 : p === 'peerB' ? 2 : undefined), () => now);
    const msg = (uid, w, h) => statusMessage({ runHash: RUN, uid, role: 'miner', thetaWindow: w, thetaHash: h, peerCount: 3 });
    assert.equal(book.record(msg(1, 5, H1), 'peerA'), true);
    assert.equal(book.record(msg(1, 5, H2), 'peerB'), false, 'peerB is uid 2, not 1');
    assert.equal(book.record(msg(9, 5, H2), 'stranger'), false, 'not registered');
    assert.equal(book.record({ ...msg(2, 5, H2), thetaHash: new Uint8Array(0) }, 'peerB'), false, 'no θ stated');
    assert.equal(book.record(msg(2, 5, H2), 'peerB'), true);
    assert.deepEqual(book.agreement({ thetaWindow: 5, thetaHash: H1 }), { thetaWindow: 5, agreeing: 1, differing: 1, elsewhere: 0 });
    now += 11 * 60_000;
    assert.equal(book.record(msg(2, 6, H2), 'peerB'), true);
    assert.deepEqual(book.heard().map((s) => s.peerId), ['peerB'], 'peerA went quiet and no longer counts');
});
//# sourceMappingURL=status-gossip.test.js.map