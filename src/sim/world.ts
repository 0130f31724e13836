// The deterministic simulator: N nodes running the real protocol rules (speakers.ts's
// lead rotation and manifest judgement, replica-core.ts's gap walk, heard windows and
// readiness, manifest-chain.ts's chain) against a simulated network, chain and clock.
// Training is a stand-in: a ~2k-parameter model whose deltas go through the real
// compression and aggregation, so thetaHash is the real one. Nothing here reads a
// clock or Math.random: one seed gives one run, bit for bit.
import { createHash } from 'node:crypto';
import type { TensorSpec } from '../train/model-config.js';
import { compressWithFeedback, aggregateAndStep, payloadNorms, thetaHash, type DecodedPayload, type CompressOptions } from '../train/compress/index.js';
import { ManifestChain, GENESIS_DIGEST } from '../node/manifest-chain.js';
import { forkStep, HeardWindows, startupJump, supersedes, walkStep } from '../node/protocol/replica-core.js';
import { judgeManifest, speakerOrder, slotOpensAt, type SpeakerRules, type SpeakerTiming, type ValidatorInfo } from '../node/protocol/speakers.js';
import { minerStart, minerStep, type MinerCommand, type MinerEvent, type MinerView, type MinerWindowState } from '../node/protocol/miner-window.js';
import { validatorStart, validatorStep, type ValidatorCommand, type ValidatorConfig, type ValidatorEvent, type ValidatorView, type ValidatorWindowState } from '../node/protocol/validator-window.js';
import { Rng, mix } from './rng.js';
import { EventQueue } from './queue.js';
import { planFaults, type FaultKind, type FaultPlan } from './faults.js';

export const ADVERSARY_MODES = ['noise', 'stale', 'forge'] as const;
export type AdversaryMode = (typeof ADVERSARY_MODES)[number];

export function parseAdversaries(s: string | undefined): AdversaryMode[] {
  if (s === undefined || s === 'all') return [...ADVERSARY_MODES];
  if (s === 'none' || s === '') return [];
  return s.split(',').map((k) => {
    if (!(ADVERSARY_MODES as readonly string[]).includes(k)) throw new Error(`--adversaries: unknown mode "${k}" (known: ${ADVERSARY_MODES.join(', ')}, all, none)`);
    return k as AdversaryMode;
  });
}

export interface SimOptions {
  nodes: number;
  windows: number;
  seed: number;
  faults: readonly FaultKind[];
  adversaries: readonly AdversaryMode[];
  /**
   * Turn a protocol rule off (tests: the invariants must catch its absence).
   * forkChoice: replica-core.ts forkStep; startupSync: startupJump after a restart.
   */
  disable?: { forkChoice?: boolean; startupSync?: boolean };
  /** Keep the last `traceLimit` events for a failing run's trace (0: none). */
  traceLimit?: number;
}

export interface Violation {
  invariant: 'hash_mismatch' | 'divergence' | 'no_recovery' | 'adversary_aggregated' | 'forged_applied';
  window: number;
  timeMs: number;
  detail: string;
}

export interface SimResult {
  seed: number;
  violations: Violation[];
  /** The events before the first violation (node ids, kinds, windows). */
  trace: string[];
  manifestsApplied: number;
  nullRounds: number;
  supersessions: number;
  finalHead: number;
  finalHash: string;
  events: number;
}

const WINDOW_MS = 2000;
const TIMING: SpeakerTiming = { announceDeadlineMs: 200, manifestTimeoutMs: 200 };
const RULES: SpeakerRules = { minStake: 0, maxSpeakers: 3, clockToleranceMs: 100 };
const OPTS: CompressOptions = { chunk: 16, k: 16, demo: false };
const LAYOUT: TensorSpec[] = [
  { name: 'w1', shape: [32, 48], offset: 0, numel: 1536 },
  { name: 'w2', shape: [16, 32], offset: 1536, numel: 512 },
  { name: 'b', shape: [64], offset: 2048, numel: 64 },
];
const PARAMS = 2112;
const OUTER_LR = 0.5;
const MAX_PAYLOADS = 16;
const QUIET_WINDOWS = 6;
const VALIDATOR_CONFIG: ValidatorConfig = { timing: TIMING, scores: true };

interface Manifest {
  window: number;
  prevDigest: string;
  nextThetaHash: string;
  entries: { uid: number; digest: string }[];
  validatorUid: number;
  /** The node that signed it (its uid; every node is registered). */
  signer: number;
}

interface Payload {
  uid: number;
  window: number;
  base: string;
  decoded: DecodedPayload;
  norm: number;
}

type Msg = { kind: 'payload'; digest: string; window: number; from: number } | { kind: 'manifest'; digest: string; from: number };

type Ev =
  | { t: number; seq: number; kind: 'window'; w: number }
  /** A validator window machine's timer (`epoch`: the node's life it was set in). */
  | { t: number; seq: number; kind: 'vtimer'; node: number; epoch: number }
  /** A miner window machine's timer, or (manifest) its wake-up after an apply. */
  | { t: number; seq: number; kind: 'mtimer'; node: number; epoch: number; w: number; manifest: boolean }
  | { t: number; seq: number; kind: 'deliver'; to: number; msg: Msg; sentAt: number }
  | { t: number; seq: number; kind: 'crash'; node: number }
  | { t: number; seq: number; kind: 'restart'; node: number };

interface Undo {
  window: number;
  rank: number;
  digest: string;
  head: { digest: string; window: number };
  hash: string;
}

