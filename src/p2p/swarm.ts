// Swarm distribution of blobs over long-lived per-peer sessions (/gradmesh/swarm/1.0.0).
// Every node that holds pieces of a blob serves them; a fetcher pulls pieces from
// several holders at once. Frames are in swarm-wire.ts, the rules in swarm-policy.ts;
// this module does the I/O: sessions, the upload queue, and the fetch loop.
//
// Sessions: each node writes to a peer on one outbound stream it opened and reads
// what the peer writes on the peer's own stream, so a session is two half-duplex
// streams that live as long as the connection (no stream set-up per request). Control
// frames (WANT, HAVE, REQUEST, REFUSE, …) go ahead of queued pieces.
//
// Holders tell their mesh what they have: a fetcher sends WANT to every connected peer;
// a peer that holds or fetches the blob answers HAVE (its bitfield) and from then on
// sends a fresh HAVE, coalesced over a few ms, each time it verifies a piece. No DHT
// lookup on this path (the DHT stays for old blobs, in fetcher.ts).
import { createHash } from 'node:crypto';
import type { Stream, StreamMessageEvent } from '@libp2p/interface';
import type { RequesterVerdict } from './peer-gate.js';
import { P2PError } from './errors.js';
import {
  Bitfield, decodeFrame, decodePieceList, encodeFrame, encodePieceList, FrameReader, FrameType, hex,
  buildPieceList, ONLY_SOURCE, uninitialised, pieceLength, pieceListHash, RefuseReason, SwarmWireError,
  type Frame, type PieceList,
} from './swarm-wire.js';
import {
  DEFAULT_SERVE, OriginPieces, PeerLoad, PieceScheduler, ServeQueue,
  type SchedulerOptions, type ServeOptions,
} from './swarm-policy.js';
import type { TokenBucket } from './token-bucket.js';

/** The swarm could not deliver the blob (no piece list, no holders, or it stalled): the caller falls back. */
export class SwarmUnavailableError extends P2PError {
  /** why, in a word or two (counted in stats().swarm.fallbackReasons) */
  readonly reason: string;
  constructor(message: string, reason = 'other') {
    super(message, 'SWARM_UNAVAILABLE');
    this.reason = reason;
    this.name = 'SwarmUnavailableError';
  }
}

export interface SwarmStore {
  has(digest: string): boolean;
  meta(digest: string): { size: number } | undefined;
  get(digest: string): Promise<Uint8Array | null>;
  readRange(digest: string, offset: number, length: number, chunkBytes?: number): AsyncGenerator<Uint8Array>;
}

export interface SwarmDeps {
  selfId: string;
  /** opens a stream of the swarm protocol to a peer (dials it if needed) */
  openStream: (peer: string, signal: AbortSignal) => Promise<Stream>;
  /** peers with an open connection */
  connectedPeers: () => string[];
  store: SwarmStore;
  /** the node's PeerGate verdict on a requester */
  admit: (peer: string) => RequesterVerdict;
  penalise: (peer: string, reason: string) => void;
  /** the node's upload cap (shared with the blob protocol) */
  bucket?: TokenBucket;
  onBytesIn?: (n: number) => void;
  onBytesOut?: (n: number) => void;
  /** +1 / -1 around each piece served (the node's transfer-activity tracking) */
  onActive?: (d: 1 | -1) => void;
  maxBlobBytes: number;
}

export interface SwarmOptions {
  /** piece size of the lists this node builds (default: pieceSizeFor(size)) */
  pieceBytes?: number;
  /** pieces written at once by this node (each held until the receiver's HAVE shows it) */
  uploadSlots: number;
  /** how long an upload slot waits for the receiver's HAVE */
  ackTimeoutMs: number;
  /** piece list request: wait this long per peer asked */
  listTimeoutMs: number;
  /** rounds of asking every candidate for the list before the fetch falls back */
  listRounds: number;
  /** a fetch with no holder in sight this long after it started gives up (the caller falls back) */
  noSourceMs: number;
  /** a fetch with no piece arriving this long gives up */
  stallMs: number;
  /** blobs one peer may have WANTed from this node at once */
  maxWantsPerPeer: number;
  scheduler: Partial<SchedulerOptions>;
  serve: ServeOptions;
}

export const DEFAULT_SWARM: SwarmOptions = {
  uploadSlots: 2,
  ackTimeoutMs: 3_000,
  listTimeoutMs: 5_000,
  listRounds: 2,
  noSourceMs: 5_000,
  // longer than the scheduler's request timeout (20 s): a request lost or stuck behind a
  // slow peer is asked elsewhere before the whole fetch is given up (16 nodes on a loaded
  // box: 21 of 27 fallbacks were stalls at exactly 20 s, each fetched from the announcer)
  stallMs: 35_000,
  maxWantsPerPeer: 64,
  scheduler: {},
  serve: DEFAULT_SERVE,
};

