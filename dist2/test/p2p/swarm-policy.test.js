// The swarm's rules alone (swarm-policy.ts): rarest first, the origin last, bounds per
// peer, timeouts, refusals, strikes, endgame, super-seeding and the serve queue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginPieces, PeerLoad, PieceScheduler, ServeQueue } from '../../src/p2p/swarm-policy.js';
/** deterministic "random" for the tie-breaking shuffle */
function rng(seed) {
    let x = seed >>> 0;
    return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const opts = { maxInFlightPerPeer: 2, requestTimeoutMs: 1000, retryAfterMs: 500, busyBackoffMs: 100, maxStrikes: 2, endgameMax: 2, endgameAfterMs: 200 };
describe('PieceScheduler', () => {
    test('asks for the rarest pieces first', () => {
        const s = new PieceScheduler(4, new Set(), new PeerLoad(), { ...opts, maxInFlightPerPeer: 1 }, rng(1));
        s.setHave('a', [0, 1, 2, 3]);
        s.setHave('b', [0, 1, 3]);
        s.setHave('c', [0, 3]);
        // rarity: 2 → 1 holder, 1 → 2, 0 and 3 → 3; one request per peer
        const first = s.next(0);
        assert.equal(first.length, 3);
        assert.deepEqual(first.slice(0, 2).map((a) => [a.index, a.peer]), [[2, 'a'], [1, 'b']], 'a holds 2 alone; then a is at its bound');
        assert.ok([0, 3].includes(first[2].index));
        assert.equal(first[2].peer, 'c');
    });
    test('bounds requests in flight per peer, across every blob fetched', () => {
        const load = new PeerLoad();
        const a = new PieceScheduler(8, new Set(), load, opts, rng(2));
        const b = new PieceScheduler(8, new Set(), load, opts, rng(3));
        a.setHave('p', [0, 1, 2, 3, 4, 5, 6, 7]);
        b.setHave('p', [0, 1, 2, 3, 4, 5, 6, 7]);
        assert.equal(a.next(0).length, 2);
        assert.equal(b.next(0).length, 0, 'p already has 2 requests of ours in flight');
        assert.equal(load.get('p'), 2);
    });
    test('prefers holders other than the origin; the origin only for pieces nobody else has', () => {
        const s = new PieceScheduler(3, new Set(['origin']), new PeerLoad(), opts, rng(4));
        s.setHave('origin', [0, 1, 2]);
        s.setHave('x', [0]);
        const got = s.next(0);
        const byIndex = new Map(got.map((a) => [a.index, a.peer]));
        assert.equal(byIndex.get(0), 'x');
        assert.equal(byIndex.get(1), 'origin');
        assert.equal(byIndex.get(2), 'origin');
        // x at its bound: a piece x holds waits rather than go to the origin
        const t = new PieceScheduler(3, new Set(['origin']), new PeerLoad(), { ...opts, maxInFlightPerPeer: 1 }, rng(5));
        t.setHave('origin', [0, 1, 2]);
        t.setHave('x', [0, 1]);
        const r = t.next(0);
        assert.deepEqual(r.filter((a) => a.peer === 'origin').map((a) => a.index), [2]);
        assert.equal(r.filter((a) => a.peer === 'x').length, 1);
    });
    test('a wrong piece bans the sender from the blob and the piece goes to another holder', () => {
        const s = new PieceScheduler(1, new Set(), new PeerLoad(), opts, rng(6));
        s.setHave('liar', [0]);
        const [a] = s.next(0);
        assert.equal(a.peer, 'liar');
        assert.equal(s.onPiece('liar', 0, false).verdict, 'penalise');
        assert.ok(s.isBanned('liar'));
        s.setHave('liar', [0]); // its claims are no longer heard
        s.setHave('honest', [0]);
        const [b] = s.next(1);
        assert.equal(b.peer, 'honest');
        assert.equal(s.onPiece('honest', 0, true).verdict, 'ok');
        assert.ok(s.done());
    });
    test('a piece nobody asked of that peer is ignored, not counted', () => {
        const s = new PieceScheduler(2, new Set(), new PeerLoad(), opts, rng(7));
        s.setHave('a', [0, 1]);
        assert.equal(s.onPiece('stranger', 0, true).verdict, 'ignored');
        assert.equal(s.missingCount(), 2);
    });
    test('a timed-out request goes elsewhere; the slow peer is skipped for that piece for a while', () => {
        const load = new PeerLoad();
        const s = new PieceScheduler(1, new Set(), load, opts, rng(8));
        s.setHave('slow', [0]);
        assert.equal(s.next(0)[0].peer, 'slow');
        assert.deepEqual(s.expire(999), []);
        assert.deepEqual(s.expire(1000).map((e) => e.peer), ['slow']);
        assert.equal(load.get('slow'), 0, 'its slot is free again');
        assert.deepEqual(s.next(1000), [], 'skipped while retryAfterMs runs');
        s.setHave('fast', [0]);
        assert.equal(s.next(1001)[0].peer, 'fast');
    });
    test('BUSY backs off from the peer; NOT_HAVE strikes; too many strikes ban', () => {
        const s = new PieceScheduler(3, new Set(), new PeerLoad(), { ...opts, maxInFlightPerPeer: 3 }, rng(9));
        s.setHave('p', [0, 1, 2]);
        const reqs = s.next(0);
        assert.equal(reqs.length, 3);
        s.onRefused('p', reqs[0].index, 'busy', 0);
        assert.deepEqual(s.next(50), [], 'backing off');
        assert.equal(s.next(100).length, 1, 'asked again after the back-off');
        s.onRefused('p', reqs[1].index, 'not-have', 100);
        assert.ok(!s.isBanned('p'));
        s.onRefused('p', reqs[2].index, 'not-have', 100);
        assert.ok(s.isBanned('p'), 'two false claims (maxStrikes 2)');
    });
    test('ELSEWHERE: another holder is asked; with none in sight the piece is asked again saying so', () => {
        const s = new PieceScheduler(1, new Set(['origin']), new PeerLoad(), opts, rng(10));
        s.setHave('origin', [0]);
        s.next(0);
        s.onRefused('origin', 0, 'elsewhere', 0);
        assert.deepEqual(s.next(100), [], 'the origin is skipped for that piece');
        const again = s.next(500);
        assert.equal(again[0].peer, 'origin');
        assert.equal(again[0].onlySource, true, 'nobody else holds it');
        // a new holder of the piece lifts the skip at once, and is preferred
        const t = new PieceScheduler(1, new Set(['origin']), new PeerLoad(), opts, rng(11));
        t.setHave('origin', [0]);
        t.next(0);
        t.onRefused('origin', 0, 'elsewhere', 0);
        t.setHave('x', [0]);
        assert.deepEqual(t.next(1).map((a) => [a.peer, a.onlySource]), [['x', false]]);
    });
    test('endgame: the last pieces, in flight for a while, are asked of one more holder', () => {
        const s = new PieceScheduler(2, new Set(), new PeerLoad(), opts, rng(12));
        s.setHave('a', [0, 1]);
        s.setHave('b', [0, 1]);
        const first = s.next(0);
        assert.equal(first.length, 2);
        assert.deepEqual(s.next(100), [], 'not yet: in flight only 100 ms');
        const dup = s.next(300);
        assert.equal(dup.length, 2);
        for (const d of dup)
            assert.notEqual(d.peer, first.find((f) => f.index === d.index).peer);
        const r = s.onPiece(first[0].peer, first[0].index, true);
        assert.equal(r.verdict, 'ok');
        assert.equal(r.cancel.length, 1, 'the duplicate request is cancelled');
    });
    test('a peer that leaves frees its requests', () => {
        const load = new PeerLoad();
        const s = new PieceScheduler(2, new Set(), load, opts, rng(13));
        s.setHave('gone', [0, 1]);
        assert.equal(s.next(0).length, 2);
        s.dropPeer('gone');
        assert.equal(load.get('gone'), 0);
        assert.equal(s.inFlightCount(), 0);
        assert.equal(s.sourceCount(), 0);
    });
});
describe('super-seeding (OriginPieces) and the serve queue', () => {
    test('the origin serves each piece once, then sends askers to the other holders', () => {
        const o = new OriginPieces(2);
        assert.equal(o.decide(0, false, 0, 1000), 'serve');
        o.noteSent(0, 0);
        assert.equal(o.decide(0, false, 10, 1000), 'elsewhere', 'in transit to its first receiver');
        assert.equal(o.decide(0, false, 1000, 1000), 'serve', 'nobody announced it in time: served again');
        o.noteSent(0, 1000);
        o.noteHave('x', (i) => i === 0);
        assert.equal(o.decide(0, false, 5000, 1000), 'elsewhere', 'x holds it');
        assert.equal(o.decide(0, true, 5000, 1000), 'serve', 'a requester with no other source is served');
        o.dropPeer('x');
        assert.equal(o.decide(0, false, 5000, 1000), 'serve');
        assert.equal(o.sentCount(0), 2);
        assert.equal(o.decide(1, false, 0, 1000), 'serve');
    });
    test('a peer asking for everything is bounded per peer and in all', () => {
        const q = new ServeQueue({ maxQueuedPerPeer: 2, maxQueued: 3, regrantAfterMs: 0 });
        assert.ok(q.admit('greedy'));
        assert.ok(q.admit('greedy'));
        assert.ok(!q.admit('greedy'), 'per-peer bound');
        assert.ok(q.admit('other'));
        assert.ok(!q.admit('third'), 'total bound');
        q.release('greedy');
        assert.ok(q.admit('third'));
        assert.equal(q.queued(), 3);
        q.release('nobody'); // releasing what was never admitted changes nothing
        assert.equal(q.queued(), 3);
    });
});
//# sourceMappingURL=swarm-policy.test.js.map