interface SimNode {
  uid: number;
  adversary: AdversaryMode | null;
  alive: boolean;
  chain: ManifestChain;
  hash: string;
  synced: boolean;
  heard: HeardWindows;
  undo: Undo | null;
  /** θ hash after each applied window (bounded): the agreement invariant reads it. */
  hashAt: Map<number, string>;
  /** The applied manifest's digest per window (bounded): the fork choice reads it. */
  digestAt: Map<number, string>;
  firstFullWindow: number;
  errorBuffer: Float32Array;
  /** Payloads heard for each window (validators). */
  heardPayloads: Map<number, string[]>;
  /** The manifest this validator built last (applied by the machine's apply_own). */
  lastBuilt: string | null;
  /** The last own payload digest (the stale adversary replays it). */
  lastPayload: string | null;
  /** A validator's reference payload norm (median of its last well-filled manifest). */
  refNorm: number;
  /** The reference before this window's measurement (what its selection uses). */
  prevRef: number;
  /** The window whose payloads were last measured. */
  measured: number;
  /** A validator's window machine (protocol/validator-window.ts) and the window it waits for. */
  vstate: ValidatorWindowState | null;
  vWaitWindow: number;
  /** A miner's window machine (protocol/miner-window.ts), the window it waits for, the payload it trained. */
  mstate: MinerWindowState | null;
  mWaitWindow: number;
  pendingPayload: string | null;
  /** Restarts so far: a timer set in an earlier life is dropped. */
  epoch: number;
  /** [crashed, restarted) intervals. */
  down: [number, number][];
  /** What a restart reads back: the head and θ's hash at the last apply. */
  disk: { head: { digest: string; window: number }; hash: string; hashAt: [number, string][]; digestAt: [number, string][] };
}

/** One simulated run. */
export class World {
  private readonly rng: Rng;
  private readonly q = new EventQueue<Ev>();
  private readonly nodes: SimNode[] = [];
  private readonly validators: ValidatorInfo[];
  private readonly speakers: ValidatorInfo[];
  private readonly plan: FaultPlan;
  private readonly manifests = new Map<string, Manifest>();
  private readonly payloads = new Map<string, Payload>();
  /** Who holds each blob (manifests and payloads), for fetches. */
  private readonly holders = new Map<string, Set<number>>();
  /** θ by its hash: every θ any node holds (nodes keep only the hash). */
  private readonly thetas = new Map<string, Float32Array>();
  /** Cache of applications: `${baseHash}/${manifestDigest}` → resulting hash (pure function). */
  private readonly applied = new Map<string, string>();
  /** The θ hash each manifest produced at the first honest node that applied it. */
  private readonly resultOf = new Map<string, string>();
  private readonly violations: Violation[] = [];
  private readonly trace: string[] = [];
  private readonly partitioned = new Map<number, number>(); // node → partition tag
  private readonly extraLatency = new Map<number, number>();
  private readonly genesisHash: string;
  private now = 0;
  private events = 0;
  private manifestsApplied = 0;
  private supersessions = 0;
  private readonly spoken = new Set<number>();

  constructor(private readonly o: SimOptions) {
    this.rng = new Rng(o.seed);
    const n = o.nodes;
    const nValidators = Math.max(2, Math.min(4, Math.floor(n / 8)));
    const genesis = new Float32Array(PARAMS);
    const g = new Rng(mix(o.seed, 0xbeef));
    for (let i = 0; i < PARAMS; i++) genesis[i] = (g.next() - 0.5) * 0.1;
    const gHash = thetaHash(genesis);
    this.thetas.set(gHash, genesis);
    this.genesisHash = gHash;
    // Adversaries: a few miners, one per mode asked for (and one more at ≥ 64 nodes).
    const adv = new Map<number, AdversaryMode>();
    let a = nValidators;
    for (const mode of o.adversaries) {
      for (let k = 0; k < (n >= 64 ? 2 : 1) && a < n - 2; k++) adv.set(a++, mode);
    }
    for (let uid = 0; uid < n; uid++) {
      this.nodes.push({
        uid, adversary: adv.get(uid) ?? null, alive: true, chain: new ManifestChain(), hash: gHash, synced: true, heard: new HeardWindows(), undo: null,
        hashAt: new Map(), digestAt: new Map(), firstFullWindow: 0, errorBuffer: new Float32Array(PARAMS), heardPayloads: new Map(), lastBuilt: null, lastPayload: null, down: [], refNorm: 0, prevRef: 0, measured: -1, vstate: null, vWaitWindow: Infinity, mstate: null, mWaitWindow: Infinity, pendingPayload: null, epoch: 0,
        disk: { head: { digest: GENESIS_DIGEST, window: -1 }, hash: gHash, hashAt: [], digestAt: [] },
      });
    }
    // Stake falls with the uid: validator 0 leads while it is registered.
    this.validators = this.nodes.map((nd) => ({ uid: nd.uid, peerId: `p${nd.uid}`, stake: nd.uid < nValidators ? 1000 - nd.uid : 0, validatorPermit: nd.uid < nValidators }));
    this.speakers = speakerOrder(this.validators, RULES);
    this.plan = planFaults(this.rng, o.faults, { nodes: n, windows: o.windows, validators: nValidators, quietWindows: QUIET_WINDOWS });
  }

