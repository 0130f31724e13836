// The P2PNode: a libp2p host with the run's gossip topics, validators, peer gating,
// the blob protocol over a content store, and DHT-driven discovery.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { GossipSub, Message } from '@libp2p/gossipsub';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { BLOB_PROTOCOL, blobServer } from './blob-protocol.js';
import { assertDigest, ContentStore } from './content-store.js';
import { InvalidArgumentError } from './errors.js';
import { fetchBlob } from './fetcher.js';
import { createHost, type Host } from './host.js';
import { loadOrCreateNodeKey } from './keys.js';
import { isLoopbackAddr } from './reachability.js';
import { NatMonitor, type NatEvent, type NatOptions, type NatStats } from './nat.js';
import {
  decodeAndCheck, encodeMessage, TOPIC_MAX_BYTES, TOPICS, topicName,
  type GradAnnouncement, type Topic, type TopicMessage, type TopicMessages,
} from './messages.js';
import { PeerGate, type Offence } from './peer-gate.js';
import { ProvideQueue } from './provide-queue.js';
import { SWARM_PROTOCOL } from './swarm-wire.js';
import { Swarm, type SwarmOptions, type SwarmStats } from './swarm.js';
import { TokenBucket } from './token-bucket.js';

export interface P2POptions {
  /** node key persisted here (a restarted node keeps its PeerId); content store under it */
  dataDir: string;
  listen: string[];
  announce?: string[];
  /** reachability and relay serving (nat.ts; default: auto, no relay served) */
  nat?: NatOptions;
  /** reachability changes and relayed connections, for the node's log */
  onNatEvent?: (e: NatEvent) => void;
  /** multiaddrs with /p2p/<id> */
  bootstrap: string[];
  /** network name or protocol prefix: the DHT runs under a private protocol per network */
  network: string;
  /** hex; topics are per run and messages of other runs are rejected */
  runHash: string;
  maxBlobBytes?: number;
  /** all peers on one host (loopback): no IP colocation penalty; default: every listen address is loopback */
  sameHost?: boolean;
  /** connections the node tries to keep (dials discovered peers up to this) */
  targetPeers?: number;
  maxConnections?: number;
  /**
   * how long a dial, an inbound connection's handshake, and a stream's protocol
   * negotiation may take (default libp2p's: 6 s per address, 10 s per dial, 10 s). Many nodes on few cores need more: handshakes aborted at 10 s were redialled
   * and aborted again, the box's CPU going to handshakes that never finished.
   */
  connectTimeoutMs?: number;
  /** bytes per blob range request (default 8 MiB) */
  rangeBytes?: number;
  /** advertise every stored blob in the DHT (default true) */
  provideBlobs?: boolean;
  /** bytes of this node's own recent blobs kept in memory for serving (default 256 MiB) */
  hotCacheBytes?: number;
  /**
   * bytes of fetched blobs that may wait in memory for their disk write until
   * transfers are quiet (default 256 MiB; 0 writes each one before fetchBlob returns)
   */
  deferredWriteBytes?: number;
  /** blob requests served at once to one peer (default 4) */
  perPeerBlobConcurrency?: number;
  /** how long an offence counts against a peer (default 10 min; see peer-gate.ts) */
  offenceTtlMs?: number;
  /** upload cap of blob and swarm streams, bytes per second (default: none) */
  uploadBytesPerSec?: number;
  /** swarm distribution (swarm.ts): false turns it off; an object tunes it (default on) */
  swarm?: boolean | Partial<SwarmOptions>;
}

export type MessageHandler<T extends Topic = Topic> = (msg: TopicMessages[T], from: string) => void;

/**
 * The node's own rule for a topic, run after the message decoded and its signer
 * passed the gate, before it is delivered or forwarded: `reject` drops it and
 * penalises the signer, `ignore` drops it without blame.
 */
