// The replica's rules for manifests it hears: precedence between the lead and a
// fallback for the same window (take back the fallback's, apply the lead's), a
// lower-precedence manifest after the lead's changes nothing, the fork choice (a chain
// that reaches a newer window from the same predecessor wins; one that does not, or
// whose meeting point's θ is not held, is refused before it touches θ). Real payloads (the
// native compressor), a real content store; the network is a map of blobs by digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { Replica, manifestDigest, manifestBytes, type ManifestMsg } from '../../src/node/replica.js';
import { GENESIS_DIGEST } from '../../src/node/manifest-chain.js';
import { ContentStore } from '../../src/p2p/content-store.js';
import type { P2PNode } from '../../src/p2p/index.js';
import type { PeerDirectory } from '../../src/node/peer-directory.js';
import {
  compressWithFeedback, encodePayload, payloadDigest, thetaHash, modelShapeHash, aggregateAndStep, decodePayload,
} from '../../src/train/compress/index.js';
import { testVector } from '../compress/helpers.js';

const layout = [
  { name: 'a.weight', shape: [64, 64], offset: 0, numel: 4096 },
  { name: 'b.weight', shape: [48], offset: 4096, numel: 48 },
];
const N = 4096 + 48;
const runHash = new Uint8Array(createHash('sha256').update('replica-test').digest());
const opts = { chunk: 64, k: 64, demo: false };

/** Speaker ranks by validatorUid, as the run's rule would give them: uid 0 leads, 1 and 2 fall back. */
const rankOf = (uid: number): number | undefined => (uid <= 2 ? uid : undefined);

async function setup(jumpToCheckpoint?: (head: { digest: string; window: number }) => Promise<{ digest: string; window: number } | null>) {
  const store = new ContentStore(join(mkdtempSync(join(tmpdir(), 'gm-replica-')), 'store'));
  await store.open();
  const network = new Map<string, Uint8Array>();
  const p2p = {
    store,
    fetchBlob: async (digest: string) => {
      const local = await store.get(digest);
      if (local) return local;
      const b = network.get(digest);
      if (!b) throw new Error(`no peer holds ${digest.slice(0, 12)}`);
      await store.put(b, { window: 0, kind: 'blob' });
      return b;
    },
  } as unknown as P2PNode;
  const directory = { uid: () => undefined } as unknown as PeerDirectory;
  const theta0 = testVector(N, 11);
  const superseded: Array<[number, number | undefined, number | undefined]> = [];
  const replica = new Replica({
    layout, runHash, outerLr: 1, p2p, directory, log: pino({ level: 'silent' }), theta: Float32Array.from(theta0),
    onSuperseded: (w, a, b) => superseded.push([w, a, b]), rankOf, ...(jumpToCheckpoint ? { jumpToCheckpoint } : {}),
  });
  return { replica, network, theta0, superseded };
}

function payload(window: number, uid: number, base: Float32Array, seed: number): Uint8Array {
  const c = compressWithFeedback(new Float32Array(N), testVector(N, seed), layout, 0.95, opts);
  return encodePayload({ version: 1, runHash, window, uid, modelShapeHash: modelShapeHash(layout), baseThetaHash: Buffer.from(thetaHash(base), 'hex') }, c);
}

/** A manifest as a validator builds it: θ_{w+1} computed independently on a copy. */
function manifest(window: number, validatorUid: number, prevDigest: string, base: Float32Array, entries: Array<[number, Uint8Array]>): { m: ManifestMsg; next: Float32Array } {
  const next = Float32Array.from(base);
  const decoded = entries.map(([uid, b]) => ({ uid, payload: decodePayload(b, layout, { runHash, window, uid }) }));
  if (decoded.length) aggregateAndStep(next, layout, decoded, 1);
  const m: ManifestMsg = {
    version: 1, runHash, window: BigInt(window), validatorUid,
    entries: entries.map(([uid, b]) => ({ uid, digest: Buffer.from(payloadDigest(b), 'hex') })),
    nextThetaHash: Buffer.from(thetaHash(next), 'hex'), prevDigest: Buffer.from(prevDigest, 'hex'), issuedAtMs: 0n,
  };
  return { m, next };
}