  run(): SimResult {
    for (let w = 0; w <= this.o.windows; w++) this.q.push({ t: w * WINDOW_MS, kind: 'window', w });
    for (const f of this.plan.faults) {
      if (f.kind === 'crash') {
        this.q.push({ t: f.from * WINDOW_MS + 700, kind: 'crash', node: f.node });
        this.q.push({ t: f.to * WINDOW_MS + 300, kind: 'restart', node: f.node });
      }
    }
    const end = (this.o.windows + 1) * WINDOW_MS;
    for (let e = this.q.pop(); e && e.t <= end; e = this.q.pop()) {
      this.now = e.t;
      this.events++;
      this.step(e);
      if (this.violations.length > 0) break;
    }
    if (this.violations.length === 0) this.checkFinal();
    const honest = this.nodes.filter((x) => x.adversary === null && x.alive);
    const head = honest[0]!;
    return {
      seed: this.o.seed, violations: this.violations, trace: this.trace, manifestsApplied: this.manifestsApplied,
      nullRounds: this.o.windows - this.spoken.size, supersessions: this.supersessions, finalHead: head.chain.head.window, finalHash: head.hash, events: this.events,
    };
  }

  private note(s: string): void {
    const lim = this.o.traceLimit ?? 0;
    if (lim <= 0) return;
    this.trace.push(`${String(this.now).padStart(7)} ms  ${s}`);
    if (this.trace.length > lim) this.trace.shift();
  }

  private violate(v: Omit<Violation, 'timeMs'>): void {
    this.violations.push({ ...v, timeMs: this.now });
    this.note(`VIOLATION ${v.invariant}: ${v.detail}`);
  }

  private windowOf(t: number): number {
    return Math.floor(t / WINDOW_MS);
  }

  private step(e: Ev): void {
    switch (e.kind) {
      case 'window':
        return this.onWindow(e.w);
      case 'vtimer': {
        const nd = this.nodes[e.node]!;
        if (nd.alive && nd.epoch === e.epoch && nd.vstate) this.driveValidator(e.node, { kind: 'timer' });
        return;
      }
      case 'mtimer': {
        const nd = this.nodes[e.node]!;
        if (nd.alive && nd.epoch === e.epoch && nd.mstate?.phase === 'await_manifest' && nd.mstate.window === e.w) this.driveMiner(e.node, { kind: e.manifest ? 'manifest' : 'timer' });
        return;
      }
      case 'deliver':
        // A copy its sender had not sent yet when it crashed is lost.
        if (this.nodes[e.to]!.alive && !this.wasDown(e.msg.from, e.sentAt)) this.onMessage(e.to, e.msg);
        return;
      case 'crash': {
        const nd = this.nodes[e.node]!;
        if (!nd.alive) return;
        nd.alive = false;
        nd.down.push([this.now, Infinity]);
        this.note(`n${e.node} crashes (head ${nd.chain.head.window})`);
        return;
      }
      case 'restart':
        return this.restart(e.node);
    }
  }

  private restart(i: number): void {
    const nd = this.nodes[i]!;
    if (nd.alive) return;
    // State on disk: what the last apply wrote. In-memory state (heard windows, the
    // payloads heard, the undo copy) is gone.
    nd.alive = true;
    nd.down[nd.down.length - 1]![1] = this.now;
    nd.chain = new ManifestChain(nd.disk.head);
    nd.hash = nd.disk.hash;
    nd.hashAt = new Map(nd.disk.hashAt);
    nd.digestAt = new Map(nd.disk.digestAt);
    nd.heard = new HeardWindows();
    nd.undo = null;
    nd.synced = true;
    nd.heardPayloads.clear();
    nd.firstFullWindow = this.windowOf(this.now) + 1;
    nd.epoch++;
    if (this.isValidator(i)) this.startValidator(i);
    else this.startMiner(i, this.windowOf(this.now));
    this.note(`n${i} restarts from disk at head ${nd.chain.head.window}`);
    // Start-up sync: ask a few reachable peers for their heads and offer them before
    // speaking (a validator that restarted into null rounds otherwise built on its stale
    // head and forked from the chain the others moved on: seeds 6, 13).
    const peers = this.nodes.filter((x) => x.uid !== i && x.alive && x.adversary === null && this.reachable(i, x.uid));
    if (this.o.disable?.startupSync) return;
    const asked: SimNode[] = [];
    for (let k = 0; k < 3 && peers.length > 0; k++) asked.push(peers.splice(this.rng.int(0, peers.length), 1)[0]!);
    for (const p of asked) {
      const d = p.chain.head.digest;
      const m = this.manifests.get(d);
      if (m) this.offer(i, d, this.rankOf(m));
    }
    const own = nd.chain.head;
    const to = startupJump(own, asked.map((p) => ({ ...p.chain.head, containsOwn: this.chainContains(p.chain.head.digest, own) })));
    if (to) {
      // The checkpoint jump: θ of the peers' head, verified by the manifest's nextThetaHash.
      const src = asked.find((p) => p.chain.head.digest === to.digest)!;
      nd.chain = new ManifestChain(to);
      nd.hash = src.hash;
      nd.hashAt = new Map([[to.window, src.hash]]);
      nd.digestAt = new Map([[to.window, to.digest]]);
      nd.undo = null;
      nd.disk = { head: { ...to }, hash: src.hash, hashAt: [...nd.hashAt], digestAt: [...nd.digestAt] };
      this.note(`n${i} jumps from its head ${own.window} (off the peers' chain) to their checkpoint at ${to.window}`);
    }
  }

  /** Is `own` on the chain that ends at `head` (walking back through known manifests)? */
  private chainContains(head: string, own: { digest: string; window: number }): boolean {
    if (own.window < 0) return true;
    let d = head;
    for (let k = 0; k < 4096; k++) {
      if (d === own.digest) return true;
      const m = this.manifests.get(d);
      if (!m || m.window < own.window) return false;
      d = m.prevDigest;
    }
    return false;
  }

