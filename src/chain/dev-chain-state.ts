// The dev chain's state machine: blocks on a timer (or by hand), uids in registration
// order, stake from config, weights, hash commit-reveal and commitments stored. It is
// synchronous and trusts its caller; authentication happens in front of it (signatures
// in the RPC server, key possession in-process).
import { EventEmitter } from 'node:events';
import { ChainError } from './errors.js';
import { MAX_COMMITMENT_BYTES, type Neuron } from './types.js';
import { weightsCommitHash, U16_MAX } from './weights.js';

export interface DevChainOptions {
  netuid?: number; // default 1
  /** ms between blocks; 0 = blocks only when advance() is called */
  blockTimeMs: number;
  maxValidators?: number; // top-k by stake get a validator permit (default 64)
  commitReveal?: boolean; // default false
  revealPeriodBlocks?: number; // a commit may be revealed this many blocks later (default 2)
  revealWindowBlocks?: number; // ...and until this many blocks after that (default 10)
  weightsVersionKey?: bigint; // default 0
  /** hotkeys registered at start: uids in this order */
  neurons?: Array<{ hotkey: string; coldkey?: string; stake?: number }>;
}

export interface CommitEntry {
  hash: string;
  commitBlock: number;
  firstReveal: number;
  lastReveal: number;
}

interface NeuronState {
  uid: number;
  hotkey: string;
  coldkey: string;
  stake: number;
  lastUpdate: number;
  weights: Map<number, number>; // uid → u16
}

export class DevChainState extends EventEmitter {
  readonly netuid: number;
  block = 0;
  commitReveal: boolean;
  weightsVersionKey: bigint;
  readonly revealPeriodBlocks: number;
  readonly revealWindowBlocks: number;
  readonly maxValidators: number;
  private readonly neurons: NeuronState[] = [];
  private readonly byHotkey = new Map<string, NeuronState>();
  private readonly commitments = new Map<string, string>();
  private readonly commits = new Map<string, CommitEntry[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: DevChainOptions) {
    super();
    this.netuid = opts.netuid ?? 1;
    this.commitReveal = opts.commitReveal ?? false;
    this.weightsVersionKey = opts.weightsVersionKey ?? 0n;
    this.revealPeriodBlocks = opts.revealPeriodBlocks ?? 2;
    this.revealWindowBlocks = opts.revealWindowBlocks ?? 10;
    this.maxValidators = opts.maxValidators ?? 64;
    for (const n of opts.neurons ?? []) this.register(n.hotkey, n.coldkey, n.stake);
    if (opts.blockTimeMs > 0) {
      // a running chain keeps its process alive until close()
      this.timer = setInterval(() => this.advance(1), opts.blockTimeMs);
    }
  }