export interface SwarmStats {
  piecesIn: number;
  piecesOut: number;
  /** pieces that failed their hash (the sender was penalised) */
  badPieces: number;
  /** refusals sent, by reason */
  refused: Record<string, number>;
  /** frames that did not decode (the session was closed) */
  malformed: number;
  /** fetches completed by the swarm / given up (then the blob protocol was used) */
  fetched: number;
  fallbacks: number;
  /** fallbacks by reason: no list, no holder, stalled, timed out, … */
  fallbackReasons: Record<string, number>;
  /** piece bytes uploaded per blob (hex digest) */
  uploadedByDigest: Record<string, number>;
  /** piece lists refused for not matching the announced list hash (the sender was penalised) */
  badLists: number;
}

const ZERO32 = new Uint8Array(32);
const MAX_STATES = 256;

function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}

interface FetchRun {
  scheduler: PieceScheduler;
  origins: Set<string>;
  listFrom: string;
  startedAt: number;
  lastPieceAt: number;
  timer: NodeJS.Timeout;
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

interface BlobState {
  digest: string;
  digestBytes: Uint8Array;
  list?: PieceList;
  listEncoded?: Uint8Array;
  listHash?: Uint8Array;
  /** pieces this node holds (complete once the blob is held) */
  mine?: Bitfield;
  /** the blob being assembled (pieces served from it while the fetch runs) */
  buffer?: Uint8Array;
  origin?: OriginPieces;
  /** what each peer said it holds, with the list hash it named */
  peers: Map<string, { listHash: Uint8Array; bits: Bitfield }>;
  /** peers told of every piece this node verifies */
  audience: Set<string>;
  fetch?: FetchRun;
  haveTimer?: NodeJS.Timeout;
  lastUsed: number;
  /** a list being built from the store */
  building?: Promise<boolean>;
  /** the fetch of this blob, from its start (the list request) to its end */
  pending?: Promise<Uint8Array>;
  /** the list hash the blob's announcer signed (in its announcement), while fetching */
  expected?: { listHash: Uint8Array; announcer: string };
}

interface UploadJob { peer: string; digest: string; index: number; cancelled: boolean }

class Session {
  out: Stream | null = null;
  opening: Promise<Stream | null> | null = null;
  readonly control: Uint8Array[] = [];
  readonly bulk: Array<{ frame: Uint8Array; done: () => void }> = [];
  writing = false;
  readonly wants = new Set<string>();
  readonly inbound = new Set<Stream>();
  closed = false;
}

export class Swarm {
  private readonly opts: SwarmOptions;
  private readonly sessions = new Map<string, Session>();
  private readonly states = new Map<string, BlobState>();
  private readonly load = new PeerLoad();
  private readonly serveQueue: ServeQueue;
  private readonly uploads: UploadJob[] = [];
  private readonly acks = new Map<string, () => void>();
  private activeUploads = 0;
  private readonly listWaiters = new Map<string, (list: Uint8Array | null) => void>();
  private readonly origins = new Set<string>();
  /** digest → announcer → the piece list hash its signed announcement named */
  private readonly announced = new Map<string, Map<string, Uint8Array>>();
  private running = true;
  private readonly counters: SwarmStats = { piecesIn: 0, piecesOut: 0, badPieces: 0, refused: {}, malformed: 0, fetched: 0, fallbacks: 0, fallbackReasons: {}, uploadedByDigest: {}, badLists: 0 };

  constructor(private readonly deps: SwarmDeps, opts: Partial<SwarmOptions> = {}) {
    this.opts = { ...DEFAULT_SWARM, ...opts, serve: { ...DEFAULT_SERVE, ...opts.serve } };
    this.serveQueue = new ServeQueue(this.opts.serve);
  }

  stats(): SwarmStats {
    return { ...this.counters, refused: { ...this.counters.refused }, fallbackReasons: { ...this.counters.fallbackReasons }, uploadedByDigest: { ...this.counters.uploadedByDigest } };
  }

  /** This node made the blob (its own payload): it super-seeds it. */
  noteOrigin(digest: string): void {
    this.origins.add(digest);
    if (this.origins.size > MAX_STATES) this.origins.delete(this.origins.values().next().value!);
  }

  /**
   * A signed announcement named the blob's piece list hash: a fetch of the blob from
   * this announcer takes only the list of that hash, from whichever peer sends it.
   */
  noteAnnounced(digest: string, announcer: string, listHash: Uint8Array): void {
    if (listHash.byteLength !== 32) return;
    let m = this.announced.get(digest);
    if (!m) {
      if (this.announced.size >= MAX_STATES) this.announced.delete(this.announced.keys().next().value!);
      m = new Map();
      this.announced.set(digest, m);
    }
    if (m.size < 8 || m.has(announcer)) m.set(announcer, listHash.slice());
  }

  /** The piece list hash of a blob held whole in the store (for its announcement). */
  async listHashFor(digest: string): Promise<Uint8Array | undefined> {
    const st = this.state(digest, this.deps.store.has(digest));
    if (!st || !(await this.ensureList(st))) return undefined;
    return st.listHash;
  }

