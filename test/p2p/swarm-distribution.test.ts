// Swarm distribution on loopback with real libp2p nodes: one announcer whose uplink is
// capped (a token bucket on its blob streams) and five fetchers that pull pieces from
// every holder; a holder that serves corrupt pieces; and one that sends a piece list
// other than the one the announcer signed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { GradAnnouncement, P2PNode } from '../../src/p2p/index.js';
import { buildPieceList, encodePieceList, FrameType, pieceListHash, type Frame } from '../../src/p2p/swarm-wire.js';
import { bytes32, hexToBytes, payload, RUN_HASH, startNode, tempDir, waitFor } from './helpers.js';

const N = 6;
const PIECE = 64 * 1024;
const SIZE = 2 * 1024 * 1024 + 12_345; // 33 pieces, the last one short
const CAP = 1024 * 1024; // the announcer's uplink: 1 MiB/s

describe('swarm distribution of 6 nodes on loopback', () => {
  let root: string;
  let nodes: P2PNode[];

  before(async () => {
    root = await tempDir('gm-swarm-');
    const opts = { swarm: { pieceBytes: PIECE } };
    const seed = await startNode(join(root, 'n0'), [], opts);
    const rest = await Promise.all(Array.from({ length: N - 1 }, (_, i) =>
      startNode(join(root, `n${i + 1}`), [seed.multiaddrs()[0]!], i === 0 ? { ...opts, uploadBytesPerSec: CAP } : opts)));
    nodes = [seed, ...rest];
    await waitFor(() => nodes.every((n) => n.connectedPeers().length === N - 1), 'a full mesh');
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await rm(root, { recursive: true, force: true });
  });

  test('every node gets the payload and the capped announcer uploads at most 1.5× its size', async (t) => {
    const announcer = nodes[1]!;
    const blob = payload(SIZE, 21);
    const digest = await announcer.store.put(blob, { window: 1, kind: 'grad' });
    const before = announcer.stats().blobBytesOut;
    const fetchers = nodes.filter((n) => n !== announcer);
    const got = await Promise.all(fetchers.map((n) => n.fetchBlob(digest, { from: [announcer.peerId], timeoutMs: 60_000 })));
    for (const g of got) assert.equal(createHash('sha256').update(g).digest('hex'), digest);
    const uploaded = announcer.stats().blobBytesOut - before;
    const ratio = uploaded / SIZE;
    t.diagnostic(`announcer upload ratio ${ratio.toFixed(3)}`);
    assert.ok(ratio <= 1.5, `announcer uploaded ${uploaded} bytes = ${ratio.toFixed(2)}× the payload`);
    assert.ok(ratio >= 0.99, `announcer uploaded ${ratio.toFixed(2)}×: every piece must leave it once`);
    // the swarm did the work (no fallback), and pieces moved between fetchers
    const swarmStats = fetchers.map((n) => n.stats().swarm);
    assert.equal(swarmStats.reduce((a, s) => a + s.fallbacks, 0), 0, 'no fallback to the blob protocol');
    assert.equal(swarmStats.reduce((a, s) => a + s.fetched, 0), fetchers.length);
    assert.ok(swarmStats.reduce((a, s) => a + s.piecesOut, 0) > 0, 'fetchers served each other');
  });

  test('a holder serving corrupt pieces: fetchers get them elsewhere and penalise it', async () => {
    const announcer = nodes[2]!;
    const liar = nodes[3]!;
    const fetchers = [nodes[0]!, nodes[4]!, nodes[5]!];
    const blob = payload(SIZE, 22);
    const digest = await announcer.store.put(blob, { window: 2, kind: 'grad' });
    // the liar fetches the genuine blob (so it announces the genuine piece list), then
    // its copy goes bad in memory: every piece it serves fails its hash
    const held = await liar.fetchBlob(digest, { from: [announcer.peerId] });
    for (let off = 100; off < held.byteLength; off += PIECE) (held as Uint8Array)[off] ^= 0x5a;
    const got = await Promise.all(fetchers.map((n) => n.fetchBlob(digest, { from: [announcer.peerId], timeoutMs: 60_000 })));
    for (const g of got) assert.deepEqual(Buffer.from(g), Buffer.from(blob));
    for (const f of fetchers) {
      // a non-announcer holder is asked first, so every fetcher met the liar
      assert.ok(f.stats().swarm.badPieces >= 1, 'got a bad piece');
      assert.ok(f.penalties().get(liar.peerId)?.some((o) => o.reason.includes('not matching its hash')), 'liar penalised');
      for (const honest of nodes.filter((n) => n !== liar)) assert.ok(!f.penalties().has(honest.peerId), 'honest peer not penalised');
    }
  });

  test('a piece list not matching the signed announcement is refused and its sender penalised', async () => {
    const announcer = nodes[4]!;
    const liar = nodes[5]!;
    const fetchers = [nodes[0]!, nodes[2]!];
    const blob = payload(SIZE, 23);
    const digest = await announcer.store.put(blob, { window: 3, kind: 'grad' });
    // the liar holds the blob too, but answers every list request with a list of its own
    // (32 KiB pieces: true to the blob, yet not the list the announcer signed)
    await liar.fetchBlob(digest, { from: [announcer.peerId] });
    const forged = encodePieceList(buildPieceList(blob, 32 * 1024));
    const liarSwarm = (liar as unknown as { swarm: { send: (p: string, f: Frame) => void; onListRequest: unknown } }).swarm;
    liarSwarm.onListRequest = (peer: string, d: string): void => liarSwarm.send(peer, { type: FrameType.LIST, digest: hexToBytes(d), list: forged });

    // the announcement names the list's hash (publish adds it), under the announcer's signature
    const heard = new Map<string, GradAnnouncement>();
    for (const f of fetchers) f.on('grad', (msg, from) => { if (from === announcer.peerId && Buffer.from(msg.digest).toString('hex') === digest) heard.set(f.peerId, msg); });
    await waitFor(async () => {
      if (fetchers.every((f) => heard.has(f.peerId))) return true;
      await announcer.publish('grad', {
        version: 1, runHash: hexToBytes(RUN_HASH), window: 3n, uid: 4, digest: hexToBytes(digest), size: BigInt(SIZE),
        baseThetaHash: bytes32(7), announcedAtMs: BigInt(Date.now()),
      });
      await new Promise((r) => setTimeout(r, 500));
      return fetchers.every((f) => heard.has(f.peerId));
    }, 'the announcement at both fetchers');
    const genuine = pieceListHash(encodePieceList(buildPieceList(blob, PIECE)));
    for (const f of fetchers) assert.deepEqual(Buffer.from(heard.get(f.peerId)!.pieceListHash ?? []), Buffer.from(genuine), 'signed list hash');

    // the liar is asked for the list first: its list is refused, the announcer's taken
    const got = await Promise.all(fetchers.map((f) => f.fetchBlob(digest, { from: [liar.peerId, announcer.peerId], timeoutMs: 60_000 })));
    for (const g of got) assert.deepEqual(Buffer.from(g), Buffer.from(blob));
    for (const f of fetchers) {
      assert.ok(f.stats().swarm.badLists >= 1, 'a list refused');
      assert.equal(f.stats().swarm.fallbacks, 0, 'the swarm delivered');
      assert.ok(f.penalties().get(liar.peerId)?.some((o) => o.reason.includes('not matching the announcement')), 'liar penalised');
      assert.ok(!f.penalties().has(announcer.peerId), 'announcer not penalised');
    }
  });
});