  // ---- faults in force at time t ----
  private faultsAt(w: number): void {
    this.partitioned.clear();
    this.extraLatency.clear();
    for (const f of this.plan.faults) {
      if (f.kind === 'partition' && w >= f.from && w < f.to) for (const x of f.nodes) this.partitioned.set(x, 1);
      if (f.kind === 'slow' && w >= f.from && w < f.to) this.extraLatency.set(f.node, f.extraMs);
    }
  }

  private wasDown(node: number, t: number): boolean {
    for (const [a, b] of this.nodes[node]!.down) if (t >= a && t < b) return true;
    return false;
  }

  private reachable(a: number, b: number): boolean {
    return (this.partitioned.get(a) ?? 0) === (this.partitioned.get(b) ?? 0);
  }

  private send(from: number, to: number, msg: Msg, sendOffsetMs = 0): void {
    if (!this.reachable(from, to)) return;
    const w = this.windowOf(this.now);
    const faulty = w <= this.plan.lastFaultWindow;
    if (faulty && this.plan.loss > 0 && this.rng.chance(this.plan.loss)) return;
    const lat = 5 + this.rng.int(0, 60) + (this.extraLatency.get(from) ?? 0) + (this.extraLatency.get(to) ?? 0);
    this.q.push({ t: this.now + sendOffsetMs + lat, kind: 'deliver', to, msg, sentAt: this.now + sendOffsetMs });
    if (faulty && this.plan.duplicate > 0 && this.rng.chance(this.plan.duplicate)) this.q.push({ t: this.now + sendOffsetMs + lat + this.rng.int(1, 300), kind: 'deliver', to, msg, sentAt: this.now + sendOffsetMs });
  }

  private hold(digest: string, node: number): void {
    let s = this.holders.get(digest);
    if (!s) this.holders.set(digest, (s = new Set()));
    s.add(node);
  }

  /** A blob can be fetched when a live holder is reachable. */
  private fetchable(digest: string, by: number): boolean {
    const s = this.holders.get(digest);
    if (!s) return false;
    for (const h of s) if (h === by || (this.nodes[h]!.alive && this.reachable(h, by))) return true;
    return false;
  }

  // ---- the window clock ----
  private onWindow(w: number): void {
    this.faultsAt(w);
    this.checkAgreement(w);
    if (w >= this.o.windows) return;
    const start = w * WINDOW_MS;
    // The manifest of w−1 is spoken for during w: each validator's window machine
    // learns that w began (slots, scoring and the lead rotation are its business).
    if (w === 0) for (const nd of this.nodes) if (this.isValidator(nd.uid)) this.startValidator(nd.uid);
    for (const nd of this.nodes) if (nd.alive && nd.vstate && nd.vWaitWindow <= w) this.driveValidator(nd.uid, { kind: 'window', startMs: nd.vWaitWindow * WINDOW_MS });
    // Each miner's window machine learns that w began: it trains once the manifest of
    // w−1 is applied, or every speaker's slot passed without one.
    if (w === 0) for (const nd of this.nodes) if (!this.isValidator(nd.uid)) this.startMiner(nd.uid, -1);
    for (const nd of this.nodes) if (nd.alive && nd.mstate && nd.mWaitWindow <= w) this.driveMiner(nd.uid, { kind: 'window', window: w, startMs: start });
    for (const f of this.plan.faults) {
      // The lead dies `afterMs` after its slot opened: copies not yet sent are lost.
      if (f.kind === 'lead' && f.window === w - 1) {
        const lead = this.speakers[0]!.uid;
        this.q.push({ t: slotOpensAt(start, 0, TIMING) + f.afterMs, kind: 'crash', node: lead });
        this.q.push({ t: start + 3 * WINDOW_MS + 300, kind: 'restart', node: lead });
      }
    }
  }

  private isValidator(uid: number): boolean {
    return this.validators[uid]!.validatorPermit;
  }

  // ---- a miner's window: protocol/miner-window.ts, driven here ----
  private startMiner(i: number, currentWindow: number): void {
    const out = minerStart(currentWindow);
    this.nodes[i]!.mstate = out.state;
    this.runMinerCommands(i, out.commands);
  }

  private driveMiner(i: number, e: MinerEvent): void {
    const nd = this.nodes[i]!;
    const v: MinerView = { nowMs: this.now, currentWindow: this.windowOf(this.now), headWindow: nd.chain.head.window, speakers: this.speakers.length, warmupUntilWindow: undefined };
    const out = minerStep(nd.mstate!, e, v, TIMING);
    nd.mstate = out.state;
    this.runMinerCommands(i, out.commands);
  }

  private runMinerCommands(i: number, cmds: MinerCommand[]): void {
    const nd = this.nodes[i]!;
    let next: MinerEvent | null = null;
    for (const c of cmds) {
      switch (c.kind) {
        case 'wait_window': {
          nd.mWaitWindow = c.window;
          const now = this.windowOf(this.now);
          if (c.window <= now) next = { kind: 'window', window: now, startMs: now * WINDOW_MS };
          break;
        }
        case 'wait':
          nd.mWaitWindow = Infinity;
          this.q.push({ t: Math.max(this.now, c.untilMs), kind: 'mtimer', node: i, epoch: nd.epoch, w: nd.mstate!.window, manifest: false });
          break;
        case 'train': {
          const payload = this.train(i, c.window);
          const cur = this.windowOf(this.now);
          next = { kind: 'trained', payload, nextStartMs: cur > c.window ? (c.window + 1) * WINDOW_MS : undefined, timings: {} };
          break;
        }
        case 'publish':
          this.hold(nd.pendingPayload!, i);
          for (const v of this.speakers) this.send(i, v.uid, { kind: 'payload', digest: nd.pendingPayload!, window: c.window, from: i });
          break;
        case 'save_state':
          next = { kind: 'saved' }; // the sim's disk is written at every apply
          break;
        case 'late':
          this.note(`n${i} late for w${c.window} (${c.skipped} skipped)`);
          break;
        case 'log':
          break;
      }
    }
    if (next) this.driveMiner(i, next);
  }

