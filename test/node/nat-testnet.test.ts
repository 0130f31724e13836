// Integration (root only): two miners behind one NAT take part in a real testnet.
//
//   root namespace: validator0 (relay) + miner0, on 10.177.K.1 (a veth, not loopback)
//        │ veth
//   router namespace: 10.177.K.2; nftables masquerades what leaves it, forwards
//        │ veth ×2    nothing in (no inbound connection) and nothing between its
//        │            two inside networks (no hairpin: the two miners behind it
//        │            cannot dial each other, as behind most home routers)
//   miner1 on 10.178.K.1.2, miner2 on 10.178.K.2.2 (each in its own namespace)
//
// Each NATed miner reaches the dev chain and the public nodes through the NAT, holds
// a reservation on the validator's relay, and reaches the other NATed miner only
// through that relay. Checked: both report private reachability with a relay
// address; the two connect and move payloads through the relay; manifests aggregate
// all three miners' payloads; every node holds the same θ in every window. Skips
// (loudly) where it cannot make namespaces: not root, or no ip/nft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testnet } from '../../src/testnet/testnet.js';

const K = 10 + (process.pid % 200);
const TAG = `gmn${process.pid % 100000}`;
const NS = { router: `${TAG}r`, m1: `${TAG}m1`, m2: `${TAG}m2` };
const PUBLIC_HOST = `10.177.${K}.1`;
const ROUTER_OUT = `10.177.${K}.2`;
const INSIDE = `10.178.${K}.0/24`; // covers both inside networks below (a /24 per miner would need K in the 3rd octet)
const inside = (i: number): { router: string; miner: string } => ({ router: `10.178.${K}.${i * 64 + 1}`, miner: `10.178.${K}.${i * 64 + 2}` });

function whyCannot(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and nftables)';
  for (const tool of ['ip', 'nft']) {
    if (spawnSync(tool, ['-V']).error) return `needs the "${tool}" tool (apt-get install iproute2 nftables)`;
  }
  return undefined;
}

