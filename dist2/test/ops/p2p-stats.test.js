// The p2p figures of the status API, read from two real p2p nodes on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/p2p/index.js';
import { startSwarm } from '../p2p/helpers.js';
import { readP2PFigures, EMPTY_P2P_FIGURES } from '../../src/ops/p2p-stats.js';
test('bytes by topic and for blobs, failed fetches and peers, from real p2p nodes', { timeout: 60_000 }, async (t) => {
    const swarm = await startSwarm(2, { network: 'opstest', runHash: 'cd'.repeat(32), provideBlobs: false });
    t.after(swarm.stop);
    const a = swarm.nodes[0];
    const b = swarm.nodes[1];
    for (let i = 0; i < 200 && !(a.connectedPeers().includes(b.peerId) && b.connectedPeers().includes(a.peerId)); i++)
        await new Promise((r) => setTimeout(r, 100));
    assert.ok(b.connectedPeers().includes(a.peerId), 'b connected to its bootstrap peer');
    const blob = new Uint8Array(200_000).map((_, i) => (i * 7) & 255);
    await a.store.put(blob, { window: 0, kind: 'payload' });
    const got = await b.fetchBlob(sha256Hex(blob), { from: [a.peerId], timeoutMs: 20_000 });
    assert.equal(got.byteLength, blob.byteLength);
    await assert.rejects(b.fetchBlob('00'.repeat(32), { from: [a.peerId], timeoutMs: 3000 }));
    const fa = readP2PFigures(a);
    const fb = readP2PFigures(b);
    assert.deepEqual(fa.connected, [b.peerId]);
    assert.deepEqual(fb.connected, [a.peerId]);
    assert.ok(fb.scores.has(a.peerId), 'a score for each connected peer');
    assert.ok(fb.bytesIn.blob >= blob.byteLength, `b received the blob: ${fb.bytesIn.blob}`);
    assert.ok(fa.bytesOut.blob >= blob.byteLength, `a served the blob: ${fa.bytesOut.blob}`);
    assert.equal(fb.fetchFailures, 1);
    assert.equal(fa.fetchFailures, 0);
    // each node walks the DHT once right after start (its first walk runs 200 ms in)
    assert.ok(fa.dhtWalks >= 1 && fb.dhtWalks >= 1, `walks counted: ${fa.dhtWalks}, ${fb.dhtWalks}`);
    for (const topic of ['grad', 'manifest', 'checkpoint', 'status'])
        assert.ok(topic in fb.bytesIn, `topic ${topic} listed`);
});
test('a p2p node whose calls throw (stopping) reads as empty figures', () => {
    const broken = {
        stats: () => { throw new Error('stopped'); },
        connectedPeers: () => { throw new Error('stopped'); },
        gossipScore: () => 0,
    };
    assert.deepEqual(readP2PFigures(broken), { ...EMPTY_P2P_FIGURES });
});
//# sourceMappingURL=p2p-stats.test.js.map