  /** The stand-in for training: returns whether a payload is ready to publish (nd.pendingPayload). */
  private train(i: number, w: number): boolean {
    const nd = this.nodes[i]!;
    nd.pendingPayload = null;
    if (nd.adversary === 'forge') {
      this.forge(i, w);
      return false;
    }
    let digest: string;
    if (nd.adversary === 'stale' && nd.lastPayload) {
      digest = nd.lastPayload; // replays its earlier payload
    } else {
      const delta = new Float32Array(PARAMS);
      const r = new Rng(mix(this.o.seed, i, w));
      const scale = nd.adversary === 'noise' ? 1.0 : 1e-3;
      for (let k = 0; k < PARAMS; k++) delta[k] = (r.next() - 0.5) * scale;
      const c = compressWithFeedback(nd.errorBuffer, delta, LAYOUT, 0.9, OPTS);
      const decoded = c as DecodedPayload;
      const norms = payloadNorms(c);
      let norm = 0;
      for (const x of norms) norm += x * x;
      digest = createHash('sha256').update(`${i}/${w}/${nd.hash}`).update(new Uint8Array(c.quant.buffer, c.quant.byteOffset, c.quant.byteLength)).update(new Uint8Array(c.indices.buffer, c.indices.byteOffset, c.indices.byteLength)).update(c.codes).digest('hex');
      this.payloads.set(digest, { uid: i, window: w, base: nd.hash, decoded, norm: Math.sqrt(norm) });
      const first = nd.lastPayload === null;
      nd.lastPayload = digest;
      // The stale adversary trains once, keeps that payload and replays it from then on.
      if (nd.adversary === 'stale' && first) return false;
    }
    nd.pendingPayload = digest;
    return true;
  }

  /** A registered non-speaker signs a manifest of the closing window and gossips it. */
  private forge(i: number, w: number): void {
    if (w < 1) return;
    const nd = this.nodes[i]!;
    const m: Manifest = { window: w - 1, prevDigest: nd.chain.head.digest, nextThetaHash: nd.hash, entries: [], validatorUid: i, signer: i };
    const digest = this.digestOf(m);
    this.manifests.set(digest, m);
    this.hold(digest, i);
    for (const x of this.nodes) if (x.uid !== i) this.send(i, x.uid, { kind: 'manifest', digest, from: i });
  }

  // ---- a validator's window: protocol/validator-window.ts, driven here ----
  private startValidator(i: number): void {
    const nd = this.nodes[i]!;
    const out = validatorStart(this.windowOf(this.now));
    nd.vstate = out.state;
    this.runValidatorCommands(i, out.commands);
  }

  private validatorView(nd: SimNode): ValidatorView {
    const rank = this.speakers.findIndex((x) => x.uid === nd.uid);
    return {
      nowMs: this.now, currentWindow: this.windowOf(this.now), headWindow: nd.chain.head.window, newestHeardWindow: nd.heard.newest(nd.chain.head.window),
      synced: nd.synced, firstFullWindow: nd.firstFullWindow, rank, speakers: this.speakers.length,
    };
  }

  private driveValidator(i: number, e: ValidatorEvent): void {
    const nd = this.nodes[i]!;
    const out = validatorStep(nd.vstate!, e, this.validatorView(nd), VALIDATOR_CONFIG);
    nd.vstate = out.state;
    this.runValidatorCommands(i, out.commands);
  }

  /** Carries out a validator machine's commands; the one that yields an event feeds it back. */
  private runValidatorCommands(i: number, cmds: ValidatorCommand[]): void {
    const nd = this.nodes[i]!;
    let next: ValidatorEvent | null = null;
    for (const c of cmds) {
      switch (c.kind) {
        case 'wait_window':
          nd.vWaitWindow = c.window;
          // A window that already began (the machine skipped ahead) is fed at once.
          if (c.window <= this.windowOf(this.now)) next = { kind: 'window', startMs: c.window * WINDOW_MS };
          break;
        case 'wait':
          // No early wake on a manifest: the machine re-checks at the timer what it
          // would have seen then (the outcome is the same, the evaluation later).
          nd.vWaitWindow = Infinity;
          this.q.push({ t: Math.max(this.now, c.untilMs), kind: 'vtimer', node: i, epoch: nd.epoch });
          break;
        case 'score':
          this.measure(nd, c.window);
          next = { kind: 'scored', scored: true, ownChoice: false };
          break;
        case 'build_and_publish':
          next = { kind: 'built', ok: this.build(i, c.window, c.rank) };
          break;
        case 'apply_own':
          this.offer(i, nd.lastBuilt!, c.rank);
          next = { kind: 'applied' };
          break;
        case 'evaluate':
          next = { kind: 'evaluated' };
          break;
        case 'log':
          this.note(`n${i} ${c.event} ${JSON.stringify(c.fields)}`);
          break;
        case 'set_weights':
        case 'compare':
          break;
      }
    }
    if (next) this.driveValidator(i, next);
  }

