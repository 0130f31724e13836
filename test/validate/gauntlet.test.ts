// The Gauntlet over several windows of a tiny run: three honest miners and one of
// each adversary (built with adversaryHooks, as a miner would run them). The hooks are
// called as src/node/validator.ts calls them; θ advances by the manifest in between.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aggregateAndStep, compressWithFeedback, decodePayload, decompressInto, encodePayload, payloadDigest, thetaHash, PayloadError,
} from '../../src/train/compress/index.js';
import type { WindowVerdicts } from '../../src/validate/verdicts.js';
import { samplePool } from '../../src/train/data/index.js';
import { Gauntlet, adversaryHooks, selectionOverlap, meanLoss, evalBatch, type AdversaryMode, type WindowReport } from '../../src/validate/index.js';
import { makeWorld, honestPayload, runHash, spec } from './fixture.js';

const world = makeWorld();
const dir = mkdtempSync(join(tmpdir(), 'gm-gauntlet-state-'));
after(() => {
  world.close();
  rmSync(dir, { recursive: true, force: true });
});

const HONEST = [1, 2, 3];
const ADVERSARIES: Record<number, AdversaryMode> = { 4: 'noise', 5: 'nan', 6: 'scale', 7: 'copycat', 8: 'stale', 9: 'free-rider', 10: 'lazy' };

test('adversaries end below every honest miner; NaN, ×1000, copycat and stale get 0; state survives a restart', async () => {
  const { engine } = world;
  const layout = engine.layout;
  const theta = Float32Array.from(world.theta0);
  const statePath = join(dir, 'gauntlet.json');
  const nonce = new Uint8Array(32).fill(9);
  const honestBytes = new Map<number, Uint8Array>();
  const hooks = Object.fromEntries(
    Object.entries(ADVERSARIES).map(([uid, mode]) => [uid, adversaryHooks(mode, { layout, seed: Number(uid), source: () => honestBytes.get(1) ?? null, lag: 1 })]),
  );
  const heardTimes = new Map<number, Array<{ uid: number; firstSeenMs: number }>>();
  const deps = {
    engine, runHash, spec, trainSet: world.ds, theta: () => theta, heard: (w: number) => heardTimes.get(w) ?? [],
    statePath, nonce, config: { evalPerWindow: 8, windowsPerWeights: 3 },
  };
  const g = new Gauntlet(deps);
  const reports: WindowReport[] = [];
  const chainCalls: Array<{ window: number; uids: number[]; weights: number[] }> = [];
  let honestOverlap = 0;
  const WINDOWS = 6;
  for (let w = 0; w < WINDOWS; w++) {
    honestBytes.clear();
    const sent = new Map<number, Uint8Array>();
    for (const uid of [...HONEST, ...Object.keys(ADVERSARIES).map(Number)]) {
      const bytes = await honestPayload(world, theta, uid, w, hooks[uid]?.trainingSamples);
      if (HONEST.includes(uid)) honestBytes.set(uid, bytes);
      const out = hooks[uid] ? hooks[uid]!.transformPayload(bytes, w) : bytes;
      if (out) sent.set(uid, out);
    }
    // What checkAnnouncements does with them: decode against (run, window, uid).
    const verdicts: WindowVerdicts = { accepted: [], rejected: [] };
    for (const [uid, bytes] of [...sent].sort((a, b) => a[0] - b[0])) {
      try {
        decodePayload(bytes, layout, { runHash, window: w, uid });
        verdicts.accepted.push({ uid, digest: payloadDigest(bytes), bytes });
      } catch (e) {
        assert.ok(e instanceof PayloadError);
        verdicts.rejected.push({ uid, reason: `invalid: ${e.code}` });
      }
    }
    // The copycat is heard after the miner it copies.
    heardTimes.set(w, [...sent.keys()].map((uid) => ({ uid, firstSeenMs: 1000 * w + (uid === 7 ? 900 : uid) })));
    const chosen = await g.choose(w, verdicts);
    // The manifest steps θ (the replica) before afterWindow runs.
    aggregateAndStep(theta, layout, chosen.map((c) => ({ uid: c.uid, payload: decodePayload(c.bytes, layout) })), spec.outer.lr);
    reports.push(await g.afterWindow(w, verdicts));
    await g.maybeSetWeights(w, { setWeights: async (_s: string, uids: number[], weights: number[]) => void chainCalls.push({ window: w, uids, weights }) }, 'signer');
    const hp = HONEST.map((u) => decodePayload(honestBytes.get(u)!, layout));
    for (let i = 0; i < hp.length; i++) for (let j = i + 1; j < hp.length; j++) honestOverlap = Math.max(honestOverlap, selectionOverlap(hp[i]!, hp[j]!));
  }

  const final = new Map(g.finalScores().map((s) => [s.uid, s.score]));
  const weight = new Map(g.weights().map((x) => [x.uid, x.weight]));
  const info = { final: Object.fromEntries(final), weight: Object.fromEntries(weight), honestOverlap, penalties: reports.map((r) => r.penalties.map((p) => `${p.uid}:${p.kind}`).join(' ')) };
  for (const uid of HONEST) {
    assert.ok((weight.get(uid) ?? 0) > 0, `honest ${uid} has weight: ${JSON.stringify(info)}`);
    for (const adv of Object.keys(ADVERSARIES).map(Number)) {
      assert.ok((weight.get(adv) ?? 0) < weight.get(uid)!, `adversary ${adv} (${ADVERSARIES[adv]}) below honest ${uid}: ${JSON.stringify(info)}`);
    }
  }
  for (const uid of [5, 6, 7, 8, 9]) assert.equal(final.get(uid) ?? 0, 0, `${ADVERSARIES[uid]} gets exactly 0: ${JSON.stringify(info)}`);
  for (const r of reports) {
    assert.ok(!r.manifest.includes(7) && !r.manifest.includes(6) && !r.manifest.includes(8), `window ${r.window} manifest ${r.manifest}`);
    // Issue 22, defect 3: the noise payload is measured before the manifest and, not
    // lowering the loss, never aggregated (it was in 10 of 13 windows before).
    assert.ok(!r.manifest.includes(4), `window ${r.window}: the noise payload is in the manifest ${r.manifest}`);
    for (const uid of HONEST) assert.ok(r.manifest.includes(uid), `window ${r.window}: honest ${uid} is in the manifest ${r.manifest}`);
    assert.deepEqual(r.copies.map((c) => [c.copier, c.original]), [[7, 1]]);
  }
  assert.ok(g.record(7)!.penalties.copy === WINDOWS && g.record(5)!.penalties.invalid === WINDOWS);
  assert.equal(g.record(8)!.inSync, false);
  assert.ok(honestOverlap < 0.4, `honest payloads overlap ${honestOverlap}`);
  // Weights went on chain at window 0 and every 3 windows after.
  assert.deepEqual(chainCalls.map((c) => c.window), [0, 3]);
  // A restarted validator has the same records, nonce and weights.
  const again = new Gauntlet({ ...deps, nonce: undefined });
  assert.deepEqual(again.miners(), g.miners());
  assert.deepEqual(again.weights(), g.weights());
  assert.equal(await again.maybeSetWeights(4, { setWeights: async () => assert.fail('too early') }, 'signer'), null);
  assert.notEqual(thetaHash(theta), thetaHash(world.theta0));

  // The model still learns: the same windows with the honest miners only, every
  // payload in the manifest, end within 5% of the run with the adversaries.
  const honestOnly = Float32Array.from(world.theta0);
  for (let w = 0; w < WINDOWS; w++) {
    const payloads = [];
    for (const uid of HONEST) payloads.push({ uid, payload: decodePayload(await honestPayload(world, honestOnly, uid, w), layout) });
    aggregateAndStep(honestOnly, layout, payloads, spec.outer.lr);
  }
  const heldOut = samplePool(runHash, 0xffffffff, 0, 4 * spec.batch, world.ds.sampleCount(spec.seqLen));
  const loss = async (params: Float32Array): Promise<number> => {
    engine.params.set(params);
    let sum = 0;
    for (let i = 0; i < heldOut.length; i += spec.batch) sum += await meanLoss(engine, evalBatch(world.ds, heldOut.slice(i, i + spec.batch), spec.seqLen));
    return sum / (heldOut.length / spec.batch);
  };
  const [l0, lAdv, lHonest] = [await loss(world.theta0), await loss(theta), await loss(honestOnly)];
  assert.ok(lAdv < l0 && lHonest < l0, `loss from ${l0}: with adversaries ${lAdv}, honest only ${lHonest}`);
  assert.ok(Math.abs(lAdv - lHonest) / lHonest <= 0.05, `with adversaries ${lAdv} vs honest only ${lHonest}`);
  console.log(JSON.stringify({ ...info, heldOut: { start: l0, withAdversaries: lAdv, honestOnly: lHonest } }));
});

