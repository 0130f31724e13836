// Builds the libp2p host: TCP + Noise + Yamux, identify, ping, a private Kademlia
// DHT per network (server mode), bootstrap, gossipsub with peer scoring, and the
// PeerGate as connection gater, and NAT traversal (nat.ts: relay, AutoNAT, DCUtR).
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, StrictSign, type GossipSub } from '@libp2p/gossipsub';
import { identify, type Identify } from '@libp2p/identify';
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import type { ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface';
import { createLibp2p } from 'libp2p';
import type { PeerGate } from './peer-gate.js';
import { SCORE_THRESHOLDS } from './peer-gate.js';
import { TOPICS, topicName } from './messages.js';
import { DEFAULT_NAT, natServices, natTransports, type NatOptions, type NatServices } from './nat.js';

/**
 * gossipsub's fast message id: the signature. Without one, gossipsub checks the
 * signature of every copy of a message before it looks the message up among those
 * already seen, and in a mesh each node gets each announcement from most of its
 * peers (gossip bench profile, 64 KiB payloads, 8 nodes, 2 rounds: Ed25519
 * verification 752 ms, 3.8% of all samples; with this id 114 ms, 0.4%). StrictSign
 * signs the whole message (from, seqno, data, topic), so a copy with the same
 * signature is the same message. A forged copy that reuses a genuine signature
 * either comes first (fails the check and is not remembered: gossipsub caches a
 * fast id only after the message validates, as @libp2p/gossipsub 17.1's
 * validateReceivedMessage does and test/p2p/fast-msg-id.test.ts checks) or after
 * the genuine one (dropped as a duplicate, never delivered). An unsigned message
 * gets '' (it fails the check, so '' is never remembered).
 */
export function gossipFastMsgId(msg: { signature?: Uint8Array }): string {
  const sig = msg.signature;
  return sig && sig.byteLength > 0 ? Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64') : '';
}

export type HostServices = { dht: KadDHT; pubsub: GossipSub; identify: Identify; ping: Ping } & NatServices;
export type Host = Libp2p<HostServices>;

export interface HostOptions {
  privateKey: PrivateKey;
  listen: string[];
  announce?: string[];
  bootstrap: string[];
  network: string;
  runHash: string;
  gate: PeerGate;
  /** all peers share one IP (loopback tests, one-machine testnets): turn off the IP colocation penalty */
  sameHost: boolean;
  maxConnections: number;
  /** dial, inbound handshake and stream protocol negotiation timeouts (default: libp2p's) */
  connectTimeoutMs?: number;
  /** relay client, AutoNAT, DCUtR, relay server (nat.ts); default: auto reachability, no relay served */
  nat?: NatOptions;
}

/** DHT protocol of a network: private, so separate networks never mix routing tables. */
export function dhtProtocol(network: string): string {
  const base = network.startsWith('/') ? network : `/gradmesh/${network}`;
  return `${base}/kad/1.0.0`;
}

/**
 * The PeerGate as libp2p's connection gater: a peer with live offences (graylisted)
 * is neither dialled nor accepted once the handshake names it (inbound or dialled
 * by address), except bootstrap peers (PeerGate.refusesConnection). Unknown and
 * unregistered peers are let in: the DHT needs them, and a fresh registered node's
 * commitment may not have been read yet. Being graylisted in gossipsub alone left an
 * offender connected, opening blob streams.
 */
export function gateConnections(gate: PeerGate): ConnectionGater {
  const deny = (peer: PeerId): boolean => gate.refusesConnection(peer.toString());
  return {
    denyDialPeer: deny,
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny,
    // as a relay: no reservation for an offender, no circuit from or to one
    denyInboundRelayReservation: deny,
    denyOutboundRelayedConnection: (source, destination) => deny(source) || deny(destination),
    // as a relayed peer: no circuit from an offender (whatever relay carries it)
    denyInboundRelayedConnection: (_relay, remote) => deny(remote),
  };
}

export async function createHost(o: HostOptions): Promise<Host> {
  // Per-topic scoring: announcements are sporadic, so no mesh-delivery quotas (they
  // would punish quiet but honest peers); invalid messages cost a lot.
  const topicParams = {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.3,
  };
  const topics = Object.fromEntries(TOPICS.map((t) => [topicName(o.runHash, t), topicParams]));
  const nat = o.nat ?? DEFAULT_NAT;

  return createLibp2p<HostServices>({
    privateKey: o.privateKey,
    start: false,
    connectionGater: gateConnections(o.gate),
    addresses: { listen: o.listen, ...(o.announce?.length ? { announce: o.announce } : {}) },
    transports: [tcp(), ...natTransports()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: o.bootstrap.length > 0 ? [bootstrap({ list: o.bootstrap, timeout: 200 })] : [],
    connectionManager: {
      maxConnections: o.maxConnections,
      // the default (5 new inbound connections per second per IP) drops the 6th local dialer
      inboundConnectionThreshold: Math.max(100, o.maxConnections),
      maxIncomingPendingConnections: 64,
      maxParallelDials: 64,
      ...(o.connectTimeoutMs ? {
        dialTimeout: o.connectTimeoutMs,
        addressDialTimeout: o.connectTimeoutMs,
        inboundUpgradeTimeout: o.connectTimeoutMs,
        inboundStreamProtocolNegotiationTimeout: o.connectTimeoutMs,
        outboundStreamProtocolNegotiationTimeout: o.connectTimeoutMs,
      } : {}),
    },
    // The monitor aborts a connection whose ping times out; on a loaded machine (many
    // nodes on few cores) that tore down healthy meshes. Dead peers still go away
    // when TCP closes; a slow ping is only slow.
    connectionMonitor: { enabled: false },
    services: {
      ...(natServices(nat) as Record<keyof NatServices, never>),
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: dhtProtocol(o.network),
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        allowQueryWithZeroPeers: true,
        initialQuerySelfInterval: 200,
      }),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictSign,
        fastMsgIdFn: gossipFastMsgId,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        doPX: false,
        scoreParams: {
          topics,
          appSpecificScore: o.gate.appScore,
          appSpecificWeight: 1,
          ...(o.sameHost ? { IPColocationFactorWeight: 0 } : {}),
        },
        scoreThresholds: SCORE_THRESHOLDS,
        // several announcements may ride in one RPC; anything bigger is garbage
        maxInboundDataLength: 2 * 1024 * 1024,
      }),
    },
  });
}
