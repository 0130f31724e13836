import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readP2PFigures } from '../../src/ops/p2p-stats.js';

test('p2p figures are read from the shapes stats() may take', () => {
  const f = readP2PFigures({
    stats: () => ({
      topics: new Map([['grad', { bytesIn: 100, bytesOut: 40 }], ['manifest', { bytesIn: 7n, bytesOut: 0 }]]),
      blob: { bytesIn: 5000, bytesOut: 300, fetchFailures: 2 },
      fetchFailures: 1,
      scores: new Map([['peerB', -4], ['peerA', 2.5]]),
    }),
    connectedPeers: () => ['peerB', { toString: () => 'peerA' }, 'peerB'],
  });
  assert.deepEqual(f.connected, ['peerA', 'peerB']);
  assert.deepEqual(f.bytesIn, { grad: 100, manifest: 7, blob: 5000 });
  assert.deepEqual(f.bytesOut, { grad: 40, manifest: 0, blob: 300 });
  assert.equal(f.fetchFailures, 3);
  assert.equal(f.scores.get('peerB'), -4);

  const flat = readP2PFigures({ stats: () => ({ bytesIn: { grad: 1 }, bytesOut: { blob: 2 }, peerScores: [{ peerId: 'x', score: 1 }, { peerId: 'y', score: 'bad' }] }) });
  assert.deepEqual(flat.bytesIn, { grad: 1 });
  assert.deepEqual(flat.bytesOut, { blob: 2 });
  assert.deepEqual([...flat.scores], [['x', 1]]);
  assert.deepEqual(flat.connected, ['x'], 'without connectedPeers(), the scored peers stand in');
});

test('a p2p node that reports nothing, or throws, reads as empty figures', () => {
  const empty = { connected: [], scores: new Map(), bytesIn: {}, bytesOut: {}, fetchFailures: 0 };
  assert.deepEqual(readP2PFigures({}), empty);
  assert.deepEqual(readP2PFigures({ stats: () => { throw new Error('stopped'); }, connectedPeers: () => { throw new Error('stopped'); } }), empty);
  assert.deepEqual(readP2PFigures({ stats: () => ({ bytesIn: { grad: -5, manifest: Number.NaN }, fetchFailures: 'x' }), connectedPeers: () => null }), empty);
});