export type GuardVerdict = { kind: 'accept' } | { kind: 'ignore' | 'reject'; reason: string };
export type MessageGuard<T extends Topic = Topic> = (msg: TopicMessages[T], from: string) => GuardVerdict;

export interface TopicStats { msgsIn: number; bytesIn: number; msgsOut: number; bytesOut: number; rejected: number }
export interface P2PStats {
  bytesIn: number;
  bytesOut: number;
  perTopic: Record<Topic, TopicStats>;
  blobBytesIn: number;
  blobBytesOut: number;
  fetchFailures: number;
  /** random DHT walks started (peer discovery) */
  dhtWalks: number;
  rejections: Record<string, number>;
  /** swarm distribution (pieces in/out, refusals, upload per blob) */
  swarm: SwarmStats;
}

export interface FetchOptions {
  /** announcer(s), tried first */
  from?: string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** retention window of the fetched blob in the store (default: newest window seen) */
  window?: number;
  kind?: string;
}

export interface P2PNode {
  readonly peerId: string;
  readonly store: ContentStore;
  multiaddrs(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  publish(topic: Topic, msg: TopicMessage): Promise<number>;
  on<T extends Topic>(topic: T, handler: MessageHandler<T>): void;
  /** Sets the node's admission rule for a topic (one per topic; see GuardVerdict). */
  guard<T extends Topic>(topic: T, rule: MessageGuard<T>): void;
  setRegisteredPeers(peerIds: Set<string>, validators?: Set<string>): void;
  /**
   * Called with the PeerId of a peer that this node does not know as registered (or,
   * on manifest, as a validator) when it signs a message or asks for a blob. The
   * message or request is ignored, not held against the peer: it may have committed
   * after the registered set was read. The handler should re-read the set (rate-limited:
   * it is called for every such message).
   */
  onUnknownPeer(handler: (peerId: string) => void): void;
  setAppScores(scores: Map<string, number>): void;
  /**
   * The verified bytes of a blob, from the store or fetched (then stored and
   * provided). Treat them as read-only: a fetched blob's bytes are what the store
   * serves and later writes to disk (its write re-checks the digest).
   */
  fetchBlob(digest: string, opts?: FetchOptions): Promise<Uint8Array>;
  connectedPeers(): string[];
  /** peers caught misbehaving (e.g. serving wrong bytes), with their live (unexpired) offences */
  penalties(): Map<string, Offence[]>;
  /**
   * Resolves once the DHT provider record of a stored blob has been published (or
   * failed); a fetched blob is on disk by then. With provideBlobs off: once a
   * fetched blob is on disk.
   */
  whenProvided(digest: string): Promise<boolean>;
  /** gossipsub score of a peer (includes the app-specific part) */
  gossipScore(peerId: string): number;
  stats(): P2PStats;
  /** reachability, relay addresses, relayed connections and blob streams, reservations served */
  natStats(): NatStats;
  /** the underlying libp2p node, for diagnostics and tests */
  readonly libp2p: Host;
}

const DEFAULT_MAX_BLOB = 1 << 30;
/** Bounds of the random-walk period (see start()). */
const WALK_MIN_MS = 1000;
const WALK_MAX_MS = 600_000;


/** PeerIds named by /p2p/ in the bootstrap multiaddrs (their connections are never refused). */
function bootstrapPeerIds(addrs: string[]): string[] {
  const ids: string[] = [];
  for (const a of addrs) {
    try {
      const id = multiaddr(a).getComponents().findLast((c) => c.name === 'p2p')?.value;
      if (id) ids.push(id);
    } catch {
      // a malformed address fails where it is dialled
    }
  }
  return ids;
}

export function digestToCid(digest: string): CID {
  return CID.createV1(0x55, Digest.create(0x12, Buffer.from(digest, 'hex')));
}

export async function createP2PNode(opts: P2POptions): Promise<P2PNode> {
  if (!/^[0-9a-f]{64}$/.test(opts.runHash)) throw new InvalidArgumentError('runHash must be 64 hex characters');
  const key = await loadOrCreateNodeKey(opts.dataDir);
  const store = new ContentStore(join(opts.dataDir, 'store'), {
    ...(opts.hotCacheBytes === undefined ? {} : { hotCacheBytes: opts.hotCacheBytes }),
    ...(opts.deferredWriteBytes === undefined ? {} : { deferredWriteBytes: opts.deferredWriteBytes }),
  });
  await store.open();
  const gate = new PeerGate({
    alwaysConnect: bootstrapPeerIds(opts.bootstrap),
    ...(opts.offenceTtlMs === undefined ? {} : { offenceTtlMs: opts.offenceTtlMs }),
  });
  const maxConnections = opts.maxConnections ?? 128;
  const host = await createHost({
    privateKey: key,
    listen: opts.listen,
    ...(opts.announce ? { announce: opts.announce } : {}),
    bootstrap: opts.bootstrap,
    network: opts.network,
    runHash: opts.runHash,
    gate,
    sameHost: opts.sameHost ?? opts.listen.every(isLoopbackAddr),
    maxConnections,
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.nat ? { nat: opts.nat } : {}),
  });
  return new GradmeshNode(opts, host, store, gate);
}

