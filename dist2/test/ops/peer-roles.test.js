// The role a peer shows in the status API (and so in the dashboard, `gradmesh status`
// and /metrics) is the role it says it runs in its signed status gossip, checked
// against the chain. The validator permit alone says nothing on a small subnet: the
// dev chain (like subtensor) gives every uid a permit while there are fewer uids than
// permits, so a testnet's miners hold one too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusFromContext, peerRole } from '../../src/ops/context-status.js';
import { PeerStatusBook, statusMessage } from '../../src/ops/status-gossip.js';
import { formatStatus } from '../../src/ops/format-status.js';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { NodeMetrics } from '../../src/node/node-metrics.js';
const RUN = new Uint8Array(32).fill(0xab);
const H = '33'.repeat(32);
// A subnet of five uids, every one with a validator permit (as on a fresh dev chain).
const PEERS = [
    { uid: 0, hotkey: 'hk0', peerId: 'peerValidator0', stake: 1000, validatorPermit: true }, // says validator
    { uid: 1, hotkey: 'hk1', peerId: 'peerMiner1', stake: 0, validatorPermit: true }, // says miner
    { uid: 2, hotkey: 'hk2', peerId: 'peerMiner2', stake: 0, validatorPermit: true }, // not heard yet
    { uid: 3, hotkey: 'hk3', peerId: 'peerLiar3', stake: 0, validatorPermit: true }, // says validator, has no stake
    { uid: 4, hotkey: 'hk4', peerId: 'peerValidator4', stake: 500, validatorPermit: true }, // not heard yet
];
function fakeContext(book) {
    const byPeer = new Map(PEERS.map((p) => [p.peerId, p]));
    const connected = [...PEERS.map((p) => p.peerId), 'peerStranger'];
    const ctx = {
        role: 'miner', uid: 1, hotkey: { ss58: 'hk1' }, runHashHex: 'ab'.repeat(32), spec: { run: 'testnet-tiny' }, innerStep: 0,
        metrics: new NodeMetrics(),
        driver: { window: 5, block: 21, blocksPerWindow: 4 },
        replica: { chain: { head: { window: 3 } }, thetaHash: H, synced: true },
        directory: { peer: (id) => byPeer.get(id), uid: (u) => PEERS.find((p) => p.uid === u) },
        p2p: {
            peerId: 'peerMiner1',
            connectedPeers: () => connected,
            gossipScore: () => 1,
            stats: () => ({ perTopic: {}, blobBytesIn: 0, blobBytesOut: 0, fetchFailures: 0, dhtWalks: 0, rejections: {} }),
        },
    };
    return ctx;
}
test('peerRole: the gossiped role, checked against permit and stake; unheard peers by permit AND stake', () => {
    const v = { validatorPermit: true, stake: 1000 };
    const permitNoStake = { validatorPermit: true, stake: 0 };
    const stakeNoPermit = { validatorPermit: false, stake: 1000 };
    assert.deepEqual(peerRole(undefined, 'validator'), { role: 'unregistered' });
    assert.deepEqual(peerRole(v, 'validator'), { role: 'validator' });
    assert.deepEqual(peerRole(v, 'miner'), { role: 'miner' });
    assert.deepEqual(peerRole(permitNoStake, 'validator'), { role: 'miner', claimedRole: 'validator' });
    assert.deepEqual(peerRole(stakeNoPermit, 'validator'), { role: 'miner', claimedRole: 'validator' });
    assert.deepEqual(peerRole(v, undefined), { role: 'validator' });
    assert.deepEqual(peerRole(permitNoStake, undefined), { role: 'miner' });
    assert.deepEqual(peerRole(stakeNoPermit, undefined), { role: 'miner' });
});
test('status adapter: on a subnet where every uid holds a permit, miners show as miners', async () => {
    const byPeer = new Map(PEERS.map((p) => [p.peerId, p.uid]));
    const book = new PeerStatusBook((id) => byPeer.get(id));
    const say = (peerId, uid, role) => {
        assert.ok(book.record(statusMessage({ runHash: RUN, uid, role, thetaWindow: 4, thetaHash: H, peerCount: 4 }), peerId));
    };
    say('peerValidator0', 0, 'validator');
    say('peerMiner1', 1, 'miner');
    say('peerLiar3', 3, 'validator');
    const s = statusFromContext(fakeContext(book), { peerStatus: book });
    const roles = Object.fromEntries(s.peers.map((p) => [p.peerId, p.claimedRole ? `${p.role} (claims ${p.claimedRole})` : p.role]));
    assert.deepEqual(roles, {
        peerValidator0: 'validator',
        peerMiner1: 'miner',
        peerMiner2: 'miner',
        peerLiar3: 'miner (claims validator)',
        peerValidator4: 'validator',
        peerStranger: 'unregistered',
    });
    // `gradmesh status` counts them so, and names the claim.
    const text = formatStatus(s);
    assert.match(text, /^peers\s+6 connected: 3 miners \(1 claims validator\), 2 validators, 1 unregistered/m);
    // /metrics too.
    const scrape = await new OpsMetrics(() => s, { processMetrics: false }).render();
    assert.match(scrape, /^gradmesh_peers\{role="miner"\} 3$/m);
    assert.match(scrape, /^gradmesh_peers\{role="validator"\} 2$/m);
});
//# sourceMappingURL=peer-roles.test.js.map