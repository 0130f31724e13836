// Table-driven tests of the pure protocol core (src/node/protocol/replica-core.ts):
// state + event → decision, every branch of the gap walk, the heard windows, the
// readiness to speak, the precedence and fork-choice rules and the start-up jump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_DIGEST } from '../../src/node/manifest-chain.js';
import { HeardWindows, forkStep, preferOnFork, readyToSpeak, startupJump, supersedes, walkStep } from '../../src/node/protocol/replica-core.js';
const D = (c) => c.repeat(64);
test('walkStep: every branch of the gap walk', () => {
    const rows = [
        { name: 'links onto the head', p: { kind: 'next' }, depth: 1, jumped: false, canJump: true, want: { kind: 'apply' } },
        { name: 'predecessors link on', p: { kind: 'next' }, depth: 3, jumped: true, canJump: true, want: { kind: 'apply' } },
        { name: 'the offered one is applied', p: { kind: 'applied' }, depth: 1, jumped: false, canJump: false, want: { kind: 'duplicate' } },
        { name: 'a fetched predecessor is applied but not the head', p: { kind: 'applied' }, depth: 2, jumped: false, canJump: false, want: { kind: 'ignore', reason: 'forks_after_applied' } },
        { name: 'a fork', p: { kind: 'fork', reason: 'x' }, depth: 1, jumped: false, canJump: true, want: { kind: 'ignore', reason: 'fork' } },
        { name: 'a chain restarting from genesis', p: { kind: 'gap', missing: GENESIS_DIGEST }, depth: 2, jumped: false, canJump: true, want: { kind: 'ignore', reason: 'restarts_from_genesis' } },
        { name: 'first gap, checkpoints available', p: { kind: 'gap', missing: D('a') }, depth: 1, jumped: false, canJump: true, want: { kind: 'jump' } },
        { name: 'gap after a jump was tried', p: { kind: 'gap', missing: D('a') }, depth: 1, jumped: true, canJump: true, want: { kind: 'fetch', digest: D('a') } },
        { name: 'gap, no checkpoints', p: { kind: 'gap', missing: D('b') }, depth: 4, jumped: false, canJump: false, want: { kind: 'fetch', digest: D('b') } },
    ];
    for (const r of rows)
        assert.deepEqual(walkStep(r.p, { depth: r.depth, jumped: r.jumped, canJump: r.canJump }), r.want, r.name);
});
test('HeardWindows: applied, in flight and failed count; an offer that ended well does not', () => {
    const h = new HeardWindows();
    assert.equal(h.newest(4), 4, 'the head alone');
    h.begin(7);
    h.begin(7);
    assert.equal(h.newest(4), 7, 'in flight');
    h.end(7, false);
    assert.equal(h.newest(4), 7, 'one of two offers of 7 still in flight');
    h.end(7, false);
    // An offer that ended without failing and without moving the head was ignored (a
    // fork, a genesis restart): not heard (commit b19c8e0).
    assert.equal(h.newest(4), 4, 'an ignored manifest is not heard');
    h.begin(9);
    h.end(9, true);
    assert.equal(h.newest(4), 9, 'a failed apply: behind');
    assert.equal(h.newest(12), 12, 'the head passed it');
});
test('readyToSpeak: on θ_w, or after null rounds with nothing newer heard', () => {
    const rows = [
        { synced: false, headWindow: 9, newestHeardWindow: 9, firstFullWindow: 0, w: 10, want: false },
        { synced: true, headWindow: 9, newestHeardWindow: 9, firstFullWindow: 0, w: 10, want: true },
        { synced: true, headWindow: 12, newestHeardWindow: 12, firstFullWindow: 0, w: 10, want: true },
        { synced: true, headWindow: 7, newestHeardWindow: 7, firstFullWindow: 0, w: 10, want: true },
        { synced: true, headWindow: 7, newestHeardWindow: 8, firstFullWindow: 0, w: 10, want: false },
        { synced: true, headWindow: 7, newestHeardWindow: 7, firstFullWindow: 11, w: 10, want: false },
    ];
    for (const r of rows)
        assert.equal(readyToSpeak(r, r.w), r.want, JSON.stringify(r));
});
test('supersedes: a lower rank of the same window on the same θ_w takes back the fallback head', () => {
    const held = { window: 5, rank: 1, digest: D('f'), prev: { digest: D('p'), window: 4 } };
    const lead = { window: 5, digest: D('l'), prevDigest: D('p'), rank: 0 };
    assert.equal(supersedes(held, D('f'), lead), true);
    assert.equal(supersedes(null, D('f'), lead), false, 'the head is the lead\'s');
    assert.equal(supersedes(held, D('x'), lead), false, 'the fallback head moved on');
    assert.equal(supersedes(held, D('f'), { ...lead, rank: 2 }), false, 'a higher rank');
    assert.equal(supersedes(held, D('f'), { ...lead, rank: undefined }), false, 'rank unknown');
    assert.equal(supersedes(held, D('f'), { ...lead, window: 6 }), false, 'another window');
    assert.equal(supersedes(held, D('f'), { ...lead, prevDigest: D('q') }), false, 'built on another θ');
    assert.equal(supersedes(held, D('f'), { ...lead, digest: D('f') }), false, 'the same manifest');
});
test('fork choice: newer tip wins, then lower rank; different predecessors walk deeper', () => {
    const p = D('p');
    const rows = [
        { ours: { prevDigest: p, rank: 1, tip: 10 }, theirs: { prevDigest: p, rank: 0, tip: 10 }, prefer: true, step: 'switch' },
        { ours: { prevDigest: p, rank: 0, tip: 10 }, theirs: { prevDigest: p, rank: 1, tip: 10 }, prefer: false, step: 'ignore' },
        { ours: { prevDigest: p, rank: 0, tip: 10 }, theirs: { prevDigest: p, rank: 1, tip: 11 }, prefer: true, step: 'switch' },
        { ours: { prevDigest: p, rank: 1, tip: 12 }, theirs: { prevDigest: p, rank: 0, tip: 11 }, prefer: false, step: 'ignore' },
        { ours: { prevDigest: p, rank: undefined, tip: 10 }, theirs: { prevDigest: p, rank: 2, tip: 10 }, prefer: true, step: 'switch' },
        { ours: { prevDigest: p, rank: 0, tip: 10 }, theirs: { prevDigest: p, rank: undefined, tip: 10 }, prefer: false, step: 'ignore' },
        { ours: { prevDigest: p, rank: 1, tip: 10 }, theirs: { prevDigest: D('q'), rank: 0, tip: 10 }, prefer: false, step: 'deeper' },
        { ours: { prevDigest: p, rank: 1, tip: 10 }, theirs: { prevDigest: D('q'), rank: 0, tip: 9 }, prefer: false, step: 'ignore' },
    ];
    for (const r of rows) {
        assert.equal(preferOnFork(r.ours, r.theirs), r.prefer, `prefer ${JSON.stringify(r)}`);
        assert.equal(forkStep(r.ours, r.theirs), r.step, `step ${JSON.stringify(r)}`);
    }
});
test('startupJump: only to a newer head that a majority of the asked peers hold and that leaves ours', () => {
    const own = { digest: D('o'), window: 5 };
    const a = { digest: D('a'), window: 9, containsOwn: false };
    assert.deepEqual(startupJump(own, [a, a, { digest: D('b'), window: 9, containsOwn: false }]), { digest: D('a'), window: 9 });
    assert.equal(startupJump(own, [a, { digest: D('b'), window: 9, containsOwn: false }, { digest: D('c'), window: 9, containsOwn: false }]), null, 'no majority');
    assert.equal(startupJump(own, [{ ...a, containsOwn: true }, { ...a, containsOwn: true }]), null, 'our head is on their chain: the walk catches up');
    assert.equal(startupJump(own, [{ ...a, window: 5 }, { ...a, window: 4 }]), null, 'not newer');
    assert.equal(startupJump(own, []), null, 'no peers');
});
//# sourceMappingURL=protocol-cores.test.js.map