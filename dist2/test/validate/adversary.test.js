// Each adversary mode's payload, as the miner hook produces it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodePayload, thetaHashBytes, PayloadError } from '../../src/train/compress/index.js';
import { adversaryHooks, selectionOverlap, isAdversaryMode, GauntletError } from '../../src/validate/index.js';
import { makeWorld, honestPayload, runHash } from './fixture.js';
const world = makeWorld();
after(() => world.close());
test('adversary payloads: free-rider, NaN, ×1000, noise, copycat, stale, lazy', async () => {
    const { engine, theta0 } = world;
    const layout = engine.layout;
    const mine = await honestPayload(world, theta0, 4, 0);
    const other = await honestPayload(world, theta0, 1, 0);
    const d = (b, uid = 4, window = 0) => decodePayload(b, layout, { runHash, window, uid });
    const honest = d(mine);
    assert.equal(adversaryHooks('free-rider', { layout }).transformPayload(mine, 0), null);
    assert.throws(() => d(adversaryHooks('nan', { layout }).transformPayload(mine, 0)), (e) => e instanceof PayloadError && e.code === 'non_finite');
    const scaled = d(adversaryHooks('scale', { layout, factor: 1000 }).transformPayload(mine, 0));
    honest.quant.forEach((q, i) => assert.ok(Math.abs(scaled.quant[i] - q * 1000) <= Math.abs(q) * 1000 * 1e-6));
    assert.deepEqual(scaled.indices, honest.indices);
    const noise = d(adversaryHooks('noise', { layout, seed: 3 }).transformPayload(mine, 0));
    assert.ok(selectionOverlap(noise, honest) < 0.3, `noise overlaps ${selectionOverlap(noise, honest)}`);
    const copy = d(adversaryHooks('copycat', { layout, source: () => other }).transformPayload(mine, 0));
    assert.equal(copy.header.uid, 4, 'the copy carries the copycat\'s own uid and passes the header checks');
    assert.equal(selectionOverlap(copy, d(other, 1)), 1);
    assert.equal(adversaryHooks('copycat', { layout, source: () => null }).transformPayload(mine, 0), null);
    assert.throws(() => adversaryHooks('copycat', { layout }), GauntletError);
    // stale, lag 1: nothing in window 0, then window 0's work headed with window 0's θ.
    const theta1 = Float32Array.from(theta0, (x) => x * 0.5);
    const stale = adversaryHooks('stale', { layout, lag: 1 });
    assert.equal(stale.transformPayload(mine, 0), null);
    const next = await honestPayload(world, theta1, 4, 1);
    const replay = d(stale.transformPayload(next, 1), 4, 1);
    assert.deepEqual(Buffer.from(replay.header.baseThetaHash), Buffer.from(thetaHashBytes(theta0)));
    assert.deepEqual(replay.indices, honest.indices);
    const lazy = adversaryHooks('lazy', { layout });
    assert.deepEqual(lazy.trainingSamples(0, [5, 6]), [5, 6]);
    assert.deepEqual(lazy.trainingSamples(1, [7, 8]), [5, 6]);
    assert.equal(lazy.transformPayload(mine, 0), mine);
    assert.ok(isAdversaryMode('copycat') && !isAdversaryMode('honest'));
});
//# sourceMappingURL=adversary.test.js.map