  /** The blob is now held whole (fetched by any means): tell the peers that wanted it. */
  noteHeld(digest: string): void {
    const st = this.states.get(digest);
    if (!st || st.audience.size === 0) return;
    void this.ensureList(st).then((ok) => { if (ok) this.flushHave(st); });
  }

  stop(): void {
    this.running = false;
    for (const st of this.states.values()) {
      st.fetch?.reject(new SwarmUnavailableError('node stopped', 'stopped'));
      if (st.haveTimer) clearTimeout(st.haveTimer);
    }
    for (const ack of this.acks.values()) ack();
    for (const [peer, s] of this.sessions) {
      s.closed = true;
      s.out?.abort(new Error('swarm stopped'));
      for (const i of s.inbound) i.abort(new Error('swarm stopped'));
      this.sessions.delete(peer);
    }
  }

  // ---------------------------------------------------------------- sessions

  private session(peer: string): Session {
    let s = this.sessions.get(peer);
    if (!s || s.closed) {
      s = new Session();
      this.sessions.set(peer, s);
    }
    return s;
  }

  /** Inbound half of a session: the peer's frames to us. */
  accept(stream: Stream, peer: string): void {
    if (!this.running) { stream.abort(new Error('swarm stopped')); return; }
    const s = this.session(peer);
    s.inbound.add(stream);
    const reader = new FrameReader();
    const onMessage = (evt: StreamMessageEvent): void => {
      try {
        // a list of chunks is read as it is (joining them would copy every piece once more)
        for (const f of reader.push(evt.data)) this.onFrame(peer, decodeFrame(f));
      } catch (err) {
        if (err instanceof SwarmWireError) {
          this.counters.malformed++;
          stream.abort(err);
        } else {
          throw err;
        }
      }
    };
    stream.addEventListener('message', onMessage);
    stream.addEventListener('close', () => {
      s.inbound.delete(stream);
      this.lost(peer, s);
    }, { once: true });
    // a peer that (re)connected learns what we are fetching
    for (const st of this.states.values()) if (st.fetch) this.sendWant(peer, st);
  }

  private async outbound(peer: string, s: Session): Promise<Stream | null> {
    if (s.out && s.out.status === 'open') return s.out;
    if (!s.opening) {
      s.opening = this.deps.openStream(peer, AbortSignal.timeout(10_000)).then((st) => {
        s.out = st;
        st.addEventListener('close', () => this.lost(peer, s), { once: true });
        return st;
      }, () => null).finally(() => { s.opening = null; });
    }
    return s.opening;
  }

  private send(peer: string, f: Frame): void {
    const s = this.session(peer);
    s.control.push(encodeFrame(f));
    void this.pumpWrites(peer, s);
  }

  /** Queues a piece; resolves once written to the stream (or the session is gone). */
  private sendBulk(peer: string, frame: Uint8Array): Promise<void> {
    const s = this.session(peer);
    return new Promise<void>((done) => {
      s.bulk.push({ frame, done });
      void this.pumpWrites(peer, s);
    });
  }

  private async pumpWrites(peer: string, s: Session): Promise<void> {
    if (s.writing) return;
    s.writing = true;
    try {
      while (!s.closed && (s.control.length > 0 || s.bulk.length > 0)) {
        const out = s.out?.status === 'open' ? s.out : await this.outbound(peer, s);
        if (!out) { this.fail(peer, s); return; }
        // every control frame queued goes out in one write (one muxer frame, one
        // encryption, one syscall) instead of one each; else the next piece
        const ctl = s.control.length === 0 ? undefined : s.control.length === 1 ? s.control[0]! : Buffer.concat(s.control);
        if (ctl) s.control.length = 0;
        const item = ctl ? undefined : s.bulk.shift();
        const frame = ctl ?? item!.frame;
        try {
          if (!out.send(frame)) await out.onDrain({ signal: AbortSignal.timeout(60_000) });
        } catch {
          item?.done();
          this.fail(peer, s);
          return;
        }
        item?.done();
      }
    } finally {
      s.writing = false;
    }
  }

  private fail(peer: string, s: Session): void {
    this.lost(peer, s);
  }

  /**
   * A half of the session closed (or failed): the whole session goes, with the peer's
   * queued requests and its claims; the next write opens a fresh one.
   */
  private lost(peer: string, s?: Session): void {
    const cur = this.sessions.get(peer);
    if (s && cur !== s) return; // an old session's stream closing late
    if (cur) {
      cur.closed = true;
      this.sessions.delete(peer);
      for (const b of cur.bulk.splice(0)) b.done();
      cur.control.length = 0;
      cur.out?.abort(new Error('swarm session closed'));
      for (const i of cur.inbound) i.abort(new Error('swarm session closed'));
    }
    for (const job of this.uploads) if (job.peer === peer) job.cancelled = true;
    for (const [key, ack] of this.acks) if (key.startsWith(`${peer}#`)) ack();
    // a list asked of it will not come: the next peer is asked at once
    for (const [key, w] of [...this.listWaiters]) if (key.startsWith(`${peer}#`)) w(null);
    for (const st of this.states.values()) {
      st.peers.delete(peer);
      st.audience.delete(peer);
      st.origin?.dropPeer(peer);
      if (st.fetch) { st.fetch.scheduler.dropPeer(peer); this.pump(st); }
    }
  }

