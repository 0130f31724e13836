// A swarm session lives as long as its connection, and a fetcher sends its peer one want
// per blob. A validator fetches several payloads from each miner every window over the
// same session, so the per-peer bound on wants must make room rather than refuse: in a
// 60-window soak every swarm fetch failed from window ~24 on, when a miner's session for
// the validator had collected its 64 wants and refused each new one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { P2PNode } from '../../src/p2p/index.js';
import { payload, startNode, tempDir, waitFor } from './helpers.js';

const WANTS = 4; // the per-peer bound, small so that the test crosses it quickly
const BLOBS = 3 * WANTS;

describe('one long swarm session, many blobs', () => {
  let root: string;
  let holder: P2PNode;
  let fetcher: P2PNode;

  before(async () => {
    root = await tempDir('gm-swarm-many-');
    const opts = { swarm: { pieceBytes: 16 * 1024, maxWantsPerPeer: WANTS } };
    holder = await startNode(join(root, 'holder'), [], opts);
    fetcher = await startNode(join(root, 'fetcher'), [holder.multiaddrs()[0]!], opts);
    await waitFor(() => fetcher.connectedPeers().length === 1, 'connected');
  });
  after(async () => {
    await Promise.all([holder, fetcher].map((n) => n?.stop().catch(() => {})));
    await rm(root, { recursive: true, force: true });
  });

  test(`${BLOBS} blobs fetched one after another over one session, all by the swarm`, async () => {
    for (let i = 0; i < BLOBS; i++) {
      const blob = payload(40_000 + i, 100 + i);
      const digest = await holder.store.put(blob, { window: i, kind: 'grad' });
      const got = await fetcher.fetchBlob(digest, { from: [holder.peerId], timeoutMs: 30_000 });
      assert.equal(createHash('sha256').update(got).digest('hex'), digest);
    }
    const s = fetcher.stats().swarm;
    assert.equal(s.fallbacks, 0, `no fetch fell back to the blob protocol (${JSON.stringify(s.fallbackReasons)}; holder refused ${JSON.stringify(holder.stats().swarm.refused)})`);
    assert.equal(s.fetched, BLOBS);
  });
});
