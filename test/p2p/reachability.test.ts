// The reachability judgement (pure): the operator's word wins; in auto mode a
// direct address AutoNAT verified makes a node public, only private/loopback
// addresses make it private, and a public address nobody dialled back yet leaves it
// unknown. Relay addresses are listed but never count as direct reachability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateAddr, isRelayAddr, judgeReachability, wantsRelayReservation } from '../../src/p2p/reachability.js';

const RELAY = '/ip4/203.0.113.7/tcp/9100/p2p/12D3KooWLp31J1nbA2y3hKE9u75v84gdBzdV6vAK3Mg25cTsBzHR/p2p-circuit';

test('address classes: private ranges and loopback are private, public ones are not; circuits are relay addresses', () => {
  for (const a of ['/ip4/10.78.1.2/tcp/1', '/ip4/192.168.1.5/tcp/1', '/ip4/172.16.0.1/tcp/1', '/ip4/127.0.0.1/tcp/1', '/ip4/100.64.0.1/tcp/1']) {
    assert.equal(isPrivateAddr(a), true, a);
  }
  for (const a of ['/ip4/1.1.1.1/tcp/1', '/ip4/8.8.8.8/tcp/1']) assert.equal(isPrivateAddr(a), false, a);
  assert.equal(isPrivateAddr('not a multiaddr'), false);
  assert.equal(isRelayAddr(RELAY), true);
  assert.equal(isRelayAddr('/ip4/8.8.8.8/tcp/1'), false);
});

test('auto: verified public direct address → public; only private addresses → private; unverified public → unknown', () => {
  const pub = judgeReachability('auto', [{ addr: '/ip4/8.8.8.8/tcp/9000', verified: true }, { addr: '/ip4/10.0.0.2/tcp/9000', verified: false }]);
  assert.equal(pub.state, 'public');
  assert.deepEqual(pub.verifiedPublicAddrs, ['/ip4/8.8.8.8/tcp/9000']);

  const nat = judgeReachability('auto', [{ addr: '/ip4/10.78.1.2/tcp/9000', verified: true }, { addr: RELAY, verified: true }]);
  assert.equal(nat.state, 'private', 'a verified private address does not make a node public');
  assert.deepEqual(nat.relayAddrs, [RELAY]);
  assert.match(nat.reason, /1 relay address/);

  const waiting = judgeReachability('auto', [{ addr: '/ip4/8.8.8.8/tcp/9000', verified: false }]);
  assert.equal(waiting.state, 'unknown');
  assert.match(waiting.reason, /no relay reservation yet/);

  // a relay address alone (no direct address: a node that only dials out) is private
  assert.equal(judgeReachability('auto', [{ addr: RELAY, verified: true }]).state, 'private');
  assert.equal(judgeReachability('auto', []).state, 'private');
});

test('the operator\'s mode wins over the addresses; only public mode goes without a relay reservation', () => {
  assert.equal(judgeReachability('public', [{ addr: '/ip4/10.0.0.2/tcp/1', verified: false }]).state, 'public');
  assert.equal(judgeReachability('private', [{ addr: '/ip4/8.8.8.8/tcp/1', verified: true }]).state, 'private');
  assert.equal(wantsRelayReservation('public'), false);
  assert.equal(wantsRelayReservation('private'), true);
  assert.equal(wantsRelayReservation('auto'), true);
  assert.equal(wantsRelayReservation('auto', ['/ip4/10.0.0.2/tcp/1']), true);
  assert.equal(wantsRelayReservation('auto', ['/ip4/127.0.0.1/tcp/1', '/ip4/10.0.0.2/tcp/1']), true, 'one address beyond this host: reserve');
});

test('auto on loopback only (a one-machine testnet): public, and no relay reservation (a relay on the same host adds nothing)', () => {
  const lo = judgeReachability('auto', [{ addr: '/ip4/127.0.0.1/tcp/9000', verified: false }, { addr: '/ip6/::1/tcp/9000', verified: false }]);
  assert.equal(lo.state, 'public');
  assert.match(lo.reason, /loopback/);
  assert.equal(wantsRelayReservation('auto', ['/ip4/127.0.0.1/tcp/9000']), false);
  // the operator's word still wins
  assert.equal(wantsRelayReservation('private', ['/ip4/127.0.0.1/tcp/9000']), true);
  assert.equal(judgeReachability('private', [{ addr: '/ip4/127.0.0.1/tcp/9000', verified: false }]).state, 'private');
  // loopback next to a LAN address is judged by the LAN address
  assert.equal(judgeReachability('auto', [{ addr: '/ip4/127.0.0.1/tcp/9000', verified: false }, { addr: '/ip4/10.0.0.2/tcp/9000', verified: false }]).state, 'private');
});