class GradmeshNode implements P2PNode {
  readonly peerId: string;
  private readonly handlers = new Map<Topic, MessageHandler[]>();
  private readonly guards = new Map<Topic, MessageGuard>();
  private readonly unknownPeerHandlers: Array<(peerId: string) => void> = [];
  private readonly topicByName = new Map<string, Topic>();
  private readonly runHashBytes: Uint8Array;
  private readonly maxBlobBytes: number;
  private readonly inflight = new Map<string, Promise<Uint8Array>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly dialing = new Set<string>();
  private readonly provides: ProvideQueue;
  private readonly natMonitor: NatMonitor;
  /** blob requests being served now, and when the last transfer (fetch or serve) ended */
  private serving = 0;
  private lastTransferAt = 0;
  private newestWindow = 0;
  private started = false;
  private readonly bucket: TokenBucket | undefined;
  private readonly swarm: Swarm | undefined;
  /** digests being stored after a fetch (not this node's own blobs) */
  private readonly fetchedNow = new Set<string>();
  private readonly counters = {
    perTopic: Object.fromEntries(TOPICS.map((t) => [t, { msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0, rejected: 0 }])) as Record<Topic, TopicStats>,
    blobBytesIn: 0,
    blobBytesOut: 0,
    fetchFailures: 0,
    dhtWalks: 0,
    rejections: {} as Record<string, number>,
  };

  constructor(private readonly opts: P2POptions, readonly libp2p: Host, readonly store: ContentStore, private readonly gate: PeerGate) {
    this.peerId = libp2p.peerId.toString();
    this.runHashBytes = new Uint8Array(Buffer.from(opts.runHash, 'hex'));
    this.maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB;
    for (const t of TOPICS) this.topicByName.set(topicName(opts.runHash, t), t);
    this.natMonitor = new NatMonitor(libp2p, opts.nat?.reachability ?? 'auto', (e) => opts.onNatEvent?.(e), opts.listen);
    for (const d of store.digests()) this.newestWindow = Math.max(this.newestWindow, store.meta(d)?.window ?? 0);
    // wired once: a node may be stopped and started again
    this.pubsub.addEventListener('message', (evt) => this.deliver(evt.detail));
    this.libp2p.addEventListener('peer:discovery', (evt) => { this.maybeDial(evt.detail.id); });
    this.provides = new ProvideQueue({
      // A fetched blob waiting in memory is written first (the same quiet moment
      // suits both), so a record never outlives a crash that lost the bytes.
      provide: async (digest, signal) => {
        await this.store.flush(digest);
        if (this.opts.provideBlobs !== false) await this.libp2p.contentRouting.provide(digestToCid(digest), { signal });
      },
      stillHeld: (digest) => this.started && this.store.has(digest),
      transfersActive: () => this.serving > 0 || this.inflight.size > 0,
      msSinceTransfer: () => Date.now() - this.lastTransferAt,
    });
    this.store.onPut((digest, meta) => {
      this.newestWindow = Math.max(this.newestWindow, meta.window);
      this.provide(digest);
    });
    this.bucket = opts.uploadBytesPerSec ? new TokenBucket({ rate: opts.uploadBytesPerSec }) : undefined;
    this.swarm = this.createSwarm();
  }

