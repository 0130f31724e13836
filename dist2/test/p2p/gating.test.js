// Peer gating with real libp2p nodes on loopback: a peer whose commitment has not
// been read yet is ignored, never penalised, and heard once the set is re-read; a
// graylisted peer is refused at the connection level; an unregistered peer's blob
// request is refused with a clear code; bootstrap and unknown peers still connect.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { topicName } from '../../src/p2p/index.js';
import { fetchRange } from '../../src/p2p/blob-protocol.js';
import { RUN_HASH, bytes32, hexToBytes, startNode, tempDir, waitFor, payload } from './helpers.js';
function status(uid, window) {
    return { version: 1, runHash: hexToBytes(RUN_HASH), uid, role: 'miner', window: BigInt(window), thetaHash: bytes32(1), peerCount: 1, sentAtMs: BigInt(Date.now()) };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** true while the two nodes hold an open connection (seen from either side) */
function connected(a, b) {
    return a.libp2p.getConnections(b.libp2p.peerId).some((c) => c.status === 'open')
        || b.libp2p.getConnections(a.libp2p.peerId).some((c) => c.status === 'open');
}
/** Asks `server` for one range of `digest` as `client`; resolves with the refusal code, or 'OK'. */
async function blobAnswer(client, server, digest) {
    try {
        await fetchRange((p, proto, o) => client.libp2p.dialProtocol(p, proto, o), server.libp2p.peerId, {
            digest: hexToBytes(digest), offset: 0, length: 0, maxBytes: 1 << 20,
            signal: AbortSignal.timeout(20_000), sink: (h) => new Uint8Array(h.length),
        });
        return 'OK';
    }
    catch (err) {
        return err.code ?? err.name;
    }
}
describe('peer gating on real nodes', () => {
    const cleanup = [];
    after(async () => { for (const c of cleanup.reverse())
        await c(); });
    async function nodes(n) {
        const root = await tempDir('gm-gate-');
        const seed = await startNode(join(root, 'n0'), []);
        const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => startNode(join(root, `n${i + 1}`), [seed.multiaddrs()[0]])));
        const all = [seed, ...rest];
        cleanup.push(async () => {
            await Promise.all(all.map((x) => x.stop().catch(() => { })));
            await rm(root, { recursive: true, force: true });
        });
        return all;
    }
    test('a peer that speaks before its commitment is read is ignored, not penalised, and heard once the set is re-read', async () => {
        const [a, b] = await nodes(2);
        const statusTopic = topicName(RUN_HASH, 'status');
        await waitFor(() => a.libp2p.services.pubsub.getSubscribers(statusTopic).some((p) => p.toString() === b.peerId)
            && b.libp2p.services.pubsub.getSubscribers(statusTopic).some((p) => p.toString() === a.peerId), 'status subscriptions');
        const heard = [];
        a.on('status', (m, from) => heard.push({ uid: m.uid, from }));
        // a has read the commitments, and b's is not among them yet
        a.setRegisteredPeers(new Set([a.peerId]), new Set([a.peerId]));
        // b's status messages are judged (each one is fresh: a re-sent copy would be a duplicate)
        let w = 0;
        await waitFor(async () => {
            await b.publish('status', status(7, w++));
            await sleep(200);
            return (a.stats().rejections['status: unregistered sender'] ?? 0) >= 2;
        }, 'a judged b\'s early status messages');
        assert.equal(heard.length, 0, 'not delivered while unknown');
        assert.equal(a.penalties().has(b.peerId), false, 'speaking before one\'s commitment is read is no offence');
        assert.ok(a.gossipScore(b.peerId) >= 0, `no score penalty (score ${a.gossipScore(b.peerId)})`);
        assert.ok(connected(a, b), 'still connected');
        // b's commitment has been read
        a.setRegisteredPeers(new Set([a.peerId, b.peerId]), new Set([a.peerId]));
        await waitFor(async () => {
            await b.publish('status', status(7, w++));
            await sleep(200);
            return heard.some((h) => h.from === b.peerId);
        }, 'b heard once registered');
        assert.equal(heard[0].uid, 7);
        assert.equal(a.penalties().size, 0);
    });
    test('an unknown sender asks the node to re-read the commitments', async () => {
        const [a, b, c] = await nodes(3);
        const statusTopic = topicName(RUN_HASH, 'status');
        await waitFor(() => a.libp2p.services.pubsub.getSubscribers(statusTopic).some((p) => p.toString() === b.peerId), 'status subscription');
        const unknown = [];
        a.onUnknownPeer((p) => unknown.push(p));
        a.setRegisteredPeers(new Set([a.peerId, c.peerId]));
        let w = 0;
        await waitFor(async () => {
            await b.publish('status', status(2, w++));
            await sleep(200);
            return unknown.includes(b.peerId);
        }, 'unknown-peer callback');
        assert.ok(unknown.every((p) => p === b.peerId), `only the unknown sender: ${unknown.join(',')}`);
        // a registered sender does not trigger it
        const heard = [];
        a.on('status', (_m, from) => heard.push(from));
        await waitFor(async () => {
            await c.publish('status', status(3, w++));
            await sleep(200);
            return heard.includes(c.peerId);
        }, 'registered sender heard');
        assert.equal(unknown.filter((p) => p === c.peerId).length, 0);
        assert.equal(a.penalties().size, 0);
    });
    test('a graylisted peer is disconnected and its connections are refused both ways; an honest peer still fetches', async () => {
        // seed s (the bootstrap of the others), honest h, liar l, fetcher f
        const [s, h, l, f] = await nodes(4);
        const real = payload(300_000, 3);
        const digest = await h.store.put(real, { window: 1, kind: 'grad' });
        const forged = real.slice();
        forged[1234] ^= 0xff;
        await l.store.putVerified(digest, forged, { window: 1, kind: 'grad' }); // the liar skips verification
        const everyone = new Set([s, h, l, f].map((x) => x.peerId));
        for (const x of [s, h, l, f])
            x.setRegisteredPeers(everyone);
        // f knows only the seed: give it the others' addresses (the DHT would, in time)
        await f.libp2p.dial(h.libp2p.getMultiaddrs()[0]);
        await f.libp2p.dial(l.libp2p.getMultiaddrs()[0]);
        const got = await f.fetchBlob(digest, { from: [l.peerId, h.peerId], timeoutMs: 60_000 });
        assert.deepEqual(Buffer.from(got), Buffer.from(real), 'fetched from the honest peer');
        assert.ok(f.penalties().has(l.peerId), 'liar penalised');
        assert.ok(!f.penalties().has(h.peerId), 'honest peer not penalised');
        // f hangs up on the liar and refuses it from now on, whoever dials
        await waitFor(() => !connected(f, l), 'liar disconnected');
        await assert.rejects(f.libp2p.dial(l.libp2p.peerId, { signal: AbortSignal.timeout(10_000) }), 'f does not dial the liar');
        await l.libp2p.dial(f.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        // the liar's own DHT walks keep finding f: give them time, and none may stick
        for (let i = 0; i < 10; i++) {
            await sleep(200);
            assert.equal(f.libp2p.getConnections(l.libp2p.peerId).filter((c) => c.status === 'open').length, 0, 'f holds no connection to the liar');
        }
        assert.notEqual(await blobAnswer(l, f, digest), 'OK', 'no blob for the liar');
        // an honest registered peer is still served by f
        assert.equal(await blobAnswer(s, f, digest), 'OK', 'a registered peer is served');
        assert.ok(connected(f, h) || (await f.libp2p.dial(h.libp2p.peerId).then(() => true)), 'honest peers still connect');
    });
    test('an unregistered peer\'s blob request is refused with UNREGISTERED and asks for a re-read; once registered it is served', async () => {
        const [server, member, outsider] = await nodes(3);
        const digest = await server.store.put(payload(50_000, 9), { window: 1, kind: 'grad' });
        const asked = [];
        server.onUnknownPeer((p) => asked.push(p));
        await waitFor(() => connected(server, member) && connected(server, outsider), 'connections to the server');
        server.setRegisteredPeers(new Set([server.peerId, member.peerId]));
        assert.equal(await blobAnswer(member, server, digest), 'OK', 'a registered peer is served');
        assert.equal(await blobAnswer(outsider, server, digest), 'BLOB_UNREGISTERED', 'refused with a clear code');
        assert.ok(asked.includes(outsider.peerId), 'the refusal asked for a re-read of the commitments');
        assert.equal(server.penalties().has(outsider.peerId), false, 'asking while unknown is no offence');
        assert.ok(connected(server, outsider), 'still connected (the DHT needs it)');
        // its commitment is read: served
        server.setRegisteredPeers(new Set([server.peerId, member.peerId, outsider.peerId]));
        assert.equal(await blobAnswer(outsider, server, digest), 'OK');
    });
    test('a fetch from a holder that does not know the fetcher yet waits for its re-read instead of failing', async () => {
        const [server, joiner] = await nodes(2);
        const bytes = payload(40_000, 11);
        const digest = await server.store.put(bytes, { window: 1, kind: 'grad' });
        await waitFor(() => connected(server, joiner), 'joiner connected');
        server.setRegisteredPeers(new Set([server.peerId]));
        // the server's re-read (rate-limited in a node) finds the joiner's commitment a moment later
        server.onUnknownPeer(() => setTimeout(() => server.setRegisteredPeers(new Set([server.peerId, joiner.peerId])), 1500));
        const got = await joiner.fetchBlob(digest, { from: [server.peerId], timeoutMs: 20_000 });
        assert.ok(Buffer.from(got).equals(Buffer.from(bytes)), 'the joiner got the blob (it asked again after the re-read)');
    });
    test('peers unknown to the registered set, and a bootstrap peer with offences, still connect for discovery', async () => {
        const [seed, x] = await nodes(2);
        // the seed knows a registered set that holds neither x nor the newcomer
        seed.setRegisteredPeers(new Set([seed.peerId]));
        await waitFor(() => connected(seed, x), 'x connected to the seed');
        const root = await tempDir('gm-gate-new-');
        const newcomer = await startNode(root, [seed.multiaddrs()[0]]);
        cleanup.push(async () => { await newcomer.stop().catch(() => { }); await rm(root, { recursive: true, force: true }); });
        newcomer.setRegisteredPeers(new Set([x.peerId]));
        await waitFor(() => connected(seed, newcomer), 'newcomer connected to the seed');
        // the newcomer finds x through the seed's DHT
        await waitFor(() => connected(newcomer, x), 'newcomer connected to x through the DHT');
        // the seed (now knowing the newcomer) serves it wrong bytes: an offence, but the seed stays dialable
        seed.setRegisteredPeers(new Set([seed.peerId, newcomer.peerId]));
        const real = payload(20_000, 4);
        const digest = await x.store.put(real, { window: 1, kind: 'grad' });
        const forged = real.slice();
        forged[0] ^= 1;
        await seed.store.putVerified(digest, forged, { window: 1, kind: 'grad' });
        const got = await newcomer.fetchBlob(digest, { from: [seed.peerId, x.peerId], timeoutMs: 30_000 });
        assert.deepEqual(Buffer.from(got), Buffer.from(real));
        assert.ok(newcomer.penalties().has(seed.peerId), 'the lying seed is penalised');
        await newcomer.libp2p.dial(seed.libp2p.peerId, { signal: AbortSignal.timeout(10_000) });
        assert.ok(connected(newcomer, seed), 'but as the bootstrap peer it may still connect');
        // its blob requests, though, are refused while the offence lives
        assert.equal(await blobAnswer(seed, newcomer, digest), 'BLOB_REFUSED');
    });
});
//# sourceMappingURL=gating.test.js.map