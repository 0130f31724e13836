// Issue 22, from the chaos bench: two adversary payloads were aggregated after the
// first windows. A noise payload measured a score of 1e-6 (honest ~4e-4): positive by
// chance, so it passed "lowers the loss". A stale miner replayed its payload of two
// windows before; after null rounds θ had not moved, so it named the current base θ.
// A lagged payload sent once is a real gradient of the current θ and cannot be told
// apart here (the own-data indicator catches it over windows); a payload sent twice
// (train once, re-head it every window while θ stands still) can: that is tested below.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodePayload, encodePayload, payloadDigest } from '../../src/train/compress/index.js';
import type { WindowVerdicts } from '../../src/validate/verdicts.js';
import { Gauntlet } from '../../src/validate/index.js';
import { referenceScore } from '../../src/validate/gauntlet.js';
import { payloadFingerprint, ReplayMemory } from '../../src/validate/replay.js';
import { makeWorld, honestPayload, runHash, spec } from './fixture.js';

const world = makeWorld();
after(() => world.close());

const accept = (sent: Map<number, Uint8Array>): WindowVerdicts => ({
  accepted: [...sent].sort((a, b) => a[0] - b[0]).map(([uid, bytes]) => ({ uid, digest: payloadDigest(bytes), bytes })),
  rejected: [],
});

test('referenceScore: the median of positive measured and trusted scores', () => {
  const e = (uid: number, score: number, finite = true) => ({ uid, score, finite, ownBefore: 0, ownAfter: 0, randomBefore: 0, randomAfter: 0, ownDrop: 0, indicator: 1 as const, clippedTensors: 0 });
  assert.equal(referenceScore([], []), 0);
  assert.equal(referenceScore([e(1, -1), e(2, Number.NaN, false)], [0, -2]), 0);
  assert.equal(referenceScore([e(1, 3e-4)], []), 3e-4);
  assert.equal(referenceScore([e(1, 1e-6)], [4e-4, 5e-4]), 4e-4);
  assert.equal(referenceScore([e(1, 1), e(2, 3)], [2, 10]), 2.5);
});

test('ReplayMemory: same fingerprint from the same miner in an earlier window, within memory', () => {
  const m = new ReplayMemory(2);
  m.remember(1, 5, 'a');
  assert.equal(m.earlierWindow(1, 6, 'a'), 5);
  assert.equal(m.earlierWindow(2, 6, 'a'), null, 'another miner');
  assert.equal(m.earlierWindow(1, 5, 'a'), null, 'the same window is a duplicate, not a replay');
  m.remember(1, 6, 'b');
  m.remember(1, 7, 'c');
  assert.equal(m.earlierWindow(1, 8, 'a'), null, 'forgotten after 2 windows');
  assert.equal(m.earlierWindow(1, 8, 'c'), 7);
  const off = new ReplayMemory(0);
  off.remember(1, 1, 'x');
  assert.equal(off.earlierWindow(1, 2, 'x'), null);
});

test('a miner replaying its own payload on an unchanged θ is refused; honest payloads never match', async () => {
  const { engine } = world;
  const layout = engine.layout;
  const theta = Float32Array.from(world.theta0); // null rounds: θ stays put, so a re-headed payload names the current base θ
  const g = new Gauntlet({ engine, runHash, spec, trainSet: world.ds, theta: () => theta, nonce: new Uint8Array(16).fill(3), config: { evalPerWindow: 4 } });
  const fingerprints = new Set<string>();
  const first = decodePayload(await honestPayload(world, theta, 3, 0), layout);
  for (let w = 0; w < 3; w++) {
    const sent = new Map<number, Uint8Array>();
    for (const uid of [1, 2]) {
      const bytes = await honestPayload(world, theta, uid, w);
      fingerprints.add(payloadFingerprint(decodePayload(bytes, layout)));
      sent.set(uid, bytes);
    }
    // uid 3 trains once and sends the same values every window, re-headed.
    sent.set(3, encodePayload({ ...first.header, window: w }, first));
    const chosen = (await g.choose(w, accept(sent))).map((c) => c.uid);
    const report = await g.afterWindow(w, accept(sent));
    const p3 = report.penalties.find((p) => p.uid === 3);
    if (w === 0) {
      assert.equal(p3, undefined, 'the first time it is a payload like any other');
      continue;
    }
    assert.ok(!chosen.includes(3), `window ${w}: the replay stays out of ${chosen}`);
    assert.deepEqual([p3?.kind, p3?.why], ['stale', 'replays its payload of window 0']);
    assert.equal(report.penalties.some((p) => p.uid !== 3), false, `window ${w}: honest miners unpunished`);
  }
  assert.equal(fingerprints.size, 6, 'six honest payloads, six fingerprints');
});

test('a payload that lowers the loss by a sliver of what honest ones do is measured out (minRelativeScore)', async () => {
  const { engine } = world;
  const layout = engine.layout;
  const theta = Float32Array.from(world.theta0);
  const sent = new Map<number, Uint8Array>();
  for (const uid of [1, 2, 3]) sent.set(uid, await honestPayload(world, theta, uid, 0));
  // uid 4: an honest payload shrunk 1000×: still a descent direction, but worthless.
  const p = decodePayload(await honestPayload(world, theta, 4, 0), layout);
  const quant = Float32Array.from(p.quant, (x) => x * 1e-3);
  sent.set(4, encodePayload(p.header, { ...p, quant }));
  const run = async (minRelativeScore: number) => {
    const g = new Gauntlet({ engine, runHash, spec, trainSet: world.ds, theta: () => theta, nonce: new Uint8Array(16).fill(4), config: { minRelativeScore } });
    const chosen = (await g.choose(0, accept(sent))).map((c) => c.uid);
    const probed = g['plan']!.probed.map((e) => [e.uid, e.score] as const);
    return { chosen, probed };
  };
  const without = await run(0);
  const score4 = without.probed.find(([u]) => u === 4)![1];
  const honest = without.probed.filter(([u]) => u !== 4).map(([, s]) => s);
  assert.ok(score4 > 0 && honest.every((s) => s > 20 * score4), `shrunk payload scores ${score4}, honest ${honest}`);
  assert.deepEqual(without.chosen, [1, 2, 3, 4], 'with the rule off it is aggregated (positive score)');
  const withRule = await run(0.1);
  assert.deepEqual(withRule.chosen, [1, 2, 3]);
});