  // ---------------------------------------------------------------- frames

  private onFrame(peer: string, f: Frame): void {
    const digest = hex(f.digest);
    switch (f.type) {
      case FrameType.WANT: return this.onWant(peer, digest, f.listHash);
      case FrameType.HAVE: return this.onHave(peer, digest, f.listHash, f.bits);
      case FrameType.REQUEST: return this.onRequest(peer, digest, f.index, (f.flags & ONLY_SOURCE) !== 0);
      case FrameType.PIECE: return this.onPiece(peer, digest, f.index, f.data);
      case FrameType.REFUSE: return this.onRefuse(peer, digest, f.index, f.reason);
      case FrameType.CANCEL: return this.onCancel(peer, digest, f.index);
      case FrameType.LIST_REQ: return this.onListRequest(peer, digest, f.listHash);
      case FrameType.LIST: {
        const w = this.listWaiters.get(`${peer}#${digest}`);
        if (w) w(f.list.slice());
        return;
      }
    }
  }

  private state(digest: string, create: true): BlobState;
  private state(digest: string, create?: boolean): BlobState | undefined;
  private state(digest: string, create = false): BlobState | undefined {
    let st = this.states.get(digest);
    if (!st && create) {
      if (this.states.size >= MAX_STATES) this.evict();
      st = { digest, digestBytes: new Uint8Array(Buffer.from(digest, 'hex')), peers: new Map(), audience: new Set(), lastUsed: Date.now() };
      this.states.set(digest, st);
    }
    if (st) st.lastUsed = Date.now();
    return st;
  }

  private evict(): void {
    let oldest: BlobState | undefined;
    for (const st of this.states.values()) if (!st.fetch && (!oldest || st.lastUsed < oldest.lastUsed)) oldest = st;
    if (oldest) {
      if (oldest.haveTimer) clearTimeout(oldest.haveTimer);
      this.states.delete(oldest.digest);
    }
  }

  /** Builds the piece list of a blob held whole in the store (once). */
  private ensureList(st: BlobState): Promise<boolean> {
    if (st.list && st.mine?.complete()) {
      if (this.origins.has(st.digest)) st.origin ??= new OriginPieces(st.list.hashes.length);
      return Promise.resolve(true);
    }
    if (!this.deps.store.has(st.digest)) return Promise.resolve(false);
    st.building ??= (async () => {
      // the store holds verified bytes (put hashes them; fetched blobs were checked);
      // read as a view where it is in memory (get() would copy the whole blob)
      const bytes = await this.readWhole(st.digest);
      if (!bytes) return false;
      if (!st.list) {
        const list = buildPieceList(bytes, this.opts.pieceBytes ?? undefined, st.digestBytes);
        this.setList(st, list, encodePieceList(list));
      }
      st.mine = Bitfield.full(st.list!.hashes.length);
      st.buffer = undefined; // served from the store from now on
      if (this.origins.has(st.digest)) st.origin ??= new OriginPieces(st.list!.hashes.length);
      return true;
    })().finally(() => { st.building = undefined; });
    return st.building;
  }

  private async readWhole(digest: string): Promise<Uint8Array | null> {
    const size = this.deps.store.meta(digest)?.size;
    if (size === undefined) return null;
    try {
      const parts: Uint8Array[] = [];
      for await (const c of this.deps.store.readRange(digest, 0, size, size)) parts.push(c);
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    } catch {
      return null; // pruned meanwhile
    }
  }

  private setList(st: BlobState, list: PieceList, encoded: Uint8Array): void {
    st.list = list;
    st.listEncoded = encoded;
    st.listHash = pieceListHash(encoded);
    st.mine ??= new Bitfield(list.hashes.length);
    // claims made under another list are dropped
    for (const [p, h] of st.peers) if (!Buffer.from(h.listHash).equals(st.listHash) || h.bits.count !== list.hashes.length) st.peers.delete(p);
  }

  private sameList(st: BlobState, listHash: Uint8Array): boolean {
    return !st.listHash || listHash.every((b) => b === 0) || Buffer.from(listHash).equals(st.listHash);
  }

  private sendWant(peer: string, st: BlobState): void {
    this.send(peer, { type: FrameType.WANT, digest: st.digestBytes, listHash: st.listHash ?? st.expected?.listHash ?? ZERO32 });
  }

