// Circuit relay v2 between real nodes on loopback: a node that says it is private
// takes a reservation on a relay (a node with relay serving on) and advertises the
// relay address; a third node reaches it through that address only and fetches a
// blob far larger than libp2p's default circuit limit (128 KiB) over the relayed
// connection. With a data limit configured on the relay, the relayed connection is
// limited: the blob protocol still runs on it, and a transfer past the limit is cut.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import type { PeerId, Stream } from '@libp2p/interface';
import type { P2PNode } from '../../src/p2p/index.js';
import { fetchRange } from '../../src/p2p/blob-protocol.js';
import { DEFAULT_RELAY_SERVE, type NatEvent } from '../../src/p2p/index.js';
import { relayServerInit } from '../../src/p2p/nat.js';
import { payload, startNode, tempDir, waitFor } from './helpers.js';

test('relayServerInit: no limit unless one is configured; one limit set applies both (the other as good as none)', () => {
  const none = relayServerInit(DEFAULT_RELAY_SERVE);
  assert.equal(none.reservations?.applyDefaultLimit, false);
  assert.equal(none.reservations?.maxReservations, 64);
  const data = relayServerInit({ maxReservations: 8, dataLimitBytes: 65536, durationLimitMs: 0 });
  assert.equal(data.reservations?.applyDefaultLimit, true);
  assert.equal(data.reservations?.defaultDataLimit, 65536n);
  assert.ok((data.reservations?.defaultDurationLimit ?? 0) > 24 * 3600_000);
  const dur = relayServerInit({ maxReservations: 8, dataLimitBytes: 0, durationLimitMs: 5000 });
  assert.equal(dur.reservations?.defaultDurationLimit, 5000);
  assert.ok((dur.reservations?.defaultDataLimit ?? 0n) > 1n << 50n);
});

/** Starts relay R and two nodes that dial out only, A and B (both bootstrapped from R, so they reserve there). */
async function relayTrio(root: string, relay: typeof DEFAULT_RELAY_SERVE) {
  const events: NatEvent[] = [];
  const r = await startNode(join(root, 'relay'), [], { nat: { reachability: 'public', relay } });
  const rAddr = r.multiaddrs()[0]!;
  // A listens on nothing: like a node behind a NAT, it can only dial out, and it
  // keeps to one peer (the relay), so a connection between B and A is B's doing
  const a = await startNode(join(root, 'a'), [rAddr], { listen: [], targetPeers: 1, nat: { reachability: 'private' }, onNatEvent: (e) => events.push(e) });
  // B is behind a NAT too: between the two, only the relay carries anything
  const b = await startNode(join(root, 'b'), [rAddr], { listen: [], nat: { reachability: 'private' } });
  for (const n of [r, a, b]) n.setRegisteredPeers(new Set([r.peerId, a.peerId, b.peerId]));
  await waitFor(() => a.multiaddrs().some((m) => m.includes(`/p2p/${r.peerId}/p2p-circuit`)), 'a relay address on A', 30_000);
  // and A's log said so (the monitor hears the address change a moment later)
  await waitFor(() => events.some((e) => e.event === 'reachability' && e.relayAddrs.length > 0), 'the reachability event with the relay address', 10_000);
  // B started after A and reserves on its own schedule: on a busy machine its
  // reservation can land after A's relay address shows (a CI run failed on that)
  await waitFor(() => b.multiaddrs().some((m) => m.includes(`/p2p/${r.peerId}/p2p-circuit`)), 'a relay address on B', 30_000);
  const circuit = a.multiaddrs().find((m) => m.includes(`/p2p/${r.peerId}/p2p-circuit`) && m.startsWith('/ip4/127.0.0.1/'))!;
  return { r, a, b, events, circuit };
}

