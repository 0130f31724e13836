// Gossipsub knows copies of a message by their signature (host.ts gossipFastMsgId), so
// it drops them before checking any signature. That must not let a forger who copies a
// genuine signature onto other bytes, and gets there first, suppress the genuine
// message: the forged copy fails the signature check and must not be remembered.
// Real nodes; the genuine message is one that crossed the wire between two of them,
// replayed into a third node's gossipsub as if it had come from a peer.
import { test } from 'node:test';
import { rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { peerIdFromString } from '@libp2p/peer-id';
import { topicName } from '../../src/p2p/index.js';
import { GradAnnouncement as GradCodec } from '../../src/p2p/proto/messages.js';
import { RUN_HASH, bytes32, hexToBytes, startNode, startSwarm, tempDir, waitFor } from './helpers.js';
function announcement(uid) {
    return { version: 1, runHash: hexToBytes(RUN_HASH), window: 3n, uid, digest: bytes32(uid), size: 5n, baseThetaHash: bytes32(7), announcedAtMs: BigInt(Date.now()) };
}
test('a forged copy carrying a genuine signature, arriving first, does not suppress the genuine message', { timeout: 90_000 }, async (t) => {
    const swarm = await startSwarm(2);
    const dir = await tempDir();
    const loner = await startNode(dir, []); // connected to no one: only what the test hands it
    t.after(async () => {
        await loner.stop().catch(() => { });
        await rm(dir, { recursive: true, force: true });
        await swarm.stop();
    });
    const [a, b] = swarm.nodes;
    const grad = topicName(RUN_HASH, 'grad');
    // Capture, on b, a signed grad message exactly as it came from a.
    const psB = b.libp2p.services.pubsub;
    const original = psB.handleReceivedMessage.bind(psB);
    let genuine;
    psB.handleReceivedMessage = async (from, msg) => {
        if (msg.topic === grad && msg.signature && genuine === undefined)
            genuine = { ...msg };
        return original(from, msg);
    };
    await waitFor(async () => {
        if (genuine)
            return true;
        await a.publish('grad', announcement(3));
        await new Promise((r) => setTimeout(r, 500));
        return genuine !== undefined;
    }, 'a grad message from a reaches b');
    const real = genuine;
    const delivered = [];
    loner.on('grad', (msg) => delivered.push(msg.uid));
    const psL = loner.libp2p.services.pubsub;
    const from = peerIdFromString(a.peerId);
    const settle = () => new Promise((r) => setTimeout(r, 300));
    // Forged: other bytes (uid 9), the genuine message's signature, sender and seqno.
    const forged = { ...real, data: GradCodec.encode(announcement(9)) };
    await psL.handleReceivedMessage(from, forged);
    await settle();
    assert.deepEqual(delivered, [], 'the forged copy fails the signature check');
    await psL.handleReceivedMessage(from, real);
    await settle();
    assert.deepEqual(delivered, [3], 'the genuine message is delivered after the forgery');
    await psL.handleReceivedMessage(from, { ...real });
    await psL.handleReceivedMessage(from, forged);
    await settle();
    assert.deepEqual(delivered, [3], 'later copies, genuine or forged, are dropped as duplicates');
});
//# sourceMappingURL=fast-msg-id.test.js.map