function sh(script: string): void {
  execFileSync('sh', ['-ec', script], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function setUp(): void {
  const m = [inside(1), inside(2)];
  sh(`
    ip netns add ${NS.router}; ip netns add ${NS.m1}; ip netns add ${NS.m2}
    ip link add ${TAG}p type veth peer name ${TAG}o
    ip link set ${TAG}o netns ${NS.router}
    ip addr add ${PUBLIC_HOST}/24 dev ${TAG}p; ip link set ${TAG}p up
    ip -n ${NS.router} link set lo up
    ip -n ${NS.router} addr add ${ROUTER_OUT}/24 dev ${TAG}o; ip -n ${NS.router} link set ${TAG}o up
    for i in 1 2; do
      ip link add ${TAG}i$i type veth peer name ${TAG}e$i
      ip link set ${TAG}i$i netns ${NS.router}
      ip link set ${TAG}e$i netns ${TAG}m$i
      ip -n ${TAG}m$i link set lo up
    done
    ip -n ${NS.router} addr add ${m[0]!.router}/26 dev ${TAG}i1; ip -n ${NS.router} link set ${TAG}i1 up
    ip -n ${NS.router} addr add ${m[1]!.router}/26 dev ${TAG}i2; ip -n ${NS.router} link set ${TAG}i2 up
    ip -n ${NS.m1} addr add ${m[0]!.miner}/26 dev ${TAG}e1; ip -n ${NS.m1} link set ${TAG}e1 up
    ip -n ${NS.m2} addr add ${m[1]!.miner}/26 dev ${TAG}e2; ip -n ${NS.m2} link set ${TAG}e2 up
    ip -n ${NS.m1} route add default via ${m[0]!.router}
    ip -n ${NS.m2} route add default via ${m[1]!.router}
    ip netns exec ${NS.router} sysctl -qw net.ipv4.ip_forward=1
    ip netns exec ${NS.router} nft -f - <<'EOF'
table ip gmnat {
  chain gm_post { type nat hook postrouting priority srcnat; policy accept; oifname "${TAG}o" masquerade; }
  chain gm_forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "${TAG}i*" oifname "${TAG}o" accept
    reject with icmp type admin-prohibited
  }
}
EOF
    # from the public side the inside networks do not exist (and never leave this host)
    ip route add unreachable ${INSIDE}
  `);
}

function tearDown(): void {
  spawnSync('sh', ['-c', `ip route del unreachable ${INSIDE}; ip link del ${TAG}p; for n in ${NS.m1} ${NS.m2} ${NS.router}; do ip netns del $n; done`], { stdio: 'ignore' });
}

const reason = whyCannot();
if (reason) console.log(`# SKIP nat-testnet: ${reason}`);

test('NAT: two miners behind a NAT (no inbound, no hairpin) train through the validator\'s relay and stay in exact sync', { timeout: 420_000, skip: reason }, async (t) => {
  tearDown(); // leftovers of a killed run with the same pid
  try {
    setUp();
  } catch (err) {
    tearDown();
    throw err;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gm-nat-'));
  const lines: string[] = [];
  const events = new Map<string, Array<Record<string, unknown>>>();
  const natted = new Map([['miner1', NS.m1], ['miner2', NS.m2]]);
  const net = new Testnet({
    run: 'chaos-tiny', dir, miners: 3, validators: 1, basePort: 20000 + (process.pid % 20000), threadsPerNode: 1, fresh: true,
    startTogether: true, restart: false, host: PUBLIC_HOST,
    netns: (name) => {
      const ns = natted.get(name);
      return ns ? { exec: ['ip', 'netns', 'exec', ns], host: inside(name === 'miner1' ? 1 : 2).miner } : undefined;
    },
    print: (l) => lines.push(l),
    onEvent: (node, ev) => {
      if (typeof ev.event !== 'string' || !['reachability', 'relayed_connection', 'relayed_blob'].includes(ev.event)) return;
      events.set(node, [...(events.get(node) ?? []), ev]);
    },
  });
  const peerIds = new Map<string, string>();
  const between = (a: string, b: string, kind: string): boolean => (events.get(a) ?? []).some((e) => e.event === kind && e.peer === peerIds.get(b));
  const agreeingWindows = (): number => [...net.windows.values()].filter((s) => ['validator0', 'miner0', 'miner1', 'miner2'].every((n) => s.thetaHashes.has(n)) && new Set(s.thetaHashes.values()).size === 1).length;
  const enough = (): boolean => (between('miner1', 'miner2', 'relayed_blob') || between('miner2', 'miner1', 'relayed_blob')) &&
    agreeingWindows() >= 3 && [...net.windows.values()].some((s) => (s.payloads ?? 0) >= 3);
  try {
    await net.start();
    for (const n of net.nodes) {
      const info = JSON.parse(readFileSync(join(n.dataDir, 'node-info.json'), 'utf8')) as { peerId: string };
      peerIds.set(n.name, info.peerId);
    }
    // 6 windows on a quiet machine; on a loaded one (every miner late for a while) up
    // to 14, until what is checked below has had the chance to happen
    for (let w = 6; w <= 14; w++) {
      await net.waitForEvaluatedWindows(w);
      if (enough()) break;
    }
  } finally {
    await net.stop();
    tearDown();
  }
  for (const l of [...net.summaryLines(), ...lines.filter((l) => l.startsWith('window '))]) t.diagnostic(l);
  const count = (kind: string): string => ['miner1', 'miner2'].map((m) => `${m} ${(events.get(m) ?? []).filter((e) => e.event === kind).length}`).join(', ');
  t.diagnostic(`relayed connections: ${count('relayed_connection')}; relayed blob connections: ${count('relayed_blob')}`);
  const dump = (): string => `${lines.join('\n')}\nNAT events: ${JSON.stringify(Object.fromEntries(events), null, 1)}`;

  // 1. The NATed miners found themselves private and took a reservation on the validator's relay.
  for (const m of ['miner1', 'miner2']) {
    const reach = (events.get(m) ?? []).filter((e) => e.event === 'reachability');
    const withRelay = reach.find((e) => e.state === 'private' && Array.isArray(e.relayAddrs) && (e.relayAddrs as string[]).some((a) => a.includes(`/p2p/${peerIds.get('validator0')}/p2p-circuit`)));
    assert.ok(withRelay, `${m}: private with a relay address on validator0\n${dump()}`);
  }
  // 2. The two reached each other through the relay, and payloads moved over it.
  assert.ok(between('miner1', 'miner2', 'relayed_connection') || between('miner2', 'miner1', 'relayed_connection'), `a relayed connection between the NATed miners\n${dump()}`);
  assert.ok(between('miner1', 'miner2', 'relayed_blob') || between('miner2', 'miner1', 'relayed_blob'), `payloads moved through the relay between the NATed miners\n${dump()}`);

  // 3. Exact agreement, the NATed miners included, and their payloads were aggregated.
  const windows = [...net.windows.values()].sort((a, b) => a.window - b.window);
  for (const s of windows) {
    assert.ok(new Set(s.thetaHashes.values()).size <= 1, `window ${s.window}: nodes disagree on θ: ${JSON.stringify([...s.thetaHashes])}\n${dump()}`);
  }
  const allFour = windows.filter((s) => ['validator0', 'miner0', 'miner1', 'miner2'].every((n) => s.thetaHashes.has(n)));
  assert.ok(allFour.length >= 3, `≥3 windows where all four nodes (both NATed miners too) reported the same θ (got ${allFour.length})\n${dump()}`);
  assert.ok(windows.some((s) => (s.payloads ?? 0) >= 3), `a manifest aggregated all three miners' payloads (the NATed ones too)\n${dump()}`);
});