test('a fallback\'s applied manifest is taken back when the lead\'s for the same window arrives', async () => {
  const { replica, network, theta0, superseded } = await setup();
  const p1 = payload(0, 3, theta0, 1);
  const p2 = payload(0, 4, theta0, 2);
  for (const p of [p1, p2]) network.set(payloadDigest(p), p);
  const fallback = manifest(0, 1, GENESIS_DIGEST, theta0, [[3, p1]]);
  const lead = manifest(0, 0, GENESIS_DIGEST, theta0, [[3, p1], [4, p2]]);
  assert.equal(await replica.offer(fallback.m, undefined, 1), true);
  assert.equal(replica.thetaHash, thetaHash(fallback.next));
  assert.equal(await replica.offer(lead.m, undefined, 0), true);
  assert.equal(replica.thetaHash, thetaHash(lead.next), 'θ is the lead\'s θ_1, computed from θ_0');
  assert.deepEqual(Buffer.from(replica.theta.buffer).equals(Buffer.from(lead.next.buffer)), true);
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(lead.m), window: 0 });
  assert.equal(replica.synced, true);
  assert.deepEqual(superseded, [[0, 1, 0]]);
  // The fallback's again (a late duplicate) changes nothing now.
  assert.equal(await replica.offer(fallback.m, undefined, 1), false);
  assert.equal(replica.thetaHash, thetaHash(lead.next));
});

test('a fallback\'s manifest after the lead\'s, or a forged one of the same window, changes nothing', async () => {
  const { replica, network, theta0, superseded } = await setup();
  const p1 = payload(0, 3, theta0, 1);
  network.set(payloadDigest(p1), p1);
  const lead = manifest(0, 0, GENESIS_DIGEST, theta0, []);
  const selfOnly = manifest(0, 7, GENESIS_DIGEST, theta0, [[3, p1]]);
  await replica.offer(lead.m, undefined, 0);
  assert.equal(await replica.offer(selfOnly.m, undefined, 2), false);
  assert.equal(replica.thetaHash, thetaHash(theta0));
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(lead.m), window: 0 });
  assert.deepEqual(superseded, []);
});

test('fork choice: a chain leaving ours after our head\'s predecessor wins when it reaches a newer window', async () => {
  const { replica, network, theta0, superseded } = await setup();
  // The applied chain: m0 (window 0) → m1 (window 1, the lead's).
  const m0 = manifest(0, 0, GENESIS_DIGEST, theta0, []);
  const m1 = manifest(1, 0, manifestDigest(m0.m), theta0, []);
  await replica.offer(m0.m, undefined, 0);
  await replica.offer(m1.m, undefined, 0);
  // The rest of the network applied a fallback's window-1 manifest on m0 (this node
  // alone received the dying lead's m1) and built window 2 on it.
  const p = payload(1, 3, theta0, 5);
  network.set(payloadDigest(p), p);
  const f1 = manifest(1, 1, manifestDigest(m0.m), theta0, [[3, p]]);
  network.set(manifestDigest(f1.m), manifestBytes(f1.m));
  const q = payload(2, 4, f1.next, 6);
  network.set(payloadDigest(q), q);
  const f2 = manifest(2, 1, manifestDigest(f1.m), f1.next, [[4, q]]);
  assert.equal(await replica.offer(f2.m, undefined, 1), true);
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(f2.m), window: 2 });
  assert.equal(replica.thetaHash, thetaHash(f2.next), 'θ is the winning chain\'s, computed from θ after m0');
  assert.equal(thetaHash(replica.theta), thetaHash(f2.next));
  assert.equal(replica.synced, true);
  assert.deepEqual(superseded, [[1, 0, 1]], 'window 1: the lead\'s m1 gave way to the fallback\'s chain');
});

test('fork choice: a chain that does not reach further, or meets ours beyond the θ held, is refused before θ changes', async () => {
  const { replica, network, theta0, superseded } = await setup();
  const m0 = manifest(0, 0, GENESIS_DIGEST, theta0, []);
  const m1 = manifest(1, 0, manifestDigest(m0.m), theta0, []);
  const m2 = manifest(2, 0, manifestDigest(m1.m), theta0, []);
  for (const x of [m0, m1, m2]) await replica.offer(x.m, undefined, 0);
  const p = payload(2, 3, theta0, 5);
  network.set(payloadDigest(p), p);
  network.set(manifestDigest(m1.m), manifestBytes(m1.m));
  network.set(manifestDigest(m0.m), manifestBytes(m0.m));
  const before = replica.thetaHash;
  // Same window as our head, same predecessor, lower precedence: ours stays.
  const low = manifest(2, 1, manifestDigest(m1.m), theta0, [[3, p]]);
  assert.equal(await replica.offer(low.m, undefined, 1), false);
  // A validator that missed m1 and m2 builds window 3 on m0: it wins the fork choice
  // (window 3 > 2), but θ after m0 lies two manifests back and no checkpoint is known.
  const p3 = payload(3, 3, theta0, 7);
  network.set(payloadDigest(p3), p3);
  const stale = manifest(3, 0, manifestDigest(m0.m), theta0, [[3, p3]]);
  assert.equal(await replica.offer(stale.m, undefined, 0), false);
  assert.equal(replica.thetaHash, before);
  assert.equal(thetaHash(replica.theta), before, 'θ itself untouched');
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(m2.m), window: 2 });
  assert.deepEqual(superseded, []);
});