  /**
   * Every validator measures the window's payloads when it scores (the gauntlet scores
   * them all): its reference norm is the median of a well-filled window.
   */
  private measure(nd: SimNode, w: number): void {
    if (nd.measured === w) return;
    nd.measured = w;
    const heardNorms = [...new Set(nd.heardPayloads.get(w) ?? [])].map((d) => this.payloads.get(d)!).filter((p) => p.window === w).map((p) => p.norm).sort((a, b) => a - b);
    nd.prevRef = nd.refNorm;
    if (heardNorms.length >= 5) nd.refNorm = heardNorms[(heardNorms.length - 1) >> 1]!;
  }

  /** Builds and sends the manifest of w (the machine decided that this node speaks). */
  private build(i: number, w: number, rank: number): boolean {
    const nd = this.nodes[i]!;
    if (nd.chain.head.window >= w) return false;
    this.measure(nd, w);
    const prevRef = nd.prevRef;
    // The gauntlet's stand-in: payloads built on this validator's θ, fetchable, and not
    // far above the median norm (noise); at most MAX_PAYLOADS, by uid.
    const heard = [...new Set(nd.heardPayloads.get(w) ?? [])];
    const fresh = heard.map((d) => ({ d, p: this.payloads.get(d)! })).filter(({ d, p }) => p.window === w && p.base === nd.hash && this.fetchable(d, i));
    const norms = fresh.map((x) => x.p.norm).sort((a, b) => a - b);
    // The reference: the median of this window's norms, or, when it has few payloads,
    // the norm this validator accepted last (the gauntlet's trusted-miner reference).
    const median = norms.length ? norms[(norms.length - 1) >> 1]! : 0;
    const ref = prevRef > 0 && (norms.length < 5 || median > 10 * prevRef) ? prevRef : median;
    const chosen = fresh.filter((x) => x.p.norm <= 10 * ref).sort((a, b) => a.p.uid - b.p.uid).slice(0, MAX_PAYLOADS);
    const entries = chosen.map((x) => ({ uid: x.p.uid, digest: x.d }));
    const next = this.applyPayloads(nd.hash, entries);
    const m: Manifest = { window: w, prevDigest: nd.chain.head.digest, nextThetaHash: next, entries, validatorUid: i, signer: i };
    const digest = this.digestOf(m);
    this.manifests.set(digest, m);
    this.hold(digest, i);
    for (const e of entries) this.hold(e.digest, i);
    this.note(`n${i} (rank ${rank}) speaks for w${w}: ${digest.slice(0, 8)} on head ${nd.chain.head.window}, ${entries.length} payloads`);
    // Copies go out one by one (2 ms each): a validator dying mid-send loses the rest.
    let k = 0;
    for (const x of this.nodes) if (x.uid !== i) this.send(i, x.uid, { kind: 'manifest', digest, from: i }, 2 * k++);
    nd.lastBuilt = digest;
    return true;
  }

  private digestOf(m: Manifest): string {
    return createHash('sha256').update(JSON.stringify(m)).digest('hex');
  }

  /** θ_next's hash from θ (by hash) and a manifest's entries: real aggregation, cached. */
  private applyPayloads(base: string, entries: { uid: number; digest: string }[]): string {
    const key = `${base}/${entries.map((e) => e.digest).join(',')}`;
    const hit = this.applied.get(key);
    if (hit) return hit;
    const theta = Float32Array.from(this.thetas.get(base)!);
    if (entries.length > 0) aggregateAndStep(theta, LAYOUT, entries.map((e) => ({ uid: e.uid, payload: this.payloads.get(e.digest)!.decoded })), OUTER_LR);
    const h = thetaHash(theta);
    if (!this.thetas.has(h)) this.thetas.set(h, theta);
    this.applied.set(key, h);
    return h;
  }

  // ---- a replica ----
  private onMessage(i: number, msg: Msg): void {
    const nd = this.nodes[i]!;
    if (msg.kind === 'payload') {
      this.hold(msg.digest, i); // validators keep what they heard (they serve it later)
      let l = nd.heardPayloads.get(msg.window);
      if (!l) nd.heardPayloads.set(msg.window, (l = []));
      l.push(msg.digest);
      for (const w of nd.heardPayloads.keys()) if (w < msg.window - 3) nd.heardPayloads.delete(w);
      return;
    }
    const m = this.manifests.get(msg.digest)!;
    const signer = this.validators[m.signer]!;
    const verdict = judgeManifest({
      window: m.window, validatorUid: m.validatorUid, signer: { uid: signer.uid, peerId: signer.peerId }, speakers: this.speakers,
      currentWindow: this.windowOf(this.now), closingStartMs: (m.window + 1) * WINDOW_MS, nowMs: this.now, timing: TIMING, rules: RULES,
    });
    if (verdict.kind !== 'accept') return;
    this.offer(i, msg.digest, verdict.rank);
  }

  /** replica.ts's offer: the gap walk, the precedence rule, then apply oldest first. */
  private offer(i: number, digest: string, rank: number | undefined): void {
    const nd = this.nodes[i]!;
    const m = this.manifests.get(digest)!;
    nd.heard.begin(m.window);
    let failed = false;
    try {
      failed = !this.offerSteps(nd, digest, rank);
    } finally {
      nd.heard.end(m.window, failed);
    }
  }

