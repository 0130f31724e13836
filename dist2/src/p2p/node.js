// The P2PNode: a libp2p host with the run's gossip topics, validators, peer gating,
// the blob protocol over a content store, and DHT-driven discovery.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { BLOB_PROTOCOL, blobServer } from './blob-protocol.js';
import { assertDigest, ContentStore } from './content-store.js';
import { InvalidArgumentError } from './errors.js';
import { fetchBlob } from './fetcher.js';
import { createHost } from './host.js';
import { loadOrCreateNodeKey } from './keys.js';
import { NatMonitor } from './nat.js';
import { decodeAndCheck, encodeMessage, TOPIC_MAX_BYTES, TOPICS, topicName, } from './messages.js';
import { PeerGate } from './peer-gate.js';
import { ProvideQueue } from './provide-queue.js';
import { SWARM_PROTOCOL } from './swarm-wire.js';
import { Swarm } from './swarm.js';
import { TokenBucket } from './token-bucket.js';
const DEFAULT_MAX_BLOB = 1 << 30;
/** Bounds of the random-walk period (see start()). */
const WALK_MIN_MS = 1000;
const WALK_MAX_MS = 600_000;
function isLoopback(addr) {
    return addr.startsWith('/ip4/127.') || addr.startsWith('/ip6/::1/');
}
/** PeerIds named by /p2p/ in the bootstrap multiaddrs (their connections are never refused). */
function bootstrapPeerIds(addrs) {
    const ids = [];
    for (const a of addrs) {
        try {
            const id = multiaddr(a).getComponents().findLast((c) => c.name === 'p2p')?.value;
            if (id)
                ids.push(id);
        }
        catch {
            // a malformed address fails where it is dialled
        }
    }
    return ids;
}
export function digestToCid(digest) {
    return CID.createV1(0x55, Digest.create(0x12, Buffer.from(digest, 'hex')));
}
export async function createP2PNode(opts) {
    if (!/^[0-9a-f]{64}$/.test(opts.runHash))
        throw new InvalidArgumentError('runHash must be 64 hex characters');
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
        sameHost: opts.sameHost ?? opts.listen.every(isLoopback),
        maxConnections,
        ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.nat ? { nat: opts.nat } : {}),
    });
    return new GradmeshNode(opts, host, store, gate);
}
class GradmeshNode {
    opts;
    libp2p;
    store;
    gate;
    peerId;
    handlers = new Map();
    guards = new Map();
    unknownPeerHandlers = [];
    topicByName = new Map();
    runHashBytes;
    maxBlobBytes;
    inflight = new Map();
    timers = [];
    dialing = new Set();
    provides;
    natMonitor;
    /** blob requests being served now, and when the last transfer (fetch or serve) ended */
    serving = 0;
    lastTransferAt = 0;
    newestWindow = 0;
    started = false;
    bucket;
    swarm;
    /** digests being stored after a fetch (not this node's own blobs) */
    fetchedNow = new Set();
    counters = {
        perTopic: Object.fromEntries(TOPICS.map((t) => [t, { msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0, rejected: 0 }])),
        blobBytesIn: 0,
        blobBytesOut: 0,
        fetchFailures: 0,
        dhtWalks: 0,
        rejections: {},
    };
    constructor(opts, libp2p, store, gate) {
        this.opts = opts;
        this.libp2p = libp2p;
        this.store = store;
        this.gate = gate;
        this.peerId = libp2p.peerId.toString();
        this.runHashBytes = new Uint8Array(Buffer.from(opts.runHash, 'hex'));
        this.maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB;
        for (const t of TOPICS)
            this.topicByName.set(topicName(opts.runHash, t), t);
        this.natMonitor = new NatMonitor(libp2p, opts.nat?.reachability ?? 'auto', (e) => opts.onNatEvent?.(e));
        for (const d of store.digests())
            this.newestWindow = Math.max(this.newestWindow, store.meta(d)?.window ?? 0);
        // wired once: a node may be stopped and started again
        this.pubsub.addEventListener('message', (evt) => this.deliver(evt.detail));
        this.libp2p.addEventListener('peer:discovery', (evt) => { this.maybeDial(evt.detail.id); });
        this.provides = new ProvideQueue({
            // A fetched blob waiting in memory is written first (the same quiet moment
            // suits both), so a record never outlives a crash that lost the bytes.
            provide: async (digest, signal) => {
                await this.store.flush(digest);
                if (this.opts.provideBlobs !== false)
                    await this.libp2p.contentRouting.provide(digestToCid(digest), { signal });
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
    get pubsub() {
        return this.libp2p.services.pubsub;
    }
    multiaddrs() {
        return this.libp2p.getMultiaddrs().map((a) => a.toString());
    }
    async start() {
        if (this.started)
            return;
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
                if (verdict === 'unknown')
                    this.unknownPeer(p);
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
            await this.libp2p.handle(SWARM_PROTOCOL, (stream, connection) => { swarm.accept(stream, connection.remotePeer.toString()); }, { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true });
        }
        for (const [name, topic] of this.topicByName) {
            this.pubsub.topicValidators.set(name, (peer, msg) => this.validate(topic, peer, msg));
        }
        await this.libp2p.start();
        this.natMonitor.start();
        for (const name of this.topicByName.keys())
            this.pubsub.subscribe(name);
        for (const d of this.store.digests())
            this.provide(d);
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
        const walkLoop = async () => {
            // A node with no connection cannot walk: redial the bootstrap list (its first
            // dial may have failed, e.g. timed out on a loaded machine).
            const alone = this.libp2p.getConnections().length === 0;
            if (alone)
                await this.dialBootstrap();
            this.counters.dhtWalks++;
            const found = await this.randomWalk();
            if (!this.started)
                return;
            delay = alone || found > 0 ? WALK_MIN_MS : Math.min(WALK_MAX_MS, delay * 4);
            const jittered = delay * (0.75 + Math.random() / 2);
            this.timers.push(setTimeout(() => { void walkLoop(); }, jittered));
        };
        this.timers.push(setTimeout(() => { void walkLoop(); }, 200));
    }
    async stop() {
        if (!this.started)
            return;
        this.started = false;
        for (const t of this.timers)
            clearTimeout(t);
        this.timers.length = 0;
        this.provides.clear(); // start() queues every stored blob again
        this.natMonitor.stop();
        await this.store.flushAll(); // fetched blobs still in memory go to disk
        await this.libp2p.unhandle(BLOB_PROTOCOL).catch(() => { });
        this.swarm?.stop();
        await this.libp2p.unhandle(SWARM_PROTOCOL).catch(() => { });
        await this.libp2p.stop();
    }
    async publish(topic, msg) {
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
    async withPieceListHash(topic, msg) {
        if (topic !== 'grad' || !this.swarm)
            return msg;
        const m = msg;
        if (m.inline || m.pieceListHash || m.digest?.byteLength !== 32)
            return msg;
        const hash = await this.swarm.listHashFor(Buffer.from(m.digest).toString('hex')).catch(() => undefined);
        return hash ? { ...m, pieceListHash: hash } : msg;
    }
    on(topic, handler) {
        const list = this.handlers.get(topic) ?? [];
        list.push(handler);
        this.handlers.set(topic, list);
    }
    guard(topic, rule) {
        this.guards.set(topic, rule);
    }
    setRegisteredPeers(peerIds, validators) {
        this.gate.setRegistered(peerIds, validators);
        if (!validators)
            return;
        // Validators become direct peers: always sent every message, kept connected.
        const direct = this.pubsub.direct;
        for (const v of validators) {
            if (v === this.peerId)
                continue;
            direct?.add(v);
            this.maybeDial(v);
        }
    }
    setAppScores(scores) {
        this.gate.setAppScores(scores);
    }
    onUnknownPeer(handler) {
        this.unknownPeerHandlers.push(handler);
    }
    unknownPeer(peerId) {
        for (const h of this.unknownPeerHandlers) {
            try {
                h(peerId);
            }
            catch {
                // a handler's bug must not break validation or serving
            }
        }
    }
    penalties() {
        return this.gate.penalties();
    }
    gossipScore(peerId) {
        const gs = this.pubsub;
        return gs.getScore?.(peerId) ?? 0;
    }
    connectedPeers() {
        return [...new Set(this.libp2p.getConnections().map((c) => c.remotePeer.toString()))];
    }
    async fetchBlob(digest, opts = {}) {
        assertDigest(digest);
        const local = await this.store.get(digest);
        if (local)
            return local;
        const running = this.inflight.get(digest);
        if (running)
            return running;
        const p = this.fetchAndStore(digest, opts).finally(() => {
            this.inflight.delete(digest);
            this.lastTransferAt = Date.now();
        });
        this.inflight.set(digest, p);
        return p;
    }
    stats() {
        const c = this.counters;
        let gin = 0;
        let gout = 0;
        for (const t of TOPICS) {
            gin += c.perTopic[t].bytesIn;
            gout += c.perTopic[t].bytesOut;
        }
        return {
            bytesIn: gin + c.blobBytesIn,
            bytesOut: gout + c.blobBytesOut,
            perTopic: Object.fromEntries(TOPICS.map((t) => [t, { ...c.perTopic[t] }])),
            blobBytesIn: c.blobBytesIn,
            blobBytesOut: c.blobBytesOut,
            fetchFailures: c.fetchFailures,
            dhtWalks: c.dhtWalks,
            rejections: { ...c.rejections },
            swarm: this.swarm?.stats() ?? { piecesIn: 0, piecesOut: 0, badPieces: 0, refused: {}, malformed: 0, fetched: 0, fallbacks: 0, uploadedByDigest: {}, badLists: 0 },
        };
    }
    natStats() {
        return this.natMonitor.stats();
    }
    /**
     * Opens a blob stream, over a relayed connection too (limited or not), and counts
     * the relayed ones. An open connection is used as it is (a direct one first): asked
     * to dial a peer it reaches only through a relay, libp2p first tries the peer's
     * direct addresses again, on every request, and behind a NAT those fail only when
     * the dial times out.
     */
    async dialBlob(peer, protocol, o) {
        const open = this.libp2p.getConnections(peer).filter((c) => c.status === 'open');
        const conn = open.find((c) => c.direct) ?? open[0];
        if (conn) {
            const stream = await conn.newStream(protocol, { ...o, runOnLimitedConnection: true });
            this.natMonitor.noteStream(conn, stream);
            return stream;
        }
        const stream = await this.libp2p.dialProtocol(peer, protocol, { ...o, runOnLimitedConnection: true });
        const used = this.libp2p.getConnections(peer).find((c) => c.streams.includes(stream));
        if (used)
            this.natMonitor.noteStream(used, stream);
        return stream;
    }
    async fetchAndStore(digest, opts) {
        const signal = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
        setMaxListeners(Infinity, signal); // one signal bounds every dial and range of this fetch
        const maxBytes = Math.min(opts.maxBytes ?? this.maxBlobBytes, this.maxBlobBytes);
        let bytes;
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
                    if (this.gate.refusesConnection(p))
                        void this.libp2p.hangUp(peerIdFromString(p)).catch(() => { });
                },
                onBytesIn: (n) => { this.counters.blobBytesIn += n; },
                rangeBytes: this.opts.rangeBytes ?? 8 * 1024 * 1024,
                maxParallelSources: 4,
                ...(this.swarm ? { swarm: this.swarm.fetch.bind(this.swarm) } : {}),
            }, { digest, from: opts.from ?? [], maxBytes, signal });
        }
        catch (err) {
            this.counters.fetchFailures++;
            throw err;
        }
        // held in memory (served from there) and written when transfers are quiet: in
        // the gossip bench the file write cost ~1.6 ms of CPU per MiB (ext4) of the
        // 13-19 ms a fetched MiB cost in all
        this.fetchedNow.add(digest);
        try {
            await this.store.putVerified(digest, bytes, { window: opts.window ?? this.newestWindow, kind: opts.kind ?? 'blob' }, { deferWrite: true });
        }
        finally {
            this.fetchedNow.delete(digest);
        }
        this.swarm?.noteHeld(digest);
        return bytes;
    }
    /**
     * The swarm (swarm.ts) over this node's connections, store, gate and upload cap. Blobs
     * this node stores itself (not after a fetch) are its own: it super-seeds them.
     */
    createSwarm() {
        if (this.opts.swarm === false)
            return undefined;
        const swarm = new Swarm({
            selfId: this.peerId,
            openStream: (peer, signal) => this.libp2p.dialProtocol(peerIdFromString(peer), SWARM_PROTOCOL, { signal, runOnLimitedConnection: true }),
            connectedPeers: () => this.connectedPeers(),
            store: this.store,
            admit: (p) => {
                const verdict = this.gate.requesterVerdict(p);
                if (verdict === 'unknown')
                    this.unknownPeer(p);
                return verdict;
            },
            penalise: (p, reason) => {
                this.counters.fetchFailures++;
                this.gate.penalise(p, reason);
                if (this.gate.refusesConnection(p))
                    void this.libp2p.hangUp(peerIdFromString(p)).catch(() => { });
            },
            ...(this.bucket ? { bucket: this.bucket } : {}),
            onBytesIn: (n) => { this.counters.blobBytesIn += n; },
            onBytesOut: (n) => { this.counters.blobBytesOut += n; },
            onActive: (d) => { this.serving += d; this.lastTransferAt = Date.now(); },
            maxBlobBytes: this.maxBlobBytes,
        }, typeof this.opts.swarm === 'object' ? this.opts.swarm : {});
        this.store.onPut((digest) => {
            if (!this.fetchedNow.has(digest))
                swarm.noteOrigin(digest);
            swarm.noteHeld(digest);
        });
        return swarm;
    }
    async findProviders(digest, signal) {
        const found = [];
        const lookup = AbortSignal.any([signal, AbortSignal.timeout(10_000)]);
        setMaxListeners(Infinity, lookup);
        try {
            for await (const p of this.libp2p.contentRouting.findProviders(digestToCid(digest), { signal: lookup })) {
                const id = p.id.toString();
                if (id === this.peerId || found.includes(id))
                    continue;
                if (p.multiaddrs.length > 0)
                    await this.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => { });
                found.push(id);
                if (found.length >= 16)
                    break;
            }
        }
        catch {
            // a lookup cut short still returns what it found
        }
        return found;
    }
    whenProvided(digest) {
        return this.provides.whenProvided(digest);
    }
    /** Queues the DHT provider record of a stored blob (published when transfers are quiet). */
    provide(digest) {
        if (!this.started)
            return;
        // with providing off, the queue still writes blobs that wait in memory
        if (this.opts.provideBlobs === false && !this.store.isPending(digest))
            return;
        void this.provides.enqueue(digest);
    }
    /** Dials a peer unless already connected (or dialling, or at the target); true when a dial started. */
    maybeDial(id) {
        const s = id.toString();
        if (!this.started || s === this.peerId || this.dialing.has(s))
            return false;
        if (this.libp2p.getConnections(typeof id === 'string' ? peerIdFromString(id) : id).length > 0)
            return false;
        if (this.libp2p.getConnections().length >= (this.opts.targetPeers ?? 64))
            return false;
        this.dialing.add(s);
        this.libp2p.dial(typeof id === 'string' ? peerIdFromString(id) : id, { signal: AbortSignal.timeout(10_000) })
            .catch(() => { })
            .finally(() => this.dialing.delete(s));
        return true;
    }
    async dialBootstrap() {
        await Promise.all(this.opts.bootstrap.map(async (addr) => {
            try {
                const signal = AbortSignal.timeout(10_000);
                await this.libp2p.dial(multiaddr(addr), { signal });
            }
            catch {
                // tried again on the next round
            }
        }));
    }
    /** One DHT walk toward a random key; dials what it finds; returns how many new peers it dialled. */
    async randomWalk() {
        if (!this.started)
            return 0;
        let dialled = 0;
        try {
            const signal = AbortSignal.timeout(10_000);
            setMaxListeners(Infinity, signal);
            for await (const p of this.libp2p.peerRouting.getClosestPeers(randomBytes(32), { signal })) {
                // peers already connected need no address update (each peer-store write costs)
                if (this.libp2p.getConnections(p.id).length > 0)
                    continue;
                if (p.multiaddrs.length > 0)
                    await this.libp2p.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => { });
                if (this.maybeDial(p.id))
                    dialled++;
            }
        }
        catch {
            // walks are periodic; a failed one changes nothing
        }
        if (this.timers.length > 64)
            this.timers.splice(0, this.timers.length - 64);
        return dialled;
    }
    reject(topic, reason) {
        this.counters.perTopic[topic].rejected++;
        const key = `${topic}: ${reason.split(':')[0]}`;
        this.counters.rejections[key] = (this.counters.rejections[key] ?? 0) + 1;
    }
    /** gossipsub topic validator: runs before delivery and forwarding; never throws */
    validate(topic, propagator, msg) {
        try {
            if (msg.type !== 'signed') {
                this.reject(topic, 'unsigned');
                return TopicValidatorResult.Reject;
            }
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
                if (verdict.kind === 'ignore')
                    return TopicValidatorResult.Ignore;
                // The signer is to blame (it signed what no honest node sends); a relay that
                // passed it on by its own, possibly different, view is not.
                this.gate.penalise(from, `${topic}: ${verdict.reason}`);
                return direct ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
            }
            return TopicValidatorResult.Accept;
        }
        catch (err) {
            this.reject(topic, `validator error: ${err.message}`);
            return TopicValidatorResult.Reject;
        }
    }
    deliver(msg) {
        const topic = this.topicByName.get(msg.topic);
        if (!topic || msg.type !== 'signed')
            return;
        const checked = decodeAndCheck(topic, msg.data, { runHash: this.runHashBytes, maxBlobBytes: this.maxBlobBytes });
        if (!checked.ok)
            return;
        const s = this.counters.perTopic[topic];
        s.msgsIn++;
        s.bytesIn += msg.data.byteLength;
        const from = msg.from.toString();
        if (topic === 'grad') {
            const g = checked.msg;
            if (g.pieceListHash && !g.inline)
                this.swarm?.noteAnnounced(Buffer.from(g.digest).toString('hex'), from, g.pieceListHash);
        }
        for (const h of this.handlers.get(topic) ?? []) {
            try {
                h(checked.msg, from);
            }
            catch {
                // a handler's bug must not stop delivery to the others
            }
        }
    }
}
//# sourceMappingURL=node.js.map