  private sendHave(peer: string, st: BlobState): void {
    if (!st.list || !st.mine || !st.listHash) return;
    this.send(peer, { type: FrameType.HAVE, digest: st.digestBytes, listHash: st.listHash, bits: st.mine });
  }

  /** HAVE to every peer in the blob's audience, coalesced over a few ms. */
  private flushHave(st: BlobState, delayMs = 0): void {
    if (st.haveTimer) return;
    const go = (): void => {
      st.haveTimer = undefined;
      for (const p of st.audience) this.sendHave(p, st);
    };
    if (delayMs === 0) go();
    else st.haveTimer = setTimeout(go, delayMs);
  }

  private onWant(peer: string, digest: string, listHash: Uint8Array): void {
    const s = this.session(peer);
    if (!s.wants.has(digest)) {
      // A session lives as long as the connection, and a fetcher sends one want per blob
      // it fetches: the bound is on wants held at once, so the oldest one makes room
      // (refusing instead starved every fetch from window ~24 on in a 60-window soak: a
      // validator wants 3 payloads a window from each miner, and no want was ever dropped).
      if (s.wants.size >= this.opts.maxWantsPerPeer) {
        const oldest = s.wants.values().next().value!;
        s.wants.delete(oldest);
        this.states.get(oldest)?.audience.delete(peer);
      }
      s.wants.add(digest);
    }
    const held = this.deps.store.has(digest);
    const st = this.state(digest, held || this.states.has(digest));
    if (!st) {
      // not held, not fetched: remember the want, answered when we get pieces
      const later = this.state(digest, true);
      later.audience.add(peer);
      return;
    }
    if (!this.sameList(st, listHash)) return;
    st.audience.add(peer);
    if (held) void this.ensureList(st).then((ok) => { if (ok) this.sendHave(peer, st); });
    else if (st.mine && st.mine.size > 0) this.sendHave(peer, st);
  }

  private onHave(peer: string, digest: string, listHash: Uint8Array, bits: Bitfield): void {
    const st = this.state(digest, false);
    if (!st) return; // not interested in this blob
    if (st.listHash && (!Buffer.from(listHash).equals(st.listHash) || bits.count !== st.list!.hashes.length)) return;
    if (!st.listHash && st.expected && !Buffer.from(listHash).equals(st.expected.listHash)) return; // another list than the announced one
    st.peers.set(peer, { listHash: listHash.slice(), bits });
    st.audience.add(peer);
    st.origin?.noteHave(peer, (i) => bits.has(i));
    // a HAVE that shows a piece we sent acknowledges it (frees the upload slot)
    for (const [key, ack] of this.acks) {
      const [p, d, i] = key.split('#');
      if (p === peer && d === digest && bits.has(Number(i))) ack();
    }
    if (st.fetch && st.list) {
      const held: number[] = [];
      for (let i = 0; i < bits.count; i++) if (bits.has(i)) held.push(i);
      st.fetch.scheduler.setHave(peer, held);
      this.pump(st);
    }
  }

  private refuse(peer: string, st: { digestBytes: Uint8Array }, index: number, reason: RefuseReason): void {
    this.bump(RefuseReason[reason]!.toLowerCase());
    this.send(peer, { type: FrameType.REFUSE, digest: st.digestBytes, index, reason });
  }

  private bump(key: string): void {
    this.counters.refused[key] = (this.counters.refused[key] ?? 0) + 1;
  }

  /** The gate's verdict, answered with a REFUSE when the requester is not served. */
  private admitted(peer: string, st: { digestBytes: Uint8Array }, index: number): boolean {
    const v = this.deps.admit(peer);
    if (v === 'serve') return true;
    this.refuse(peer, st, index, v === 'offender' ? RefuseReason.OFFENDER : RefuseReason.UNREGISTERED);
    return false;
  }

  private onListRequest(peer: string, digest: string, listHash?: Uint8Array): void {
    const st = this.state(digest, this.deps.store.has(digest));
    const digestBytes = new Uint8Array(Buffer.from(digest, 'hex'));
    if (!this.admitted(peer, { digestBytes }, 0)) return;
    if (!st) { this.refuse(peer, { digestBytes }, 0, RefuseReason.NOT_HAVE); return; }
    const answer = (): void => {
      // asked for the list of a given hash: another list (other piece size) is refused, not sent
      const other = listHash && st.listHash && !Buffer.from(listHash).equals(st.listHash);
      if (st.listEncoded && !other) this.send(peer, { type: FrameType.LIST, digest: st.digestBytes, list: st.listEncoded });
      else this.refuse(peer, st, 0, RefuseReason.NOT_HAVE);
    };
    if (st.listEncoded) answer();
    else void this.ensureList(st).then(answer);
  }

