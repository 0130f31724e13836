// The speaker rule (src/node/protocol/speakers.ts): who may publish the manifest of a
// window and when, table by table, and that the miner's wait agrees with every slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { speakerOrder, speakerRules, slotOpensAt, manifestWaitUntil, judgeManifest, takesPrecedence, } from '../../src/node/protocol/speakers.js';
const timing = { announceDeadlineMs: 2000, manifestTimeoutMs: 3000 };
const rules = speakerRules({ timing });
const v = (uid, stake, validatorPermit = true) => ({ uid, peerId: `peer${uid}`, stake, validatorPermit });
test('speakers: permit holders with stake, highest stake first, ties to the lower uid, at most maxSpeakers', () => {
    const all = [v(5, 10), v(1, 0), v(2, 500), v(3, 500), v(4, 900, false), v(6, 1)];
    assert.deepEqual(speakerOrder(all, rules).map((s) => s.uid), [2, 3, 5]); // maxSpeakers 3 by default; uid 1 has no stake, 4 no permit
    assert.deepEqual(speakerOrder(all, { ...rules, maxSpeakers: 5 }).map((s) => s.uid), [2, 3, 5, 6]);
    assert.deepEqual(speakerOrder(all, { ...rules, minStake: 100, maxSpeakers: 5 }).map((s) => s.uid), [2, 3]);
    assert.equal(speakerRules({ timing, validators: { minStake: 7, maxSpeakers: 2 } }).maxSpeakers, 2);
});
test('slots: rank r opens r timeouts after the deadline; a miner waits through the last speaker\'s whole slot', () => {
    const start = 100_000;
    assert.equal(slotOpensAt(start, 0, timing), 102_000);
    assert.equal(slotOpensAt(start, 2, timing), 108_000);
    for (const speakers of [1, 2, 3, 5]) {
        const wait = manifestWaitUntil(start, speakers, timing);
        for (let r = 0; r < speakers; r++) {
            // The defect: miners stopped waiting exactly when rank 1 began to speak.
            assert.ok(slotOpensAt(start, r, timing) + timing.manifestTimeoutMs <= wait, `rank ${r} of ${speakers} has a full slot before miners give up`);
        }
    }
    assert.equal(manifestWaitUntil(start, 0, timing), manifestWaitUntil(start, 1, timing));
});
test('judgeManifest: the lead, fallbacks in their slot, and everyone else', () => {
    const speakers = [v(0, 2000), v(1, 1000), v(7, 500)];
    const start = 50_000; // local start of window 11, which closes window 10
    const base = {
        window: 10, validatorUid: 0, signer: { uid: 0, peerId: 'peer0' }, speakers, currentWindow: 11, closingStartMs: start,
        nowMs: start + 2100, timing, rules,
    };
    const at = (signer, nowMs, extra = {}) => judgeManifest({ ...base, validatorUid: signer, signer: { uid: signer, peerId: `peer${signer}` }, nowMs, ...extra });
    const cases = [
        ['lead in its slot', at(0, start + 2100), 'accept'],
        ['lead early by the receiver\'s clock (it saw the block late)', at(0, start + 500), 'accept'],
        ['lead, window not closed yet here', at(0, start - 100, { currentWindow: 10 }), 'accept'],
        ['lead, two windows ahead', at(0, start, { window: 12 }), 'ignore'],
        ['rank 1 in its slot', at(1, start + 5000), 'accept'],
        ['rank 1 within the clock tolerance', at(1, start + 5000 - rules.clockToleranceMs + 1), 'accept'],
        ['rank 1 in the lead\'s slot', at(1, start + 2000), 'reject'],
        ['rank 2 in rank 1\'s slot', at(7, start + 5000), 'reject'],
        ['rank 2 in its slot', at(7, start + 8000), 'accept'],
        ['rank 1 for the open window', at(1, start + 5000, { window: 11 }), 'reject'],
        ['rank 1, start of the window unseen (restarted): no time check', at(1, start + 100, { closingStartMs: undefined }), 'accept'],
        ['rank 1, an old window (catch-up)', at(1, start, { window: 8 }), 'accept'],
        ['a staked miner outside the speakers', at(9, start + 9000), 'reject'],
        ['signer not registered: not blamed', judgeManifest({ ...base, signer: undefined }), 'ignore'],
        ['validatorUid is not the signer\'s', judgeManifest({ ...base, validatorUid: 0, signer: { uid: 1, peerId: 'peer1' }, nowMs: start + 5000 }), 'reject'],
        ['the lead named by another speaker', judgeManifest({ ...base, validatorUid: 0, signer: { uid: 7, peerId: 'peer7' }, nowMs: start + 2000 }), 'reject'],
    ];
    for (const [name, got, want] of cases)
        assert.equal(got.kind, want, `${name}: ${JSON.stringify(got)}`);
    assert.deepEqual(at(1, start + 5000), { kind: 'accept', rank: 1 });
    assert.match(at(1, start + 2000).reason, /^out_of_turn: rank 1 spoke 3000 ms before its slot/);
    assert.equal(judgeManifest({ ...base, signer: { uid: 9, peerId: 'peer9' }, validatorUid: 9 }).reason, 'not_a_speaker');
});
test('precedence: a lower rank wins', () => {
    assert.equal(takesPrecedence(0, 1), true);
    assert.equal(takesPrecedence(1, 0), false);
    assert.equal(takesPrecedence(1, 1), false);
});
//# sourceMappingURL=speakers.test.js.map