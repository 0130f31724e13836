// Evaluation on a real (tiny) engine: honest payloads beat noise, NaN is refused at
// decode, ×1000 is clipped to the window's median, and θ comes back bit for bit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodePayload, medianNorms, thetaHash, PayloadError } from '../../src/train/compress/index.js';
import { Xoshiro256StarStar } from '../../src/train/data/index.js';
import { evaluatePayload, evalBatch, ownSampleIndices, randomSampleIndices, noisePayload, nanPayload, scaledPayload, } from '../../src/validate/index.js';
import { makeWorld, honestPayload, runHash, spec } from './fixture.js';
const world = makeWorld();
after(() => world.close());
const nonce = new Uint8Array(32).fill(5);
test('honest payloads score above noise; NaN is invalid; ×1000 is clipped; θ is restored exactly', async () => {
    const { engine, ds, theta0 } = world;
    const window = 3;
    const layout = engine.layout;
    const decode = (b) => decodePayload(b, layout, { runHash, window });
    const honest = new Map();
    for (const uid of [1, 2, 3, 4, 5])
        honest.set(uid, await honestPayload(world, theta0, uid, window));
    const rng = Xoshiro256StarStar.fromDigest(new Uint8Array(createHash('sha256').update('noise').digest()));
    const noise = decode(noisePayload(decode(honest.get(4)), rng));
    const scaled = decode(scaledPayload(decode(honest.get(5)), 1000));
    assert.throws(() => decode(nanPayload(honest.get(5))), (e) => e instanceof PayloadError && e.code === 'non_finite');
    const set = new Map([[1, decode(honest.get(1))], [2, decode(honest.get(2))], [3, decode(honest.get(3))], [4, noise], [5, scaled]]);
    const thresholds = medianNorms([...set.values()]);
    const hash0 = thetaHash(theta0);
    const T = spec.seqLen;
    const count = ds.sampleCount(T);
    const random = evalBatch(ds, randomSampleIndices(runHash, window, count, spec.batch, nonce), T);
    const evaluate = async (uid, payload) => evaluatePayload({
        engine, theta: theta0, thetaHash: hash0, uid, payload, medianNorms: thresholds, lr: spec.outer.lr * 0.2,
        own: evalBatch(ds, ownSampleIndices(runHash, uid, window, spec.batch, spec.innerSteps, count, spec.batch, nonce), T), random,
    });
    const ev = new Map();
    for (const [uid, p] of set)
        ev.set(uid, await evaluate(uid, p));
    const honestUnscaled5 = await evaluate(5, decode(honest.get(5)));
    for (const uid of [1, 2, 3]) {
        const e = ev.get(uid);
        assert.ok(e.finite && e.score > 0, `honest uid ${uid}: ${JSON.stringify(e)}`);
        assert.ok(e.score > ev.get(4).score, `honest uid ${uid} s=${e.score} vs noise s=${ev.get(4).score}`);
        assert.equal(e.indicator, 1, `honest uid ${uid} improves its own data more: ${JSON.stringify(e)}`);
    }
    // ×1000 is cut down to the window's median norm in every tensor: it gains at most
    // what being at the median is worth (not 1000×), and applied unclipped it would
    // wreck the model. (The Gauntlet also marks it invalid as a norm outlier.)
    const s5 = ev.get(5);
    assert.equal(s5.clippedTensors, layout.length);
    assert.ok(s5.finite && s5.score <= 1.05 * honestUnscaled5.score, `scaled s=${s5.score}, honest s=${honestUnscaled5.score}`);
    const unclipped = await evaluatePayload({
        engine, theta: theta0, thetaHash: hash0, uid: 5, payload: scaled, medianNorms: medianNorms([scaled]), // its own norm: no clipping
        lr: spec.outer.lr * 0.2, own: evalBatch(ds, [0], T), random,
    });
    assert.ok(!unclipped.finite || unclipped.score < -1, `unclipped ×1000: s=${unclipped.score}`);
    // θ_w is back in the engine, bit for bit, and the caller's copy was never touched.
    assert.equal(thetaHash(engine.params), hash0);
    assert.equal(Buffer.compare(Buffer.from(engine.params.buffer, engine.params.byteOffset, engine.params.byteLength), Buffer.from(theta0.buffer)), 0);
    console.log(JSON.stringify([...ev.values(), honestUnscaled5].map((e) => ({ uid: e.uid, s: e.score, own: e.ownDrop, ind: e.indicator, clipped: e.clippedTensors }))));
});
//# sourceMappingURL=evaluate.test.js.map