test('fork choice: a winning chain that meets ours beyond the θ held is reached through a checkpoint newer than the head', async () => {
  const ckpt: { head: { digest: string; window: number }; theta: Float32Array } = { head: { digest: '', window: -1 }, theta: new Float32Array(0) };
  const asked: number[] = [];
  const { replica, network, theta0, superseded } = await setup(async (head) => {
    asked.push(head.window);
    if (ckpt.head.window <= head.window) return null; // as Checkpoints.jump: only newer than the head
    replica.theta.set(ckpt.theta);
    return ckpt.head;
  });
  // Applied: the lead's m0, then a fallback's g1 and g2 (this node missed the lead's l1).
  const m0 = manifest(0, 0, GENESIS_DIGEST, theta0, []);
  const g1 = manifest(1, 1, manifestDigest(m0.m), theta0, []);
  const g2 = manifest(2, 1, manifestDigest(g1.m), theta0, []);
  for (const x of [m0, g1, g2]) await replica.offer(x.m, undefined, 1);
  // The network followed the lead: l1 (with a payload), l2, l3, and a checkpoint after l3.
  const p = payload(1, 3, theta0, 5);
  network.set(payloadDigest(p), p);
  const l1 = manifest(1, 0, manifestDigest(m0.m), theta0, [[3, p]]);
  const l2 = manifest(2, 0, manifestDigest(l1.m), l1.next, []);
  const l3 = manifest(3, 0, manifestDigest(l2.m), l1.next, []);
  network.set(manifestDigest(l1.m), manifestBytes(l1.m));
  ckpt.head = { digest: manifestDigest(l3.m), window: 3 };
  ckpt.theta = l3.next;
  // A late copy of l2 arrives: it meets g2 at window 2 on another predecessor (deeper),
  // then l1 meets g1 on m0 and wins (rank 0); θ after m0 lies two manifests back.
  await replica.offer(l2.m, undefined, 0);
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(l3.m), window: 3 }, 'on the lead\'s chain, at its checkpoint');
  assert.equal(replica.thetaHash, thetaHash(l3.next));
  assert.deepEqual(asked, [2], 'one jump, asked for a checkpoint newer than the head');
  assert.deepEqual(superseded, [[1, 1, 0]]);
});

test('an ignored manifest does not count as heard; one that failed to apply does (the validator is behind)', async () => {
  const { replica, network, theta0 } = await setup();
  const m0 = manifest(0, 0, GENESIS_DIGEST, theta0, []);
  const m1 = manifest(1, 0, manifestDigest(m0.m), theta0, []);
  await replica.offer(m0.m, undefined, 0);
  await replica.offer(m1.m, undefined, 0);
  assert.equal(replica.newestHeardWindow, 1);
  // The chaos-bench stall: a validator, behind, built a manifest on a stale head; every
  // node ignored it. Counting it as heard kept every validator silent for good. (Here a
  // fallback's of window 1 on m0: the fork choice keeps the lead's m1.)
  network.set(manifestDigest(m0.m), manifestBytes(m0.m));
  const stale = manifest(1, 1, manifestDigest(m0.m), theta0, [[3, payload(1, 3, theta0, 8)]]);
  assert.equal(await replica.offer(stale.m, undefined, 1), false);
  assert.equal(replica.newestHeardWindow, 1, 'a forked manifest says nothing about this node\'s chain');
  // A manifest of window 2 on m1 whose payload no peer holds: this node is behind.
  const missing = payload(2, 3, theta0, 9);
  const next = manifest(2, 0, manifestDigest(m1.m), theta0, [[3, missing]]);
  await assert.rejects(replica.offer(next.m, undefined, 0), /no peer holds/);
  assert.equal(replica.newestHeardWindow, 2);
  assert.deepEqual(replica.chain.head, { digest: manifestDigest(m1.m), window: 1 });
});