  private onRequest(peer: string, digest: string, index: number, onlySource: boolean): void {
    const st = this.state(digest, this.deps.store.has(digest));
    const digestBytes = new Uint8Array(Buffer.from(digest, 'hex'));
    if (!this.admitted(peer, st ?? { digestBytes }, index)) return;
    if (!st) { this.refuse(peer, { digestBytes }, index, RefuseReason.NOT_HAVE); return; }
    const decide = (): void => {
      if (!st.mine?.has(index)) { this.refuse(peer, st, index, RefuseReason.NOT_HAVE); return; }
      st.audience.add(peer);
      if (st.origin && st.origin.decide(index, onlySource, Date.now(), this.opts.serve.regrantAfterMs) === 'elsewhere') {
        this.refuse(peer, st, index, RefuseReason.ELSEWHERE);
        return;
      }
      if (!this.serveQueue.admit(peer)) { this.refuse(peer, st, index, RefuseReason.BUSY); return; }
      st.origin?.noteSent(index, Date.now()); // reserved now, so a second asker in the meantime goes elsewhere
      this.uploads.push({ peer, digest, index, cancelled: false });
      this.pumpUploads();
    };
    if (this.deps.store.has(digest) && !st.mine?.complete()) void this.ensureList(st).then(decide);
    else decide();
  }

  private onCancel(peer: string, digest: string, index: number): void {
    const job = this.uploads.find((j) => j.peer === peer && j.digest === digest && j.index === index && !j.cancelled);
    if (job) job.cancelled = true;
    this.pumpUploads();
  }

  // ---------------------------------------------------------------- uploads

  private pumpUploads(): void {
    while (this.activeUploads < this.opts.uploadSlots && this.uploads.length > 0) {
      const job = this.uploads.shift()!;
      if (job.cancelled) { this.serveQueue.release(job.peer); continue; }
      this.activeUploads++;
      this.deps.onActive?.(1);
      void this.upload(job).finally(() => {
        this.activeUploads--;
        this.deps.onActive?.(-1);
        this.serveQueue.release(job.peer);
        this.pumpUploads();
      });
    }
  }