  private get pubsub(): GossipSub {
    return this.libp2p.services.pubsub;
  }

  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.libp2p.handle(BLOB_PROTOCOL, blobServer({
      store: this.store,
      perPeerConcurrency: this.opts.perPeerBlobConcurrency ?? 4,
      requestTimeoutMs: 120_000,
      chunkBytes: 256 * 1024,
      maxResponseBytes: this.maxBlobBytes,
      onBytesOut: (_p, n) => { this.counters.blobBytesOut += n; },
      onActive: (d) => {
        this.serving += d;
        this.lastTransferAt = Date.now();
      },
      admit: (p) => {
        const verdict = this.gate.requesterVerdict(p);
        if (verdict === 'unknown') this.unknownPeer(p);
        return verdict;
      },
      onRefused: (_p, r) => { this.counters.rejections[`blob: ${r.key}`] = (this.counters.rejections[`blob: ${r.key}`] ?? 0) + 1; },
      ...(this.bucket ? { bucket: this.bucket } : {}),
    // runOnLimitedConnection: a peer behind a NAT is reached through a relay, and
    // should the relay limit its connections (nat.ts) blobs still go over them
    }), { maxInboundStreams: 256, maxOutboundStreams: 256, runOnLimitedConnection: true });
    if (this.swarm) {
      const swarm = this.swarm;
      // one long-lived stream each way per peer: a few allow a reconnect's new one
      await this.libp2p.handle(SWARM_PROTOCOL, (stream, connection) => { this.natMonitor.noteStream(connection, stream); swarm.accept(stream, connection.remotePeer.toString()); }, { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true });
    }
    for (const [name, topic] of this.topicByName) {
      this.pubsub.topicValidators.set(name, (peer, msg) => this.validate(topic, peer, msg));
    }
    await this.libp2p.start();
    this.natMonitor.start();
    for (const name of this.topicByName.keys()) this.pubsub.subscribe(name);
    for (const d of this.store.digests()) this.provide(d);
    // Random walks over the DHT find peers beyond the bootstrap node's neighbours.
    // A walk costs every peer it reaches CPU (measured in the gossip bench: about one
    // core-second across an 8-process loopback swarm per walk, which doubled the CPU
    // of a payload round it overlapped), so walks back off exponentially while they
    // find nothing new (×4 each time: 1 s, 4 s, 16 s, … up to 10 min; kad-dht's own
    // table refresh runs every 5 min; jittered so a swarm started together does not
    // walk in step), and return to 1 s as soon as one finds a peer or the node is
    // alone. A newcomer finds the swarm by its own walks; the swarm learns of it when
    // it dials. (Skipping walks when connected to every routing-table peer was tried:
    // two nodes that never heard of each other then stayed apart for good.)
    let delay = WALK_MIN_MS;
    const walkLoop = async (): Promise<void> => {
      // A node with no connection cannot walk: redial the bootstrap list (its first
      // dial may have failed, e.g. timed out on a loaded machine).
      const alone = this.libp2p.getConnections().length === 0;
      if (alone) await this.dialBootstrap();
      this.counters.dhtWalks++;
      const found = await this.randomWalk();
      if (!this.started) return;
      delay = alone || found > 0 ? WALK_MIN_MS : Math.min(WALK_MAX_MS, delay * 4);
      const jittered = delay * (0.75 + Math.random() / 2);
      this.timers.push(setTimeout(() => { void walkLoop(); }, jittered));
    };
    this.timers.push(setTimeout(() => { void walkLoop(); }, 200));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    this.provides.clear(); // start() queues every stored blob again
    this.natMonitor.stop();
    await this.store.flushAll(); // fetched blobs still in memory go to disk
    await this.libp2p.unhandle(BLOB_PROTOCOL).catch(() => {});
    this.swarm?.stop();
    await this.libp2p.unhandle(SWARM_PROTOCOL).catch(() => {});
    await this.libp2p.stop();
  }

  async publish(topic: Topic, msg: TopicMessage): Promise<number> {
    const name = topicName(this.opts.runHash, topic);
    const data = encodeMessage(topic, await this.withPieceListHash(topic, msg));
    if (data.byteLength > TOPIC_MAX_BYTES[topic]) {
      throw new InvalidArgumentError(`${topic} message of ${data.byteLength} bytes exceeds ${TOPIC_MAX_BYTES[topic]}`);
    }
    const res = await this.pubsub.publish(name, data);
    const s = this.counters.perTopic[topic];
    s.msgsOut++;
    s.bytesOut += data.byteLength * res.recipients.length;
    return res.recipients.length;
  }

  /**
   * A grad announcement of a blob this node holds names the blob's swarm piece list
   * hash, so the signature over the announcement vouches for every piece's hash too.
   */
  private async withPieceListHash(topic: Topic, msg: TopicMessage): Promise<TopicMessage> {
    if (topic !== 'grad' || !this.swarm) return msg;
    const m = msg as GradAnnouncement;
    if (m.inline || m.pieceListHash || m.digest?.byteLength !== 32) return msg;
    const hash = await this.swarm.listHashFor(Buffer.from(m.digest).toString('hex')).catch(() => undefined);
    return hash ? { ...m, pieceListHash: hash } : msg;
  }

  on<T extends Topic>(topic: T, handler: MessageHandler<T>): void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler as MessageHandler);
    this.handlers.set(topic, list);
  }

  guard<T extends Topic>(topic: T, rule: MessageGuard<T>): void {
    this.guards.set(topic, rule as MessageGuard);
  }

  setRegisteredPeers(peerIds: Set<string>, validators?: Set<string>): void {
    this.gate.setRegistered(peerIds, validators);
    if (!validators) return;
    // Validators become direct peers: always sent every message, kept connected.
    const direct = (this.pubsub as unknown as { direct?: Set<string> }).direct;
    for (const v of validators) {
      if (v === this.peerId) continue;
      direct?.add(v);
      this.maybeDial(v);
    }
  }

  setAppScores(scores: Map<string, number>): void {
    this.gate.setAppScores(scores);
  }

  onUnknownPeer(handler: (peerId: string) => void): void {
    this.unknownPeerHandlers.push(handler);
  }

  private unknownPeer(peerId: string): void {
    for (const h of this.unknownPeerHandlers) {
      try {
        h(peerId);
      } catch {
        // a handler's bug must not break validation or serving
      }
    }
  }

  penalties(): Map<string, Offence[]> {
    return this.gate.penalties();
  }

  gossipScore(peerId: string): number {
    const gs = this.pubsub as unknown as { getScore?: (p: string) => number };
    return gs.getScore?.(peerId) ?? 0;
  }

  connectedPeers(): string[] {
    return [...new Set(this.libp2p.getConnections().map((c) => c.remotePeer.toString()))];
  }

  async fetchBlob(digest: string, opts: FetchOptions = {}): Promise<Uint8Array> {
    assertDigest(digest);
    const local = await this.store.get(digest);
    if (local) return local;
    const running = this.inflight.get(digest);
    if (running) return running;
    const p = this.fetchAndStore(digest, opts).finally(() => {
      this.inflight.delete(digest);
      this.lastTransferAt = Date.now();
    });
    this.inflight.set(digest, p);
    return p;
  }

  stats(): P2PStats {
    const c = this.counters;
    let gin = 0;
    let gout = 0;
    for (const t of TOPICS) { gin += c.perTopic[t].bytesIn; gout += c.perTopic[t].bytesOut; }
    return {
      bytesIn: gin + c.blobBytesIn,
      bytesOut: gout + c.blobBytesOut,
      perTopic: Object.fromEntries(TOPICS.map((t) => [t, { ...c.perTopic[t] }])) as Record<Topic, TopicStats>,
      blobBytesIn: c.blobBytesIn,
      blobBytesOut: c.blobBytesOut,
      fetchFailures: c.fetchFailures,
      dhtWalks: c.dhtWalks,
      rejections: { ...c.rejections },
      swarm: this.swarm?.stats() ?? { piecesIn: 0, piecesOut: 0, badPieces: 0, refused: {}, malformed: 0, fetched: 0, fallbacks: 0, fallbackReasons: {}, uploadedByDigest: {}, badLists: 0 },
    };
  }

  natStats(): NatStats {
    return this.natMonitor.stats();
  }

  /**
   * Opens a blob stream, over a relayed connection too (limited or not), and counts
   * the relayed ones. An open connection is used as it is (a direct one first): asked
   * to dial a peer it reaches only through a relay, libp2p first tries the peer's
   * direct addresses again, on every request, and behind a NAT those fail only when
   * the dial times out.
   */
  private async dialBlob(peer: PeerId, protocol: string, o: { signal: AbortSignal }): Promise<Stream> {
    const open = this.libp2p.getConnections(peer).filter((c) => c.status === 'open');
    const conn = open.find((c) => c.direct) ?? open[0];
    if (conn) {
      const stream = await conn.newStream(protocol, { ...o, runOnLimitedConnection: true });
      this.natMonitor.noteStream(conn, stream);
      return stream;
    }
    const stream = await this.libp2p.dialProtocol(peer, protocol, { ...o, runOnLimitedConnection: true });
    const used = this.libp2p.getConnections(peer).find((c) => c.streams.includes(stream));
    if (used) this.natMonitor.noteStream(used, stream);
    return stream;
  }

  private async fetchAndStore(digest: string, opts: FetchOptions): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
    setMaxListeners(Infinity, signal); // one signal bounds every dial and range of this fetch
    const maxBytes = Math.min(opts.maxBytes ?? this.maxBlobBytes, this.maxBlobBytes);
    let bytes: Uint8Array;
    try {
      bytes = await fetchBlob({
        selfId: this.peerId,
        dial: (peer, protocol, o) => this.dialBlob(peer, protocol, o),
        findProviders: (d, s) => this.findProviders(d, s),
        isPenalised: (p) => this.gate.isPenalised(p),
        penalise: (p, reason) => {
          this.counters.fetchFailures++;
          this.gate.penalise(p, reason);
          // the connection gater refuses it from now on; hang up on what is open
          if (this.gate.refusesConnection(p)) void this.libp2p.hangUp(peerIdFromString(p)).catch(() => {});
        },
        onBytesIn: (n) => { this.counters.blobBytesIn += n; },
        rangeBytes: this.opts.rangeBytes ?? 8 * 1024 * 1024,
        maxParallelSources: 4,
        ...(this.swarm ? { swarm: this.swarm.fetch.bind(this.swarm) } : {}),
      }, { digest, from: opts.from ?? [], maxBytes, signal });
    } catch (err) {
      this.counters.fetchFailures++;
      throw err;
    }
    // held in memory (served from there) and written when transfers are quiet: in
    // the gossip bench the file write cost ~1.6 ms of CPU per MiB (ext4) of the
    // 13-19 ms a fetched MiB cost in all
    this.fetchedNow.add(digest);
    try {
      await this.store.putVerified(digest, bytes, { window: opts.window ?? this.newestWindow, kind: opts.kind ?? 'blob' }, { deferWrite: true });
    } finally {
      this.fetchedNow.delete(digest);
    }
    this.swarm?.noteHeld(digest);
    return bytes;
  }

  /**
   * The swarm (swarm.ts) over this node's connections, store, gate and upload cap. Blobs
   * this node stores itself (not after a fetch) are its own: it super-seeds them.
   */
  private createSwarm(): Swarm | undefined {
    if (this.opts.swarm === false) return undefined;
    const swarm = new Swarm({
      selfId: this.peerId,
      openStream: async (peer, signal) => {
        const stream = await this.libp2p.dialProtocol(peerIdFromString(peer), SWARM_PROTOCOL, { signal, runOnLimitedConnection: true });
        // counted now: a session that ends within a second escapes the monitor's scan
        const used = this.libp2p.getConnections(peerIdFromString(peer)).find((c) => c.streams.includes(stream));
        if (used) this.natMonitor.noteStream(used, stream);
        return stream;
      },
      connectedPeers: () => this.connectedPeers(),
      store: this.store,
      admit: (p) => {
        const verdict = this.gate.requesterVerdict(p);
        if (verdict === 'unknown') this.unknownPeer(p);
        return verdict;
      },
      penalise: (p, reason) => {
        this.counters.fetchFailures++;
        this.gate.penalise(p, reason);
        if (this.gate.refusesConnection(p)) void this.libp2p.hangUp(peerIdFromString(p)).catch(() => {});
      },
      ...(this.bucket ? { bucket: this.bucket } : {}),
      onBytesIn: (n) => { this.counters.blobBytesIn += n; },
      onBytesOut: (n) => { this.counters.blobBytesOut += n; },
      onActive: (d) => { this.serving += d; this.lastTransferAt = Date.now(); },
      maxBlobBytes: this.maxBlobBytes,
    }, typeof this.opts.swarm === 'object' ? this.opts.swarm : {});
    this.store.onPut((digest) => {
      if (!this.fetchedNow.has(digest)) swarm.noteOrigin(digest);
      swarm.noteHeld(digest);
    });
    return swarm;
  }

  private async findProviders(digest: string, signal: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    const lookup = AbortSignal.any([signal, AbortSignal.timeout(10_000)]);
    setMaxListeners(Infinity, lookup);
    try {
      for await (const p of this.libp2p.contentRouting.findProviders(digestToCid(digest), { signal: lookup })) {
        const id = p.id.toString();
        if (id === this.peerId || found.includes(id)) continue;
        if (p.multiaddrs.length > 0) await this.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {});
        found.push(id);
        if (found.length >= 16) break;
      }
    } catch {
      // a lookup cut short still returns what it found
    }
    return found;
  }

  whenProvided(digest: string): Promise<boolean> {
    return this.provides.whenProvided(digest);
  }

  /** Queues the DHT provider record of a stored blob (published when transfers are quiet). */
  private provide(digest: string): void {
    if (!this.started) return;
    // with providing off, the queue still writes blobs that wait in memory
    if (this.opts.provideBlobs === false && !this.store.isPending(digest)) return;
    void this.provides.enqueue(digest);
  }

  /** Dials a peer unless already connected (or dialling, or at the target); true when a dial started. */
  private maybeDial(id: PeerId | string): boolean {
    const s = id.toString();
    if (!this.started || s === this.peerId || this.dialing.has(s)) return false;
    if (this.libp2p.getConnections(typeof id === 'string' ? peerIdFromString(id) : id).length > 0) return false;
    if (this.libp2p.getConnections().length >= (this.opts.targetPeers ?? 64)) return false;
    this.dialing.add(s);
    this.libp2p.dial(typeof id === 'string' ? peerIdFromString(id) : id, { signal: AbortSignal.timeout(10_000) })
      .catch(() => {})
      .finally(() => this.dialing.delete(s));
    return true;
  }

  private async dialBootstrap(): Promise<void> {
    await Promise.all(this.opts.bootstrap.map(async (addr) => {
      try {
        const signal = AbortSignal.timeout(10_000);
        await this.libp2p.dial(multiaddr(addr), { signal });
      } catch {
        // tried again on the next round
      }
    }));
  }

  /** One DHT walk toward a random key; dials what it finds; returns how many new peers it dialled. */
  private async randomWalk(): Promise<number> {
    if (!this.started) return 0;
    let dialled = 0;
    try {
      const signal = AbortSignal.timeout(10_000);
      setMaxListeners(Infinity, signal);
      for await (const p of this.libp2p.peerRouting.getClosestPeers(randomBytes(32), { signal })) {
        // peers already connected need no address update (each peer-store write costs)
        if (this.libp2p.getConnections(p.id).length > 0) continue;
        if (p.multiaddrs.length > 0) await this.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {});
        if (this.maybeDial(p.id)) dialled++;
      }
    } catch {
      // walks are periodic; a failed one changes nothing
    }
    if (this.timers.length > 64) this.timers.splice(0, this.timers.length - 64);
    return dialled;
  }

  private reject(topic: Topic, reason: string): void {
    this.counters.perTopic[topic].rejected++;
    const key = `${topic}: ${reason.split(':')[0]}`;
    this.counters.rejections[key] = (this.counters.rejections[key] ?? 0) + 1;
  }

  /** gossipsub topic validator: runs before delivery and forwarding; never throws */
  private validate(topic: Topic, propagator: PeerId, msg: Message): TopicValidatorResult {
    try {
      if (msg.type !== 'signed') { this.reject(topic, 'unsigned'); return TopicValidatorResult.Reject; }
      const from = msg.from.toString();
      const direct = propagator.toString() === from;
      if (this.gate.senderVerdict(from, topic) === 'unknown') {
        // Not an offence: the registered set is read once per window, so a peer that
        // committed its PeerId (or got its validator permit) since then looks unknown
        // although it is honest (in a fresh testnet every node did, and was graylisted
        // for good). Ignore (not delivered or forwarded, no gossipsub penalty for the
        // signer or the relay) and ask for a re-read.
        this.reject(topic, topic === 'manifest' ? 'sender is not a validator' : 'unregistered sender');
        this.unknownPeer(from);
        return TopicValidatorResult.Ignore;
      }
      const checked = decodeAndCheck(topic, msg.data, { runHash: this.runHashBytes, maxBlobBytes: this.maxBlobBytes });
      if (!checked.ok) {
        this.reject(topic, checked.rejection.reason);
        return checked.rejection.action === 'ignore' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
      }
      const verdict = this.guards.get(topic)?.(checked.msg, from);
      if (verdict && verdict.kind !== 'accept') {
        this.reject(topic, verdict.reason);
        if (verdict.kind === 'ignore') return TopicValidatorResult.Ignore;
        // The signer is to blame (it signed what no honest node sends); a relay that
        // passed it on by its own, possibly different, view is not.
        this.gate.penalise(from, `${topic}: ${verdict.reason}`);
        return direct ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      }
      return TopicValidatorResult.Accept;
    } catch (err) {
      this.reject(topic, `validator error: ${(err as Error).message}`);
      return TopicValidatorResult.Reject;
    }
  }

  private deliver(msg: Message): void {
    const topic = this.topicByName.get(msg.topic);
    if (!topic || msg.type !== 'signed') return;
    const checked = decodeAndCheck(topic, msg.data, { runHash: this.runHashBytes, maxBlobBytes: this.maxBlobBytes });
    if (!checked.ok) return;
    const s = this.counters.perTopic[topic];
    s.msgsIn++;
    s.bytesIn += msg.data.byteLength;
    const from = msg.from.toString();
    if (topic === 'grad') {
      const g = checked.msg as GradAnnouncement;
      if (g.pieceListHash && !g.inline) this.swarm?.noteAnnounced(Buffer.from(g.digest).toString('hex'), from, g.pieceListHash);
    }
    for (const h of this.handlers.get(topic) ?? []) {
      try {
        h(checked.msg, from);
      } catch {
        // a handler's bug must not stop delivery to the others
      }
    }
  }
}