  advance(n = 1): number {
    for (let i = 0; i < n; i++) {
      this.block++;
      this.emit('block', this.block);
    }
    return this.block;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** registers a hotkey (idempotent); returns its uid */
  register(hotkey: string, coldkey = hotkey, stake = 0): number {
    const known = this.byHotkey.get(hotkey);
    if (known) return known.uid;
    const n: NeuronState = { uid: this.neurons.length, hotkey, coldkey, stake, lastUpdate: 0, weights: new Map() };
    this.neurons.push(n);
    this.byHotkey.set(hotkey, n);
    return n.uid;
  }

  setStake(hotkey: string, stake: number): void {
    this.need(hotkey).stake = stake;
  }

  uidOf(hotkey: string): number | null {
    return this.byHotkey.get(hotkey)?.uid ?? null;
  }

  private need(hotkey: string): NeuronState {
    const n = this.byHotkey.get(hotkey);
    if (!n) {
      throw new ChainError('not_registered', `hotkey ${hotkey} is not registered on dev subnet ${this.netuid}; register it with the dev chain's register call (gradmesh testnet does this for its nodes)`);
    }
    return n;
  }

  private permits(): Set<number> {
    const ranked = [...this.neurons].sort((a, b) => b.stake - a.stake || a.uid - b.uid);
    return new Set(ranked.slice(0, this.maxValidators).map((n) => n.uid));
  }

  /**
   * A small Yuma: each permitted validator's row is normalised and weighed by its share
   * of the stake of the validators that set weights. rank = Σ S_v·W_vu; consensus = the
   * stake-weighted median of W_vu (the largest c that validators holding half the stake
   * give at least); trust = what of the rank survives clipping each W_vu to consensus;
   * incentive = rank normalised over uids (unclipped, as before); dividends = the
   * validator's stake share; emission: 1 alpha per block, half to miners by incentive
   * and half to validators by dividends.
   */
  metagraph(): Neuron[] {
    const permits = this.permits();
    const n = this.neurons.length;
    const voters = this.neurons.filter((v) => permits.has(v.uid) && v.weights.size > 0);
    const totalValStake = voters.reduce((a, v) => a + v.stake, 0);
    const rows = voters.map((v) => {
      const sum = [...v.weights.values()].reduce((a, b) => a + b, 0);
      const w = new Array<number>(n).fill(0);
      for (const [uid, x] of v.weights) if (uid < n && sum > 0) w[uid] = x / sum;
      return { s: totalValStake > 0 ? v.stake / totalValStake : 0, w };
    });
    const rank = new Array<number>(n).fill(0);
    const consensus = new Array<number>(n).fill(0);
    const clipped = new Array<number>(n).fill(0);
    for (let u = 0; u < n; u++) {
      for (const r of rows) rank[u]! += r.s * r.w[u]!;
      const byWeight = [...rows].sort((a, b) => b.w[u]! - a.w[u]!);
      let acc = 0;
      for (const r of byWeight) {
        acc += r.s;
        if (acc >= 0.5 - 1e-12) {
          consensus[u] = r.w[u]!;
          break;
        }
      }
      for (const r of rows) clipped[u]! += r.s * Math.min(r.w[u]!, consensus[u]!);
    }
    const totalRank = rank.reduce((a, b) => a + b, 0);
    return this.neurons.map((x) => {
      const incentive = totalRank > 0 ? rank[x.uid]! / totalRank : 0;
      const dividends = totalValStake > 0 && x.weights.size > 0 && permits.has(x.uid) ? x.stake / totalValStake : 0;
      return {
        uid: x.uid,
        hotkey: x.hotkey,
        coldkey: x.coldkey,
        stake: x.stake,
        validatorPermit: permits.has(x.uid),
        incentive,
        dividends,
        lastUpdate: x.lastUpdate,
        rank: rank[x.uid]!,
        trust: rank[x.uid]! > 0 ? clipped[x.uid]! / rank[x.uid]! : 0,
        consensus: consensus[x.uid]!,
        emission: 0.5 * incentive + 0.5 * dividends,
      };
    });
  }

  setCommitment(hotkey: string, data: string): number {
    this.need(hotkey);
    if (Buffer.byteLength(data, 'utf8') > MAX_COMMITMENT_BYTES) {
      throw new ChainError('commitment_too_long', `commitment is ${Buffer.byteLength(data)} bytes; at most ${MAX_COMMITMENT_BYTES}`);
    }
    this.commitments.set(hotkey, data);
    return this.block;
  }

  readCommitments(): Map<string, string> {
    return new Map(this.commitments);
  }

  private checkWeights(n: NeuronState, uids: number[], values: number[], versionKey: bigint): void {
    if (versionKey < this.weightsVersionKey) {
      throw new ChainError('extrinsic_failed', `setWeights failed: IncorrectWeightVersionKey (chain wants ≥ ${this.weightsVersionKey}); upgrade gradmesh`);
    }
    if (uids.length !== values.length || uids.some((u) => !Number.isInteger(u) || u < 0 || u >= this.neurons.length) || values.some((v) => !Number.isInteger(v) || v < 0 || v > U16_MAX)) {
      throw new ChainError('bad_weights', 'setWeights failed: uids must be registered uids and values u16, one value per uid');
    }
    const selfOnly = uids.length === 1 && uids[0] === n.uid;
    if (!selfOnly && !this.permits().has(n.uid)) {
      throw new ChainError('extrinsic_failed', 'setWeights failed: NeuronNoValidatorPermit; add stake so the hotkey is among the top validators');
    }
  }

  private applyWeights(n: NeuronState, uids: number[], values: number[]): number {
    n.weights = new Map(uids.map((u, i) => [u, values[i]!] as [number, number]).filter(([, v]) => v > 0));
    n.lastUpdate = this.block;
    return this.block;
  }

  setWeights(hotkey: string, uids: number[], values: number[], versionKey: bigint): number {
    const n = this.need(hotkey);
    if (this.commitReveal) throw new ChainError('extrinsic_failed', 'setWeights failed: CommitRevealEnabled; commit a hash, then reveal');
    this.checkWeights(n, uids, values, versionKey);
    return this.applyWeights(n, uids, values);
  }

  commitWeights(hotkey: string, hash: string): number {
    this.need(hotkey);
    if (!this.commitReveal) throw new ChainError('extrinsic_failed', 'commitWeights failed: CommitRevealDisabled; set weights directly');
    const list = this.commits.get(hotkey) ?? [];
    const firstReveal = this.block + this.revealPeriodBlocks;
    list.push({ hash, commitBlock: this.block, firstReveal, lastReveal: firstReveal + this.revealWindowBlocks });
    this.commits.set(hotkey, list);
    return this.block;
  }

  weightCommits(hotkey: string): CommitEntry[] {
    return [...(this.commits.get(hotkey) ?? [])].filter((c) => c.lastReveal >= this.block);
  }

  revealWeights(hotkey: string, uids: number[], values: number[], salt: number[], versionKey: bigint): number {
    const n = this.need(hotkey);
    const hash = weightsCommitHash(hotkey, this.netuid, uids, values, salt, versionKey);
    const list = this.commits.get(hotkey) ?? [];
    const i = list.findIndex((c) => c.hash === hash);
    if (i < 0) throw new ChainError('extrinsic_failed', 'revealWeights failed: InvalidRevealCommitHashNotMatch; the revealed data does not match any commit');
    const c = list[i]!;
    if (this.block < c.firstReveal) throw new ChainError('extrinsic_failed', 'revealWeights failed: RevealTooEarly; wait for the reveal window');
    if (this.block > c.lastReveal) throw new ChainError('extrinsic_failed', 'revealWeights failed: ExpiredWeightCommit');
    this.checkWeights(n, uids, values, versionKey);
    list.splice(i, 1);
    return this.applyWeights(n, uids, values);
  }

  getWeights(uid: number): Map<number, number> {
    return new Map(this.neurons[uid]?.weights ?? []);
  }

  allWeights(): Array<[number, Array<[number, number]>]> {
    return this.neurons.filter((x) => x.weights.size > 0).map((x) => [x.uid, [...x.weights]]);
  }
}