  private async readPiece(st: BlobState, index: number): Promise<Uint8Array | null> {
    const list = st.list!;
    const off = index * list.pieceSize;
    const len = pieceLength(list, index);
    if (st.buffer && st.mine?.has(index) && !this.deps.store.has(st.digest)) return st.buffer.subarray(off, off + len);
    if (!this.deps.store.has(st.digest)) return null;
    const parts: Uint8Array[] = [];
    for await (const c of this.deps.store.readRange(st.digest, off, len, len)) parts.push(c);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private async upload(job: UploadJob): Promise<void> {
    const st = this.states.get(job.digest);
    if (!st?.list) return;
    let data: Uint8Array | null;
    try {
      data = await this.readPiece(st, job.index);
    } catch {
      data = null;
    }
    if (!data) { this.refuse(job.peer, st, job.index, RefuseReason.NOT_HAVE); return; }
    await this.deps.bucket?.take(data.byteLength);
    if (job.cancelled || !this.running) return;
    const frame = encodeFrame({ type: FrameType.PIECE, digest: st.digestBytes, index: job.index, data });
    // the slot is held until the receiver's HAVE shows the piece: pieces go out one
    // after another at the link's full rate instead of all at once at a fraction of it
    const key = `${job.peer}#${job.digest}#${job.index}`;
    const acked = new Promise<void>((resolve) => {
      const t = setTimeout(done, this.opts.ackTimeoutMs);
      const self = this;
      function done(): void { clearTimeout(t); self.acks.delete(key); resolve(); }
      this.acks.set(key, done);
    });
    await this.sendBulk(job.peer, frame);
    this.counters.piecesOut++;
    this.counters.uploadedByDigest[job.digest] = (this.counters.uploadedByDigest[job.digest] ?? 0) + data.byteLength;
    this.deps.onBytesOut?.(data.byteLength);
    await acked;
  }

  // ---------------------------------------------------------------- fetching

  /**
   * Fetches a blob from the swarm: the piece list from an announcer (`from`), the
   * pieces from every holder. Resolves with the verified bytes; rejects with
   * SwarmUnavailableError when the swarm cannot deliver (the caller falls back).
   */
  fetch(digest: string, from: string[], signal: AbortSignal, maxBytes: number): Promise<Uint8Array> {
    const st = this.state(digest, true);
    if (st.pending) return st.pending;
    const known = this.announced.get(digest);
    const announcer = known ? from.find((p) => known.has(p)) : undefined;
    st.expected = announcer ? { listHash: known!.get(announcer)!, announcer } : undefined;
    // a list got earlier (before the announcement was seen) that is not the announced one
    // is dropped while no piece was taken on its word
    if (st.expected && st.listHash && !Buffer.from(st.listHash).equals(st.expected.listHash) && !this.deps.store.has(digest) && !(st.mine && st.mine.size > 0)) {
      st.list = undefined; st.listEncoded = undefined; st.listHash = undefined; st.mine = undefined; st.buffer = undefined;
    }
    st.pending = new Promise<Uint8Array>((resolve, reject) => {
      this.startFetch(st, from.filter((p) => p !== this.deps.selfId), signal, maxBytes, resolve, reject).catch((err: unknown) => {
        this.countFallback(err);
        reject(err as Error);
      });
    }).finally(() => { st.pending = undefined; });
    return st.pending;
  }

  /**
   * The piece list: asked of the announcers in turn, then (when the announcement named
   * the list's hash) of every peer that said it holds pieces of that list. A list that
   * does not hash to the announced value is refused and its sender penalised: an
   * honest holder of another list answers NOT_HAVE to a request naming the hash.
   */
  private countFallback(err: unknown): void {
    this.counters.fallbacks++;
    const why = err instanceof SwarmUnavailableError ? err.reason : 'other';
    this.counters.fallbackReasons[why] = (this.counters.fallbackReasons[why] ?? 0) + 1;
  }

  private async getList(st: BlobState, from: string[], signal: AbortSignal, maxBytes: number): Promise<string> {
    const expected = st.expected?.listHash;
    let asked = new Set<string>();
    const candidates = (): string[] => {
      const c = [...from];
      if (expected) for (const [p, h] of st.peers) if (Buffer.from(h.listHash).equals(expected)) c.push(p);
      return c.filter((p) => p !== this.deps.selfId && !asked.has(p));
    };
    // a slow announcer on a busy box is asked again (a fallback to the blob protocol would
    // fetch the whole blob from it); peers that sent a wrong list are not
    const refusedList = new Set<string>();
    let round = 1;
    for (let peer = candidates()[0]; !signal.aborted; peer = candidates()[0]) {
      if (peer === undefined) {
        if (round >= this.opts.listRounds) break;
        round++;
        asked = new Set(refusedList);
        peer = candidates()[0];
        if (peer === undefined) break;
      }
      asked.add(peer);
      const key = `${peer}#${st.digest}`;
      const got = await new Promise<Uint8Array | null>((resolve) => {
        const t = setTimeout(() => finish(null), this.opts.listTimeoutMs);
        const onAbort = (): void => finish(null);
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = (v: Uint8Array | null): void => {
          clearTimeout(t);
          signal.removeEventListener('abort', onAbort);
          this.listWaiters.delete(key);
          resolve(v);
        };
        this.listWaiters.set(key, finish);
        this.send(peer, { type: FrameType.LIST_REQ, digest: st.digestBytes, ...(expected ? { listHash: expected } : {}) });
      });
      if (!got) continue;
      if (expected && !Buffer.from(pieceListHash(got)).equals(expected)) {
        this.counters.badLists++;
        refusedList.add(peer);
        this.deps.penalise(peer, `swarm: piece list of ${st.digest.slice(0, 16)}… not matching the announcement`);
        continue;
      }
      try {
        const list = decodePieceList(got, maxBytes);
        if (!Buffer.from(list.digest).equals(st.digestBytes)) throw new SwarmWireError('piece list of another blob');
        if (!st.list) this.setList(st, list, got);
        return peer;
      } catch {
        // a broken list (from an announcer, or vouched for by one): try the next peer
        refusedList.add(peer);
      }
    }
    throw new SwarmUnavailableError(`no piece list for ${st.digest.slice(0, 16)}… from ${asked.size} peer(s) in ${round} round(s)`, 'no list');
  }

  private async startFetch(st: BlobState, from: string[], signal: AbortSignal, maxBytes: number, resolve: (b: Uint8Array) => void, reject: (e: Error) => void): Promise<void> {
    let listFrom = '';
    // with the list's hash known from the announcement, the mesh hears the WANT at once:
    // holders of that list answer HAVE, and any of them can send the list itself
    const wantedEarly = !st.list && st.expected !== undefined;
    const tellMesh = (): void => {
      const peers = new Set([...this.deps.connectedPeers(), ...from]);
      peers.delete(this.deps.selfId);
      for (const p of peers) this.sendWant(p, st);
    };
    if (wantedEarly) tellMesh();
    if (!st.list) listFrom = await this.getList(st, from, signal, maxBytes);
    const list = st.list!;
    if (list.size > maxBytes) throw new SwarmUnavailableError(`blob of ${list.size} bytes over the cap of ${maxBytes}`, 'too large');
    const count = list.hashes.length;
    // not zeroed: only pieces marked held are served from it, and a finished blob has every piece written
    st.buffer ??= uninitialised(list.size);
    st.mine ??= new Bitfield(count);
    const scheduler = new PieceScheduler(count, new Set(from), this.load, this.opts.scheduler);
    const finish = (err: Error | null, bytes?: Uint8Array): void => {
      if (st.fetch !== run) return;
      clearInterval(run.timer);
      signal.removeEventListener('abort', onAbort);
      st.fetch = undefined;
      // requests still out are released (their pieces, if they come, are ignored)
      for (const p of new Set([...st.peers.keys(), ...from])) scheduler.dropPeer(p);
      if (err) { this.countFallback(err); reject(err); } else { this.counters.fetched++; resolve(bytes!); }
    };
    const onAbort = (): void => finish(new SwarmUnavailableError('fetch timed out', 'timed out'));
    const run: FetchRun = {
      scheduler, origins: new Set(from), listFrom, startedAt: Date.now(), lastPieceAt: Date.now(),
      timer: setInterval(() => this.tick(st), 100), resolve: (b) => finish(null, b), reject: (e) => finish(e),
    };
    st.fetch = run;
    signal.addEventListener('abort', onAbort, { once: true });
    for (const [p, h] of st.peers) {
      const held: number[] = [];
      for (let i = 0; i < h.bits.count; i++) if (h.bits.has(i)) held.push(i);
      scheduler.setHave(p, held);
    }
    // tell the mesh: holders answer HAVE
    if (!wantedEarly) tellMesh();
    this.pump(st);
  }

  private tick(st: BlobState): void {
    const run = st.fetch;
    if (!run) return;
    const now = Date.now();
    for (const e of run.scheduler.expire(now)) this.send(e.peer, { type: FrameType.CANCEL, digest: st.digestBytes, index: e.index });
    if (run.scheduler.sourceCount() === 0 && run.scheduler.inFlightCount() === 0 && now - run.startedAt > this.opts.noSourceMs) {
      run.reject(new SwarmUnavailableError(`no holder of ${st.digest.slice(0, 16)}… answered within ${this.opts.noSourceMs} ms`, 'no holder'));
      return;
    }
    if (now - run.lastPieceAt > this.opts.stallMs) {
      run.reject(new SwarmUnavailableError(`no piece of ${st.digest.slice(0, 16)}… for ${this.opts.stallMs} ms`, 'stalled'));
      return;
    }
    this.pump(st);
  }

  private pump(st: BlobState): void {
    const run = st.fetch;
    if (!run) return;
    for (const a of run.scheduler.next(Date.now())) {
      this.send(a.peer, { type: FrameType.REQUEST, digest: st.digestBytes, index: a.index, flags: a.onlySource ? ONLY_SOURCE : 0 });
    }
  }

  private onPiece(peer: string, digest: string, index: number, data: Uint8Array): void {
    const st = this.states.get(digest);
    const run = st?.fetch;
    this.deps.onBytesIn?.(data.byteLength);
    if (!st || !run || !st.list || !st.buffer || !run.scheduler.wants(index)) {
      if (run) run.scheduler.onPiece(peer, index, true); // frees its slot
      return;
    }
    const valid = data.byteLength === pieceLength(st.list, index) && sha256(data).equals(st.list.hashes[index]!);
    const { verdict, cancel } = run.scheduler.onPiece(peer, index, valid);
    if (verdict === 'penalise') {
      this.counters.badPieces++;
      this.deps.penalise(peer, `swarm: piece ${index} of ${digest.slice(0, 16)}… not matching its hash`);
      this.pump(st);
      return;
    }
    if (verdict !== 'ok') { this.pump(st); return; }
    this.counters.piecesIn++;
    run.lastPieceAt = Date.now();
    st.buffer.set(data, index * st.list.pieceSize);
    st.mine!.set(index);
    st.audience.add(peer);
    for (const p of cancel) this.send(p, { type: FrameType.CANCEL, digest: st.digestBytes, index });
    // announce the piece at once (coalesced over 20 ms: one HAVE frame per peer costs
    // a yamux frame and an encryption at each of ~N peers): others fetch it from us
    this.flushHave(st, 20);
    if (run.scheduler.done()) {
      const bytes = st.buffer;
      if (!sha256(bytes).equals(st.digestBytes)) {
        // every piece matched the list, the whole did not: the list was wrong (and, if its
        // hash was announced, the announcer signed it)
        const blame = st.expected?.announcer ?? run.listFrom;
        if (blame) this.deps.penalise(blame, `swarm: piece list of ${digest.slice(0, 16)}… not matching the blob`);
        st.list = undefined; st.listEncoded = undefined; st.listHash = undefined; st.mine = undefined; st.buffer = undefined;
        run.reject(new SwarmUnavailableError('pieces matched the list but not the digest', 'list not matching the digest'));
        return;
      }
      run.resolve(bytes);
      return;
    }
    this.pump(st);
  }

  private onRefuse(peer: string, digest: string, index: number, reason: RefuseReason): void {
    const st = this.states.get(digest);
    const run = st?.fetch;
    // a refused list request (this peer holds no list, or another one): ask the next peer
    const listWaiter = this.listWaiters.get(`${peer}#${digest}`);
    if (listWaiter && !run) { listWaiter(null); return; }
    if (!st || !run) return;
    const r = reason === RefuseReason.BUSY ? 'busy' : reason === RefuseReason.ELSEWHERE ? 'elsewhere' : reason === RefuseReason.NOT_HAVE ? 'not-have' : 'refused';
    run.scheduler.onRefused(peer, index, r, Date.now());
    this.pump(st);
  }
}