  /** Returns false when a fetch failed (the node is behind). */
  private offerSteps(nd: SimNode, digest: string, rank: number | undefined): boolean {
    const m = this.manifests.get(digest)!;
    const stack: string[] = [digest];
    for (let guard = 0; guard < 4096; guard++) {
      const top = this.manifests.get(stack[stack.length - 1]!)!;
      const step = walkStep(nd.chain.place({ window: top.window, digest: stack[stack.length - 1]!, prevDigest: top.prevDigest }), { depth: stack.length, jumped: false, canJump: false });
      if (step.kind === 'ignore' && this.maybeTakeBack(nd, stack[stack.length - 1]!, stack.length === 1 ? rank : this.rankOf(top))) continue;
      if (step.kind === 'ignore' && step.reason === 'fork' && stack.length < 64 && !this.o.disable?.forkChoice) {
        const f = this.maybeSwitchFork(nd, top, this.manifests.get(stack[0]!)!.window);
        if (f === 'switch') continue;
        if (f === 'deeper' && this.fetchable(top.prevDigest, nd.uid)) {
          stack.push(top.prevDigest);
          continue;
        }
      }
      if (step.kind === 'ignore' && step.reason === 'forks_after_applied' && !this.o.disable?.forkChoice && this.maybeSwitchAfter(nd, stack)) continue;
      if (step.kind === 'ignore') this.note(`n${nd.uid} ignores ${stack[0]!.slice(0, 8)} (w${this.manifests.get(stack[0]!)!.window}): ${step.reason} at w${top.window}`);
      if (step.kind === 'duplicate' || step.kind === 'ignore') return true;
      if (step.kind === 'apply') break;
      if (step.kind === 'jump') continue;
      if (!this.fetchable(step.digest, nd.uid)) {
        this.note(`n${nd.uid} cannot fetch manifest ${step.digest.slice(0, 8)} (behind)`);
        return false;
      }
      stack.push(step.digest);
    }
    while (stack.length) {
      const d = stack.pop()!;
      const mm = this.manifests.get(d)!;
      for (const e of mm.entries) {
        if (!this.fetchable(e.digest, nd.uid)) {
          this.note(`n${nd.uid} cannot fetch payload of uid ${e.uid} for w${mm.window}`);
          return false;
        }
      }
      this.apply(nd, d, mm, stack.length === 0 ? rank : undefined);
    }
    return true;
  }

  /** preferOnFork: back to the common predecessor's θ when the other chain's manifest wins. */
  private maybeSwitchFork(nd: SimNode, theirs: Manifest, theirTip: number): 'switch' | 'deeper' | 'ignore' {
    const mine = nd.digestAt.get(theirs.window);
    const ours = mine ? this.manifests.get(mine) : undefined;
    if (!ours) return 'ignore';
    const f = forkStep({ prevDigest: ours.prevDigest, rank: this.rankOf(ours), tip: nd.chain.head.window }, { prevDigest: theirs.prevDigest, rank: this.rankOf(theirs), tip: theirTip });
    if (f !== 'switch') return f;
    const parent = this.manifests.get(ours.prevDigest);
    const pw = parent ? parent.window : -1;
    const hash = pw < 0 ? this.genesisHash : nd.hashAt.get(pw);
    if (hash === undefined) return 'ignore'; // no θ of the predecessor kept: needs a checkpoint
    nd.chain = new ManifestChain({ digest: ours.prevDigest, window: pw });
    nd.hash = hash;
    for (const w of [...nd.hashAt.keys()]) if (w > pw) nd.hashAt.delete(w);
    for (const w of [...nd.digestAt.keys()]) if (w > pw) nd.digestAt.delete(w);
    nd.undo = null;
    this.supersessions++;
    this.note(`n${nd.uid} switches at w${theirs.window} from rank ${this.rankOf(ours)}'s chain to rank ${this.rankOf(theirs)}'s`);
    return 'switch';
  }

  /**
   * The walk met a predecessor P that we applied but that is not our head: the chains
   * meet at P. Ours continues with the manifest we applied after P, theirs with the one
   * above P on the stack; both build on P, so the fork choice decides.
   */
  private maybeSwitchAfter(nd: SimNode, stack: string[]): boolean {
    const pDigest = stack[stack.length - 1]!;
    const p = this.manifests.get(pDigest)!;
    const theirs = this.manifests.get(stack[stack.length - 2]!)!;
    let ours: Manifest | undefined;
    for (let w = p.window + 1; w <= nd.chain.head.window && !ours; w++) {
      const d = nd.digestAt.get(w);
      if (d) ours = this.manifests.get(d);
    }
    if (!ours || ours.prevDigest !== pDigest) return false;
    const tip = this.manifests.get(stack[0]!)!.window;
    if (forkStep({ prevDigest: ours.prevDigest, rank: this.rankOf(ours), tip: nd.chain.head.window }, { prevDigest: theirs.prevDigest, rank: this.rankOf(theirs), tip }) !== 'switch') return false;
    const hash = nd.hashAt.get(p.window);
    if (hash === undefined) return false;
    nd.chain = new ManifestChain({ digest: pDigest, window: p.window });
    nd.hash = hash;
    for (const w of [...nd.hashAt.keys()]) if (w > p.window) nd.hashAt.delete(w);
    for (const w of [...nd.digestAt.keys()]) if (w > p.window) nd.digestAt.delete(w);
    nd.undo = null;
    stack.pop();
    this.supersessions++;
    this.note(`n${nd.uid} switches after w${p.window} from rank ${this.rankOf(ours)}'s chain (head ${ours.window}…) to rank ${this.rankOf(theirs)}'s reaching w${tip}`);
    return true;
  }

  private rankOf(m: Manifest): number | undefined {
    const r = this.speakers.findIndex((x) => x.uid === m.validatorUid);
    return r < 0 ? undefined : r;
  }

