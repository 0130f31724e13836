// Fixed vectors for weight normalisation and the commit hash (the hash is also checked
// for real by the subtensor suite: the runtime only accepts a reveal that matches it),
// and the window clock driven by a scripted block stream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WindowClock, weightsCommitHash, weightsToU16 } from '../../src/chain/index.js';
describe('weightsToU16', () => {
    it('max-upscales to 65535 and rounds to nearest', () => {
        assert.deepEqual(weightsToU16([0, 1, 2], [0.25, 1, 0.5]), { uids: [0, 1, 2], values: [16384, 65535, 32768] });
        assert.deepEqual(weightsToU16([5, 3], [3, 1]), { uids: [5, 3], values: [65535, 21845] });
    });
    it('drops zero and negative weights', () => {
        assert.deepEqual(weightsToU16([0, 1, 2], [-1, 0, 2]), { uids: [2], values: [65535] });
    });
    it('refuses non-finite weights and duplicate uids', () => {
        assert.throws(() => weightsToU16([0], [NaN]), /finite/);
        assert.throws(() => weightsToU16([1, 1], [1, 1]), /twice/);
        assert.throws(() => weightsToU16([70000], [1]), /u16/);
    });
});
describe('weightsCommitHash', () => {
    it('matches the committed vector', () => {
        // Alice's address, netuid 2, uids [1,2], values [65535,32768], salt 1..8, version 0
        const h = weightsCommitHash('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 2, [1, 2], [65535, 32768], [1, 2, 3, 4, 5, 6, 7, 8], 0n);
        assert.equal(h, VECTOR);
        // every input is bound into the hash
        assert.notEqual(weightsCommitHash('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 2, [1, 2], [65535, 32768], [1, 2, 3, 4, 5, 6, 7, 8], 1n), h);
        assert.notEqual(weightsCommitHash('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 3, [1, 2], [65535, 32768], [1, 2, 3, 4, 5, 6, 7, 8], 0n), h);
    });
});
/** a Chain whose block stream the test drives by hand */
function scriptedChain() {
    const subs = new Set();
    const chain = {
        kind: 'dev', netuid: 1,
        subscribeBlocks: async (cb) => {
            subs.add(cb);
            return () => subs.delete(cb);
        },
    };
    return { chain, emit: (b) => subs.forEach((cb) => cb(b)) };
}
describe('WindowClock', () => {
    it('maps blocks to windows and fires once per window', async () => {
        let now = 0;
        const { chain, emit } = scriptedChain();
        const clock = new WindowClock(chain, 5, { blockTimeMs: 1000, now: () => now });
        assert.equal(clock.window(0), 0);
        assert.equal(clock.window(4), 0);
        assert.equal(clock.window(5), 1);
        assert.equal(clock.windowStart(3), 15);
        const fired = [];
        const unsub = await clock.onWindow((w, b) => fired.push([w, b]));
        for (const b of [7, 8, 9, 10, 10, 11, 14, 15]) {
            emit(b);
            now += 1000;
        }
        assert.deepEqual(fired, [[1, 7], [2, 10], [3, 15]]);
        unsub();
        emit(20);
        assert.equal(fired.length, 3);
    });
    it('estimates time into the window from block times', async () => {
        let now = 0;
        const { chain, emit } = scriptedChain();
        const clock = new WindowClock(chain, 10, { blockTimeMs: 2000, now: () => now });
        await clock.onWindow(() => undefined);
        emit(20); // start of window 2
        now = 500;
        assert.equal(clock.msIntoWindow(), 500);
        assert.equal(clock.msUntilWindowEnd(), 10 * 2000 - 500);
        now = 2000;
        emit(21);
        assert.equal(clock.msIntoWindow(), 2000);
    });
});
const VECTOR = '0xd6f1a81b113134d8da846197b91e678806c90ea00da3d73b1d1383145b1a9355';
//# sourceMappingURL=weights-clock.test.js.map