test('a payload made with other compression options is invalid and stays out of the manifest', async () => {
  const { engine } = world;
  const layout = engine.layout;
  const good = await honestPayload(world, world.theta0, 1, 0);
  const dense = new Float32Array(engine.numParams);
  const p = decodePayload(good, layout);
  decompressInto(p, dense);
  const other = encodePayload({ ...p.header, uid: 2 }, compressWithFeedback(new Float32Array(engine.numParams), dense, layout, 0, { chunk: 4, k: 4, demo: false }));
  const g = new Gauntlet({ engine, runHash, spec, trainSet: world.ds, theta: () => world.theta0, nonce: new Uint8Array(16) });
  const verdicts: WindowVerdicts = {
    accepted: [{ uid: 1, digest: payloadDigest(good), bytes: good }, { uid: 2, digest: payloadDigest(other), bytes: other }],
    rejected: [],
  };
  assert.deepEqual((await g.choose(0, verdicts)).map((c) => c.uid), [1]);
  const report = await g.afterWindow(0, verdicts);
  assert.deepEqual(report.penalties.map((x) => [x.uid, x.kind, x.why]), [[2, 'invalid', 'wrong_options']]);
  assert.equal(g.record(2)!.indicatorMa, -1);
  assert.deepEqual(report.evaluated.map((e) => e.uid), [1]);
});
