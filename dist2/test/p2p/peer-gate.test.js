// PeerGate on its own: who is merely unknown (ignored, never penalised), how
// offences expire and scale the app score, what registration forgives, and whom
// the gate refuses at the connection and blob level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFENDER_SCORE, PeerGate, SCORE_THRESHOLDS } from '../../src/p2p/peer-gate.js';
const A = 'peer-a';
const B = 'peer-b';
const SEED = 'peer-seed';
function clock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms) => { t += ms; } };
}
test('an unknown sender is not an offence: ignored until the set is re-read, never penalised', () => {
    const gate = new PeerGate();
    assert.equal(gate.senderVerdict(B, 'grad'), 'allowed', 'no set read yet: everyone is admitted');
    gate.setRegistered(new Set([A]));
    assert.equal(gate.senderVerdict(A, 'grad'), 'allowed');
    assert.equal(gate.senderVerdict(B, 'grad'), 'unknown');
    assert.equal(gate.senderVerdict(B, 'status'), 'unknown');
    assert.equal(gate.isPenalised(B), false, 'speaking while unknown is no offence');
    assert.equal(gate.penalties().size, 0);
    assert.equal(gate.appScore(B), 0, 'no app-score penalty');
    assert.equal(gate.refusesConnection(B), false, 'an unknown peer may still connect (the DHT needs it)');
    // once its commitment is read, the same peer is heard
    gate.setRegistered(new Set([A, B]));
    assert.equal(gate.senderVerdict(B, 'grad'), 'allowed');
});
test('a manifest from any registered peer passes the gate (the speaker rule judges it); an unknown one is ignored', () => {
    const gate = new PeerGate();
    gate.setRegistered(new Set([A, B]), new Set([A]));
    assert.equal(gate.senderVerdict(A, 'manifest'), 'allowed');
    assert.equal(gate.senderVerdict(B, 'manifest'), 'allowed', 'judged by the node\'s speaker rule, which may penalise it');
    assert.equal(gate.senderVerdict('12D3KooWUnknownPeer', 'manifest'), 'unknown');
    assert.equal(gate.isPenalised(B), false);
});
test('offences expire after their period, one by one; the app score scales with the live ones', () => {
    const c = clock();
    const gate = new PeerGate({ offenceTtlMs: 60_000, now: c.now });
    gate.setAppScores(new Map([[A, 50]]));
    assert.equal(gate.appScore(A), 50);
    gate.penalise(A, 'served bytes that do not match the digest');
    assert.ok(gate.isPenalised(A));
    assert.equal(gate.appScore(A), OFFENDER_SCORE, 'one live offence: below the graylist, stake does not shield it');
    assert.ok(gate.appScore(A) < SCORE_THRESHOLDS.graylistThreshold);
    c.advance(30_000);
    gate.penalise(A, 'served bytes that do not match the digest');
    assert.equal(gate.appScore(A), 2 * OFFENDER_SCORE, 'two live offences cost twice as much');
    assert.equal(gate.penalties().get(A)?.length, 2);
    c.advance(30_001); // the first one is over
    assert.equal(gate.appScore(A), OFFENDER_SCORE);
    assert.equal(gate.penalties().get(A)?.length, 1);
    assert.ok(gate.isPenalised(A));
    c.advance(30_000); // and the second
    assert.equal(gate.isPenalised(A), false, 'all offences expired');
    assert.equal(gate.penalties().has(A), false);
    assert.equal(gate.appScore(A), 50, 'back to its stake score');
    assert.equal(gate.refusesConnection(A), false);
});
test('registration forgives what unregistration caused, and nothing else', () => {
    const gate = new PeerGate();
    gate.setRegistered(new Set([A]));
    gate.penalise(B, 'unregistered sender on grad');
    gate.penalise(A, 'served bytes that do not match the digest');
    gate.penalise(B, 'served bytes that do not match the digest');
    gate.penalise(B, 'unregistered sender on status');
    assert.equal(gate.penalties().get(B)?.length, 3);
    gate.setRegistered(new Set([A, B]));
    assert.deepEqual(gate.penalties().get(B)?.map((o) => o.reason), ['served bytes that do not match the digest'], 'real misbehaviour still counts');
    assert.equal(gate.penalties().get(A)?.length, 1, 'a registered peer keeps its real offence');
    assert.equal(gate.appScore(B), OFFENDER_SCORE);
    // a peer whose only offences came from being unregistered is clean again
    const g2 = new PeerGate();
    g2.setRegistered(new Set([A]));
    g2.penalise(B, 'unregistered sender on grad');
    g2.setRegistered(new Set([A, B]), new Set([A]));
    assert.equal(g2.isPenalised(B), false);
    assert.equal(g2.appScore(B), 0);
});
test('connections: offenders are refused, bootstrap peers never, unknown and unregistered peers allowed', () => {
    const gate = new PeerGate({ alwaysConnect: [SEED] });
    gate.setRegistered(new Set([A]));
    assert.equal(gate.refusesConnection(B), false, 'known unregistered: still a DHT participant');
    gate.penalise(A, 'served bytes that do not match the digest');
    assert.equal(gate.refusesConnection(A), true, 'graylisted');
    gate.penalise(SEED, 'served bytes that do not match the digest');
    assert.equal(gate.refusesConnection(SEED), false, 'the bootstrap peer is how this node reaches the network');
});
test('blob requesters: registered served, offenders refused, unknown refused only once a set is known', () => {
    const gate = new PeerGate();
    assert.equal(gate.requesterVerdict(B), 'serve', 'no set read yet: everyone is served');
    gate.setRegistered(new Set([A]), new Set([SEED]));
    assert.equal(gate.requesterVerdict(A), 'serve');
    assert.equal(gate.requesterVerdict(SEED), 'serve', 'validators are registered');
    assert.equal(gate.requesterVerdict(B), 'unknown');
    assert.equal(gate.isPenalised(B), false, 'asking while unknown is no offence');
    gate.penalise(A, 'served bytes that do not match the digest');
    assert.equal(gate.requesterVerdict(A), 'offender');
});
//# sourceMappingURL=peer-gate.test.js.map