describe('circuit relay between three real nodes', () => {
  let root: string;
  let nodes: P2PNode[] = [];
  before(async () => { root = await tempDir('gm-relay-'); });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await rm(root, { recursive: true, force: true });
  });

  test('a private node reserves on the relay, is dialled through it, and serves a 3 MiB blob over the relayed connection', { timeout: 90_000 }, async () => {
    const { r, a, b, events, circuit } = await relayTrio(join(root, 'unlimited'), DEFAULT_RELAY_SERVE);
    nodes.push(r, a, b);
    // A told its log: private, with the relay address
    const reach = events.filter((e) => e.event === 'reachability');
    assert.ok(reach.some((e) => e.state === 'private' && e.relayAddrs.length > 0), JSON.stringify(reach));
    assert.equal(a.natStats().reachability, 'private');
    assert.ok(a.natStats().relayAddrs > 0);
    assert.equal(r.natStats().reservationsServed, 2, "A and B each hold one");

    // B reaches A only through the relay (neither has any other address)
    assert.deepEqual([...a.multiaddrs(), ...b.multiaddrs()].filter((m) => !m.includes('/p2p-circuit')), []);
    const conn = await b.libp2p.dial(multiaddr(circuit), { signal: AbortSignal.timeout(20_000) });
    assert.ok(conn.remoteAddr.toString().includes('/p2p-circuit'), conn.remoteAddr.toString());
    assert.equal(conn.limits, undefined, 'no limit on the relayed connection');

    const blob = payload(3 * 1024 * 1024, 17);
    const digest = await a.store.put(blob, { window: 1, kind: 'grad' });
    const got = await b.fetchBlob(digest, { from: [a.peerId], timeoutMs: 30_000 });
    assert.equal(Buffer.compare(Buffer.from(got), Buffer.from(blob)), 0);
    // the bytes came over the relayed connection: the fetcher counted a relayed blob stream
    // (and every open connection between them is relayed: no direct one was made)
    assert.ok(b.natStats().relayedBlobStreams >= 1, JSON.stringify(b.natStats()));
    assert.ok(b.libp2p.getConnections(a.libp2p.peerId).every((c) => c.remoteAddr.toString().includes('/p2p-circuit')));
    assert.ok(a.natStats().relayedConnectionsOpened >= 1);
    // A hears of the inbound connection in its own connection:open, not in B's dial
    await waitFor(() => events.some((e) => e.event === 'relayed_connection' && e.peer === b.peerId && e.direction === 'inbound'), 'A\'s relayed_connection event for B', 10_000);
    assert.ok(a.stats().blobBytesOut >= blob.byteLength);
  });

  test('a relay with a 64 KiB data limit makes the connection limited: 8 KiB pass over it, 1 MiB is cut', { timeout: 90_000 }, async () => {
    const { r, a, b, circuit } = await relayTrio(join(root, 'limited'), { maxReservations: 4, dataLimitBytes: 64 * 1024, durationLimitMs: 0 });
    nodes.push(r, a, b);
    const conn = await b.libp2p.dial(multiaddr(circuit), { signal: AbortSignal.timeout(20_000) });
    assert.ok(conn.limits !== undefined, 'the relayed connection carries the relay\'s limit');
    // The blob protocol runs on the limited connection: ranges over this very
    // connection (no other path), one inside the limit, one past it.
    const viaRelay = (_peer: PeerId, protocol: string, o: { signal: AbortSignal }): Promise<Stream> => conn.newStream(protocol, { ...o, runOnLimitedConnection: true });
    const fetchOver = async (blob: Uint8Array, timeoutMs = 15_000): Promise<Uint8Array> => {
      const digest = await a.store.put(blob, { window: 1, kind: 'grad' });
      const out = new Uint8Array(blob.byteLength);
      await fetchRange(viaRelay, a.libp2p.peerId, {
        digest: new Uint8Array(Buffer.from(digest, 'hex')), offset: 0, length: 0, maxBytes: 1 << 24,
        signal: AbortSignal.timeout(timeoutMs), sink: () => out,
      });
      return out;
    };
    const small = payload(8 * 1024, 3);
    assert.equal(Buffer.compare(Buffer.from(await fetchOver(small)), Buffer.from(small)), 0);
    // past 64 KiB the transfer is cut
    // (the relay drops the circuit and the connection closes, but the read waiting on
    // the stream is not woken: the request's deadline ends it, and a fetch moves on)
    await assert.rejects(fetchOver(payload(1024 * 1024, 4), 4000), /after \d+\/1048576 bytes/);
    assert.equal(conn.status === 'open' && b.libp2p.getConnections(a.libp2p.peerId).includes(conn), false, 'the limited connection is gone');
  });
});