  /** The precedence rule (replica-core.ts supersedes): back to θ_w for a lower rank's manifest of w. */
  private maybeTakeBack(nd: SimNode, digest: string, rank: number | undefined): boolean {
    const m = this.manifests.get(digest)!;
    const u = nd.undo;
    if (!u || !supersedes({ window: u.window, rank: u.rank, digest: u.digest, prev: u.head }, nd.chain.head.digest, { window: m.window, digest, prevDigest: m.prevDigest, rank })) return false;
    nd.chain.rewind(u.head);
    nd.hash = u.hash;
    nd.hashAt.delete(u.window);
    nd.undo = null;
    this.supersessions++;
    this.note(`n${nd.uid} takes back rank ${u.rank}'s w${u.window} for rank ${rank}'s`);
    return true;
  }

  private apply(nd: SimNode, digest: string, m: Manifest, rank: number | undefined): void {
    nd.undo = rank !== undefined && rank > 0 ? { window: m.window, rank, digest, head: { ...nd.chain.head }, hash: nd.hash } : null;
    const hash = this.applyPayloads(nd.hash, m.entries);
    nd.hash = hash;
    nd.synced = hash === m.nextThetaHash;
    nd.chain.advance({ window: m.window, digest, prevDigest: m.prevDigest });
    nd.hashAt.set(m.window, hash);
    nd.digestAt.set(m.window, digest);
    for (const w of nd.hashAt.keys()) if (w < m.window - 32) nd.hashAt.delete(w);
    for (const w of nd.digestAt.keys()) if (w < m.window - 32) nd.digestAt.delete(w);
    this.hold(digest, nd.uid);
    for (const e of m.entries) this.hold(e.digest, nd.uid);
    nd.disk = { head: { ...nd.chain.head }, hash, hashAt: [...nd.hashAt], digestAt: [...nd.digestAt] };
    this.manifestsApplied++;
    this.spoken.add(m.window);
    // A miner waiting for this manifest wakes (after the walk that applied it ends).
    if (nd.mstate?.phase === 'await_manifest') this.q.push({ t: this.now, kind: 'mtimer', node: nd.uid, epoch: nd.epoch, w: nd.mstate.window, manifest: true });
    if (nd.adversary !== null) return;
    // Invariants at every apply, for honest nodes.
    if (!nd.synced) this.violate({ invariant: 'hash_mismatch', window: m.window, detail: `n${nd.uid} applied ${digest.slice(0, 8)}: θ hashes to ${hash.slice(0, 8)}, manifest says ${m.nextThetaHash.slice(0, 8)}` });
    if (!this.isValidator(m.signer)) this.violate({ invariant: 'forged_applied', window: m.window, detail: `n${nd.uid} applied a manifest signed by non-speaker n${m.signer}` });
    const bad = m.entries.find((e) => this.nodes[e.uid]!.adversary === 'noise' || this.nodes[e.uid]!.adversary === 'stale');
    if (bad) this.violate({ invariant: 'adversary_aggregated', window: m.window, detail: `manifest ${digest.slice(0, 8)} of w${m.window} aggregates adversary uid ${bad.uid} (${this.nodes[bad.uid]!.adversary})` });
    const prior = this.resultOf.get(digest);
    if (prior === undefined) this.resultOf.set(digest, hash);
    else if (prior !== hash) this.violate({ invariant: 'divergence', window: m.window, detail: `n${nd.uid} got θ ${hash.slice(0, 8)} from ${digest.slice(0, 8)}, another node ${prior.slice(0, 8)}` });
  }

  // ---- agreement ----
  private honestAlive(): SimNode[] {
    return this.nodes.filter((x) => x.adversary === null && x.alive);
  }

  private static hashAtOrBefore(nd: SimNode, w: number, genesis: string): string {
    for (let k = w; k >= Math.max(-1, w - 32); k--) {
      const h = nd.hashAt.get(k);
      if (h) return h;
    }
    return nd.chain.head.window < 0 ? genesis : `unknown<=${w}`;
  }

  /**
   * Once faults have been quiet for 3 windows, every live honest node must hold the
   * same θ for window w−2 (the manifest of w−1 may still be in flight at start(w)).
   */
  private checkAgreement(w: number): void {
    if (w < 3 || w - 3 <= this.plan.lastFaultWindow + 1) return;
    const genesis = this.thetas.keys().next().value as string;
    const nodes = this.honestAlive();
    const ref = World.hashAtOrBefore(nodes[0]!, w - 2, genesis);
    for (const nd of nodes) {
      const h = World.hashAtOrBefore(nd, w - 2, genesis);
      if (h !== ref) {
        const kind = nd.chain.head.window < w - 2 || nodes[0]!.chain.head.window < w - 2 ? 'no_recovery' : 'divergence';
        this.violate({ invariant: kind, window: w - 2, detail: `n${nodes[0]!.uid} (head ${nodes[0]!.chain.head.window}) holds ${ref.slice(0, 8)}, n${nd.uid} (head ${nd.chain.head.window}) ${h.slice(0, 8)} at window ${w - 2}` });
        return;
      }
    }
  }

  private checkFinal(): void {
    // Training must have gone on: the network applied manifests after the faults.
    const nodes = this.honestAlive();
    const last = Math.max(...nodes.map((x) => x.chain.head.window));
    if (this.o.windows > QUIET_WINDOWS + 4 && last < this.o.windows - 3) {
      this.violate({ invariant: 'no_recovery', window: this.o.windows, detail: `no honest node applied a manifest after window ${last}` });
    }
  }
}

export function simulate(o: SimOptions): SimResult {
  return new World(o).run();
}
