// Eight real nodes on loopback that know only one seed; gossip, blobs, gating and
// hostile input. The swarm is shared by the tests in order (each leaves it usable).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { topicName } from '../../src/p2p/index.js';
import { GradAnnouncement as GradCodec } from '../../src/p2p/proto/messages.js';
import { gossipFastMsgId } from '../../src/p2p/host.js';
import { RUN_HASH, bytes32, hexToBytes, startSwarm, waitFor, payload } from './helpers.js';
const N = 8;
const RANGE = 256 * 1024;
function announcement(digest, size, uid) {
    return { version: 1, runHash: hexToBytes(RUN_HASH), window: 3n, uid, digest: hexToBytes(digest), size: BigInt(size), baseThetaHash: bytes32(7), announcedAtMs: BigInt(Date.now()) };
}
describe('p2p swarm of 8 nodes on loopback', () => {
    let sw;
    let nodes;
    const received = new Map();
    before(async () => {
        sw = await startSwarm(N, { rangeBytes: RANGE });
        nodes = sw.nodes;
        for (const n of nodes) {
            const list = [];
            received.set(n.peerId, list);
            n.on('grad', (msg, from) => list.push({ msg, from }));
        }
    });
    after(async () => { await sw.stop(); });
    const others = (x) => nodes.filter((n) => n !== x && n.libp2p.status === 'started');
    const gradTopic = topicName(RUN_HASH, 'grad');
    test('nodes that know only the seed find every other node through the DHT', async () => {
        // each non-seed node was given only the seed's address: the others come from DHT walks
        const ids = nodes.map((n) => n.peerId);
        const known = async (n) => {
            const inStore = new Set((await n.libp2p.peerStore.all()).filter((p) => p.addresses.length > 0).map((p) => p.id.toString()));
            return ids.every((id) => id === n.peerId || inStore.has(id));
        };
        await waitFor(async () => (await Promise.all(nodes.map(known))).every(Boolean), 'every node knows every other');
        await waitFor(() => nodes.slice(1).every((n) => n.connectedPeers().some((p) => p !== nodes[0].peerId)), 'connections beyond the seed');
    });
    test('an announcement reaches every node, signed by its publisher', async () => {
        const pub = nodes[3];
        const digest = createHash('sha256').update('hello').digest('hex');
        const has = (n) => received.get(n.peerId).some((r) => Buffer.from(r.msg.digest).toString('hex') === digest);
        // announcements are re-sent until every node has one (a node joining the mesh late misses earlier ones)
        await waitFor(async () => {
            if (others(pub).every(has))
                return true;
            await pub.publish('grad', announcement(digest, 5, 3));
            await new Promise((r) => setTimeout(r, 1000));
            return others(pub).every(has);
        }, 'delivery to all');
        for (const n of others(pub)) {
            const r = received.get(n.peerId).find((x) => Buffer.from(x.msg.digest).toString('hex') === digest);
            assert.equal(r.from, pub.peerId);
            assert.equal(r.msg.uid, 3);
            assert.equal(r.msg.window, 3n);
        }
        assert.equal(received.get(pub.peerId).length, 0, 'no echo to the publisher');
    });
    /** Nodes that the given node sends its grad messages to directly (they validate them first-hand). */
    const directTopicPeers = (x) => {
        const ps = x.libp2p.services.pubsub;
        // subscribed, and the outbound gossip stream is open (internal map of the gossipsub class)
        const out = ps.streamsOutbound;
        const subs = new Set(ps.getSubscribers(gradTopic).map((p) => p.toString()).filter((id) => out?.has(id) ?? true));
        return others(x).filter((n) => subs.has(n.peerId));
    };
    test('copies of a gossip message are recognised by signature before any signature check', () => {
        // gossipsub verifies a message's signature before it looks it up among those seen,
        // unless it has a fast id: every node must use the signature as one
        for (const n of nodes)
            assert.equal(n.libp2p.services.pubsub.fastMsgIdFn, gossipFastMsgId);
        const sig = new Uint8Array(64).map((_, i) => i);
        const other = sig.slice();
        other[63] ^= 1;
        assert.equal(gossipFastMsgId({ signature: sig }), gossipFastMsgId({ signature: sig.slice() }), 'same signature, same id');
        assert.notEqual(gossipFastMsgId({ signature: sig }), gossipFastMsgId({ signature: other }), 'another signature, another id');
        assert.equal(gossipFastMsgId({ signature: new Uint8Array(80).subarray(8, 72) }), gossipFastMsgId({ signature: new Uint8Array(64) }), 'views read only their own bytes');
        assert.equal(gossipFastMsgId({}), '', 'unsigned: an id that is never remembered (the message fails the signature check)');
    });
    test('malformed, oversized and other-run messages are rejected without a crash', async () => {
        const bad = nodes[1];
        await waitFor(() => directTopicPeers(bad).length >= 3, 'topic peers of the bad sender');
        const targets = directTopicPeers(bad);
        const before = targets.map((n) => n.stats().perTopic.grad.rejected);
        const delivered = others(bad).map((n) => received.get(n.peerId).length);
        const ps = bad.libp2p.services.pubsub;
        await ps.publish(gradTopic, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02])); // broken protobuf
        await ps.publish(gradTopic, new Uint8Array(300 * 1024).fill(1)); // over the 256 KiB cap
        const otherRun = announcement('11'.repeat(32), 10, 1);
        otherRun.runHash = bytes32(9);
        await ps.publish(gradTopic, GradCodec.encode(otherRun));
        const noVersion = announcement('22'.repeat(32), 10, 1);
        noVersion.version = 0;
        await ps.publish(gradTopic, GradCodec.encode(noVersion));
        await waitFor(() => targets.every((n, i) => n.stats().perTopic.grad.rejected >= before[i] + 4), 'four rejections at every direct peer');
        others(bad).forEach((n, i) => assert.equal(received.get(n.peerId).length, delivered[i], 'nothing delivered'));
        const reasons = Object.keys(targets[0].stats().rejections).join(' | ');
        for (const r of ['malformed', 'oversized', 'other run', 'missing version'])
            assert.ok(reasons.includes(r), `${r} in ${reasons}`);
        // the sender lost score at its direct peers
        await waitFor(() => targets[0].gossipScore(bad.peerId) < 0, 'negative score for the bad sender');
        // everyone is still alive and delivers valid messages
        const good = nodes[2];
        const digest = createHash('sha256').update('after-bad').digest('hex');
        const has = (n) => received.get(n.peerId).some((r) => Buffer.from(r.msg.digest).toString('hex') === digest);
        await waitFor(async () => {
            await good.publish('grad', announcement(digest, 9, 2));
            await new Promise((r) => setTimeout(r, 500));
            return directTopicPeers(good).every(has);
        }, 'valid message after bad ones');
    });
    test('publish refuses an oversized message with a typed error', async () => {
        const big = announcement('33'.repeat(32), 300_000, 1);
        big.inline = new Uint8Array(300_000);
        await assert.rejects(nodes[0].publish('grad', big), { name: 'InvalidArgumentError' });
    });
    test('announcements of unregistered senders are ignored, and the sender is not penalised', async () => {
        const outsider = nodes[5];
        await waitFor(() => directTopicPeers(outsider).length >= 3, 'topic peers of the outsider');
        const targets = directTopicPeers(outsider);
        const registered = new Set(nodes.filter((n) => n !== outsider).map((n) => n.peerId));
        for (const n of nodes)
            n.setRegisteredPeers(registered, new Set([nodes[0].peerId]));
        const digest = createHash('sha256').update('outsider').digest('hex');
        // re-sent until each direct peer has judged one (an RPC can race a stream still opening)
        await waitFor(async () => {
            await outsider.publish('grad', announcement(digest, 8, 5));
            await new Promise((r) => setTimeout(r, 500));
            return targets.every((n) => (n.stats().rejections['grad: unregistered sender'] ?? 0) >= 1);
        }, 'outsider judged by its direct peers');
        for (const n of others(outsider)) {
            assert.ok(!received.get(n.peerId).some((r) => r.from === outsider.peerId), 'not delivered');
        }
        // its commitment may just not have been read yet: no offence, no score penalty
        for (const n of targets) {
            assert.ok(!n.penalties().has(outsider.peerId), 'not penalised');
            assert.ok(n.gossipScore(outsider.peerId) >= 0, `score ${n.gossipScore(outsider.peerId)}`);
        }
        // registered peers are unaffected
        const digest2 = createHash('sha256').update('insider').digest('hex');
        await waitFor(async () => {
            await nodes[6].publish('grad', announcement(digest2, 8, 6));
            await new Promise((r) => setTimeout(r, 500));
            return directTopicPeers(nodes[6]).filter((n) => n !== outsider).every((n) => received.get(n.peerId).some((r) => Buffer.from(r.msg.digest).toString('hex') === digest2));
        }, 'insider delivery');
    });
    test('a peer serving wrong bytes is caught, penalised, and the blob is fetched elsewhere', async () => {
        const honest = nodes[3];
        const liar = nodes[4];
        const fetcher = nodes[6];
        const real = payload(4 * RANGE + 1000, 11); // several ranges: pulled from both sources at once
        const digest = await honest.store.put(real, { window: 3, kind: 'grad' });
        const forged = real.slice();
        forged[RANGE + 5] ^= 0xff;
        await liar.store.putVerified(digest, forged, { window: 3, kind: 'grad' }); // the liar skips verification
        const got = await fetcher.fetchBlob(digest, { from: [liar.peerId, honest.peerId], timeoutMs: 60_000 });
        assert.deepEqual(Buffer.from(got), Buffer.from(real));
        assert.ok(fetcher.penalties().has(liar.peerId), 'liar penalised');
        assert.ok(!fetcher.penalties().has(honest.peerId), 'honest peer not penalised');
        assert.ok(fetcher.stats().fetchFailures >= 1);
        assert.deepEqual(Buffer.from((await fetcher.store.get(digest))), Buffer.from(real), 'stored copy verified');
        // An offender is graylisted (negative gossip score) and, since the PeerGate is the
        // connection gater, hung up on: once disconnected gossipsub may drop its score record,
        // so either outcome is the punishment (gating.test.ts checks the refusal itself).
        await waitFor(() => fetcher.gossipScore(liar.peerId) < 0 || !fetcher.connectedPeers().includes(liar.peerId), 'liar loses gossip score or is cut off');
    });
    test('a blob is fetched from its announcer, then from a provider that is not the announcer', async () => {
        const announcer = nodes[7];
        const first = nodes[2];
        const second = nodes[1];
        const blob = payload(3 * RANGE, 5);
        const digest = await announcer.store.put(blob, { window: 4, kind: 'grad' });
        const a = await first.fetchBlob(digest, { from: [announcer.peerId] });
        assert.equal(createHash('sha256').update(a).digest('hex'), digest);
        assert.ok(first.store.has(digest), 'held from the moment fetchBlob returns');
        assert.ok(await first.whenProvided(digest), 'fetched blob provided in the DHT');
        assert.ok(!first.store.isPending(digest), 'and on disk before its record went out');
        // the announcer leaves; the blob must come from the DHT provider that fetched it
        await announcer.stop();
        const servedBefore = first.stats().blobBytesOut;
        const b = await second.fetchBlob(digest, { from: [announcer.peerId], timeoutMs: 60_000 });
        assert.deepEqual(Buffer.from(b), Buffer.from(blob));
        assert.equal(first.stats().blobBytesOut - servedBefore, blob.byteLength, 'served by the provider');
    });
});
//# sourceMappingURL=swarm.test.js.map