// The Gauntlet: the validator's scoring, shaped for the hooks of src/node/validator.ts.
//   choose(w, verdicts)       while θ_w is the head: snapshot θ_w, decode the accepted
//                             payloads, drop stale ones and copies, pick the manifest;
//   afterWindow(w, verdicts)  penalties, evaluation of a fair sample of miners on the
//                             θ_w snapshot, ratings, and a save to disk;
//   weights() / maybeSetWeights(window, chain, signer)  rank-based weights on chain.
// Evaluation runs after the manifest is out, so scoring never delays the run; its
// results steer the manifests of later windows.
import { createHash, randomBytes } from 'node:crypto';
import type { Engine } from '../train/engine.js';
import {
  decodePayload, medianNorms, medianOfNorms, payloadNorms, PayloadError, type DecodedPayload,
} from '../train/compress/index.js';
import { Xoshiro256StarStar, type Dataset } from '../train/data/index.js';
import { copyAsync, sharedFloat32, thetaHashAsync } from '../train/compress/offload.js';
import { seededOrder } from './selection.js';
import type { CheckedPayload, WindowVerdicts } from './verdicts.js';
import { gauntletConfig, GauntletError, type GauntletConfig } from './config.js';
import {
  applyPenalty, finalScore, movingAverage, newMinerRecord, rateWindow, ratingOrdinal, type MinerRecord, type PenaltyKind,
} from './scores.js';
import { detectCopies, type CopyFinding } from './overlap.js';
import { payloadFingerprint, ReplayMemory } from './replay.js';
import { chooseForEvaluation } from './fairness.js';
import { selectManifestUids } from './manifest-select.js';
import { rankWeights, type UidWeight } from './weights.js';
import { evaluatePayload, evalBatch, meanLoss, ownSampleIndices, randomSampleIndices, type Evaluation } from './evaluate.js';
import { loadGauntletState, saveGauntletStateAsync, recordsOf, GAUNTLET_STATE_FORMAT, GAUNTLET_STATE_VERSION } from './store.js';

export interface HeardTimes {
  uid: number;
  firstSeenMs: number;
}

export interface GauntletLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** The part of the Chain API (src/chain) that weights need. */
export interface WeightSetter<S> {
  setWeights(signer: S, uids: number[], weights: number[]): Promise<unknown>;
  /** Commit-reveal chains: reveals commits whose window is open. */
  revealPendingWeights?(signer: S): Promise<unknown>;
}

export interface GauntletDeps {
  engine: Engine;
  runHash: Uint8Array;
  spec: {
    batch: number; innerSteps: number; seqLen: number; outer: { lr: number; maxPayloads: number };
    /** The run's compression; a payload made with other options is invalid (it cannot be aggregated with the rest). */
    compression?: { chunk: number; k: number; demo: boolean };
  };
  trainSet: Dataset;
  /** θ_w while choose() runs (the replica's head); it is copied, never written. */
  theta: () => Float32Array;
  /** thetaHash of theta(); computed when absent. */
  thetaHash?: () => string;
  /** Announcements heard for a window with their first-seen times (AnnouncementBook.forWindow). */
  heard?: (window: number) => HeardTimes[];
  /** Runs engine work while no one else uses the engine (replica.lock.run); default: at once. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where scores, ratings and the secret nonce persist; none: memory only. */
  statePath?: string;
  config?: Partial<GauntletConfig>;
  log?: GauntletLog;
  /** The validator's secret (≥ 16 bytes); default: the saved one, or fresh random bytes. */
  nonce?: Uint8Array;
}

interface WindowPlan {
  window: number;
  thetaHash: string;
  valid: Array<{ uid: number; payload: DecodedPayload }>;
  penalties: Array<{ uid: number; kind: PenaltyKind; why: string }>;
  copies: CopyFinding[];
  chosen: number[];
  /** Payloads measured before the manifest was chosen (this window's evaluations of them). */
  probed: Evaluation[];
}

export interface WindowReport {
  window: number;
  evaluated: Evaluation[];
  penalties: Array<{ uid: number; kind: PenaltyKind; why: string }>;
  copies: CopyFinding[];
  manifest: number[];
  evalMs: number;
}

/** uid → its largest tensor-norm / median ratio, for payloads above maxRatio. */
export function normOutliers(set: Array<{ uid: number; payload: DecodedPayload }>, maxRatio: number): Map<number, number> {
  const out = new Map<number, number>();
  if (set.length < 2) return out;
  const norms = set.map((s) => payloadNorms(s.payload));
  const median = medianOfNorms(norms, set[0]!.payload.layout.length);
  set.forEach((s, i) => {
    let worst = 0;
    for (let t = 0; t < median.length; t++) {
      const m = median[t]!;
      // A tensor whose median is 0 is clipped to 0 for everyone: nothing to compare.
      const r = m > 0 ? norms[i]![t]! / m : 0;
      if (r > worst) worst = r;
    }
    if (worst > maxRatio) out.set(s.uid, worst);
  });
  return out;
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export class Gauntlet {
  readonly config: GauntletConfig;
  private readonly records = new Map<number, MinerRecord>();
  private readonly replays: ReplayMemory;
  private readonly nonce: Uint8Array;
  private readonly runHashHex: string;
  private readonly snapshot: Float32Array;
  private plan: WindowPlan | null = null;
  private lastWindow = -1;
  private lastWeightsWindow = -1;
  /** The last state write (saves are chained: see save()). */
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly deps: GauntletDeps) {
    const c = gauntletConfig(deps.config);
    // The engine evaluates at most one batch of sequences per call.
    this.config = { ...c, ownSamples: Math.min(c.ownSamples, deps.spec.batch), randomSamples: Math.min(c.randomSamples, deps.spec.batch) };
    this.runHashHex = toHex(deps.runHash);
    this.snapshot = sharedFloat32(deps.engine.numParams);
    this.replays = new ReplayMemory(this.config.replayMemory);
    const saved = deps.statePath ? loadGauntletState(deps.statePath, this.runHashHex) : undefined;
    if (saved) {
      for (const [uid, r] of recordsOf(saved)) this.records.set(uid, r);
      this.lastWindow = saved.lastWindow;
      this.lastWeightsWindow = saved.lastWeightsWindow;
    }
    const nonce = deps.nonce ?? (saved ? Buffer.from(saved.nonce, 'hex') : randomBytes(32));
    if (nonce.length < 16) throw new GauntletError('bad_config', 'the nonce must be at least 16 bytes');
    this.nonce = new Uint8Array(nonce);
  }

  /** A copy of every miner's record. */
  miners(): MinerRecord[] {
    return [...this.records.values()].sort((a, b) => a.uid - b.uid).map((r) => structuredClone(r));
  }

  record(uid: number): MinerRecord | undefined {
    const r = this.records.get(uid);
    return r && structuredClone(r);
  }

  finalScores(): Array<{ uid: number; score: number }> {
    return this.miners().map((r) => ({ uid: r.uid, score: finalScore(r) }));
  }

  weights(): UidWeight[] {
    return rankWeights(this.finalScores(), this.config);
  }

  private rec(uid: number, window: number): MinerRecord {
    let r = this.records.get(uid);
    if (!r) {
      r = newMinerRecord(uid, window);
      this.records.set(uid, r);
    }
    r.lastWindow = Math.max(r.lastWindow, window);
    return r;
  }

  /**
   * The validator hook: called while θ_w is the replica's head. Returns the payloads the
   * manifest of `window` lists (sorted by uid).
   */
  async choose(window: number, verdicts: WindowVerdicts): Promise<CheckedPayload[]> {
    const theta = this.deps.theta();
    await copyAsync(this.snapshot, theta);
    const head = this.deps.thetaHash?.() ?? (await thetaHashAsync(this.snapshot));
    const penalties: WindowPlan['penalties'] = [];
    const decoded: Array<{ uid: number; payload: DecodedPayload }> = [];
    for (const a of verdicts.accepted) {
      let p: DecodedPayload;
      try {
        // The node's checks already decoded it against every expectation; decode here
        // only for callers that pass raw bytes.
        const c = this.deps.spec.compression;
        p = a.payload ?? decodePayload(a.bytes, this.deps.engine.layout, {
          runHash: this.deps.runHash, window, uid: a.uid, ...(c ? { options: { chunk: c.chunk, k: c.k, demo: c.demo } } : {}),
        });
      } catch (e) {
        if (!(e instanceof PayloadError)) throw e;
        penalties.push({ uid: a.uid, kind: 'invalid', why: e.code });
        continue;
      }
      // The announcement said θ_w, but the payload's own header says what it was built on.
      if (toHex(p.header.baseThetaHash) !== head) {
        penalties.push({ uid: a.uid, kind: 'stale', why: 'payload header names another base θ' });
        continue;
      }
      const fingerprint = payloadFingerprint(p);
      const replayed = this.replays.earlierWindow(a.uid, window, fingerprint);
      this.replays.remember(a.uid, window, fingerprint);
      if (replayed !== null) {
        penalties.push({ uid: a.uid, kind: 'stale', why: `replays its payload of window ${replayed}` });
        continue;
      }
      decoded.push({ uid: a.uid, payload: p });
    }
    const seen = new Map((this.deps.heard?.(window) ?? []).map((h) => [h.uid, h.firstSeenMs]));
    const copies = detectCopies(
      decoded.map((d) => ({ uid: d.uid, payload: d.payload, firstSeenMs: seen.get(d.uid) ?? Number.MAX_SAFE_INTEGER })),
      this.config.copyOverlap,
    );
    const copied = new Set(copies.map((c) => c.copier));
    for (const c of copies) penalties.push({ uid: c.copier, kind: 'copy', why: `overlap ${c.overlap.toFixed(3)} with uid ${c.original}` });
    const notCopied = decoded.filter((d) => !copied.has(d.uid));
    const outliers = normOutliers(notCopied, this.config.maxNormRatio);
    for (const [uid, ratio] of outliers) penalties.push({ uid, kind: 'invalid', why: `norm ${ratio.toFixed(1)}× the window median` });
    const valid = notCopied.filter((d) => !outliers.has(d.uid));
    const { chosen: chosenUids, probed } = await this.chooseMeasured(window, head, valid);
    this.plan = { window, thetaHash: head, valid, penalties, copies, chosen: chosenUids, probed };
    const pick = new Set(chosenUids);
    return verdicts.accepted.filter((a) => pick.has(a.uid));
  }

  /**
   * The manifest's uids, with every pick that has not earned trust measured first: a
   * payload measured this window as not lowering the loss on random data is not
   * aggregated, and its slot goes to the next candidate. Trusted = a positive final
   * score (rating × indicator) and a positive last gradient score; anyone else — new
   * miners, and miners whose record says nothing good — is measured, up to maxProbes.
   * Runs with the engine to itself (the validator calls choose under the replica lock).
   */
  private async chooseMeasured(window: number, head: string, valid: WindowPlan['valid']): Promise<{ chosen: number[]; probed: Evaluation[] }> {
    const policy = { maxPayloads: this.deps.spec.outer.maxPayloads, explorationSlots: this.config.explorationSlots, newMinerEvals: this.config.newMinerEvals };
    const order = (uids: number[]): number[] => seededOrder(this.deps.runHash, window, uids);
    const trusted = (uid: number): boolean => {
      const r = this.records.get(uid);
      return r !== undefined && finalScore(r) > 0 && (r.lastScore ?? 0) > 0;
    };
    const probed = new Map<number, Evaluation>();
    const failed = new Set<number>();
    let measure: ((v: WindowPlan['valid'][number]) => Promise<Evaluation>) | null = null;
    for (;;) {
      const chosen = selectManifestUids(valid.map((v) => v.uid).filter((u) => !failed.has(u)), this.records, policy, order);
      const unmeasured = chosen.filter((u) => !trusted(u) && !probed.has(u));
      if (unmeasured.length === 0) return { chosen, probed: [...probed.values()] };
      if (probed.size >= this.config.maxProbes) {
        return { chosen: chosen.filter((u) => trusted(u) || probed.has(u)), probed: [...probed.values()] };
      }
      measure ??= await this.measurer(window, head, valid);
      for (const uid of unmeasured.slice(0, this.config.maxProbes - probed.size)) {
        const e = await measure(valid.find((v) => v.uid === uid)!);
        probed.set(uid, e);
        if (!e.finite || e.score <= 0) failed.add(uid);
      }
      const reference = referenceScore([...probed.values()], chosen.filter(trusted).map((u) => this.records.get(u)?.lastScore ?? 0));
      for (const e of probed.values()) if (e.score < this.config.minRelativeScore * reference) failed.add(e.uid);
    }
  }

  /** Evaluates payloads of the window against the θ_w snapshot, sharing L_before on the random batch. */
  private async measurer(window: number, head: string, valid: WindowPlan['valid']): Promise<(v: WindowPlan['valid'][number]) => Promise<Evaluation>> {
    const { engine, runHash, spec, trainSet } = this.deps;
    const T = spec.seqLen;
    const sampleCount = trainSet.sampleCount(T);
    const random = evalBatch(trainSet, randomSampleIndices(runHash, window, sampleCount, this.config.randomSamples, this.nonce), T);
    const thresholds = medianNorms(valid.map((v) => v.payload));
    const lr = spec.outer.lr * this.config.evalLrScale;
    await copyAsync(engine.params, this.snapshot);
    const randomBefore = await meanLoss(engine, random);
    return async (v) => {
      const own = evalBatch(
        trainSet, ownSampleIndices(runHash, v.uid, window, spec.batch, spec.innerSteps, sampleCount, this.config.ownSamples, this.nonce), T,
      );
      return evaluatePayload({ engine, theta: this.snapshot, thetaHash: head, uid: v.uid, payload: v.payload, medianNorms: thresholds, lr, own, random, randomBefore });
    };
  }

  /** The validator hook after the manifest of `window` is out: penalties, evaluation, ratings, save. */
  async afterWindow(window: number, verdicts: WindowVerdicts): Promise<WindowReport> {
    const plan = this.plan?.window === window ? this.plan : null;
    this.plan = null;
    const penalties = [...(plan?.penalties ?? [])];
    for (const r of verdicts.rejected) {
      if (r.reason === 'out_of_sync') penalties.push({ uid: r.uid, kind: 'stale', why: r.reason });
      else if (r.reason.startsWith('invalid')) penalties.push({ uid: r.uid, kind: 'invalid', why: r.reason });
      else penalties.push({ uid: r.uid, kind: 'missing', why: r.reason });
    }
    // Heard now but not in the verdicts: it arrived after the window was closed.
    const judged = new Set([...verdicts.accepted.map((a) => a.uid), ...verdicts.rejected.map((r) => r.uid)]);
    const heardNow = this.deps.heard?.(window) ?? [];
    for (const h of heardNow) if (!judged.has(h.uid)) penalties.push({ uid: h.uid, kind: 'late', why: 'announced after the window closed' });
    const present = new Set([...judged, ...heardNow.map((h) => h.uid)]);
    for (const r of this.records.values()) if (!present.has(r.uid)) penalties.push({ uid: r.uid, kind: 'missing', why: 'no announcement' });
    const alpha = this.config.indicatorAlpha;
    const penalised = new Set<number>();
    for (const p of penalties) {
      if (penalised.has(p.uid)) continue; // one penalty per miner and window: the first (most specific) one
      penalised.add(p.uid);
      applyPenalty(this.rec(p.uid, window), p.kind, alpha);
    }

    const t0 = Date.now();
    const evaluated: Evaluation[] = [];
    if (plan && plan.valid.length) {
      for (const v of plan.valid) {
        const r = this.rec(v.uid, window);
        r.inSync = true;
      }
      // Payloads measured before the manifest are this window's evaluations of them;
      // the fair sample is drawn from the rest.
      const measured = new Set(plan.probed.map((e) => e.uid));
      const rest = plan.valid.filter((v) => !measured.has(v.uid));
      const rng = Xoshiro256StarStar.fromDigest(new Uint8Array(createHash('sha256').update('gauntlet-pick').update(this.nonce).update(String(window)).digest()));
      const pickUids = chooseForEvaluation(
        rest.map((v) => ({ uid: v.uid, ordinal: ratingOrdinal(this.rec(v.uid, window).rating), wait: this.rec(v.uid, window).wait })),
        this.config.evalPerWindow, this.config.maxWait, this.config.ratingBins, rng,
      );
      const picked = new Set(pickUids);
      for (const v of rest) if (!picked.has(v.uid)) this.rec(v.uid, window).wait++;
      const toEval = rest.filter((v) => picked.has(v.uid));
      let results: Evaluation[] = [...plan.probed];
      try {
        results = results.concat(await this.evaluateAll(window, plan, toEval));
      } catch (e) {
        // θ not restored is a bug that must stop the validator; anything else (the
        // engine failing mid-window) costs this window's evaluations, not the node.
        if (e instanceof GauntletError && e.code === 'theta_not_restored') throw e;
        this.deps.log?.warn({ event: 'gauntlet_eval_failed', window, err: (e as Error).message }, 'evaluation failed');
      }
      evaluated.push(...results);
      const good = results.filter((e) => e.finite);
      for (const e of results) {
        const r = this.rec(e.uid, window);
        r.wait = 0;
        if (!e.finite) {
          applyPenalty(r, 'invalid', alpha);
          penalties.push({ uid: e.uid, kind: 'invalid', why: 'non-finite loss after applying the payload' });
          continue;
        }
        r.evaluations++;
        r.lastScore = e.score;
        r.indicatorMa = movingAverage(r.indicatorMa, e.indicator, alpha);
      }
      const rated = rateWindow(good.map((e) => ({ rating: this.rec(e.uid, window).rating, score: e.score })));
      good.forEach((e, i) => (this.rec(e.uid, window).rating = rated[i]!));
    }
    const evalMs = Date.now() - t0;
    this.lastWindow = Math.max(this.lastWindow, window);
    await this.save();
    const report: WindowReport = { window, evaluated, penalties, copies: plan?.copies ?? [], manifest: plan?.chosen ?? [], evalMs };
    this.deps.log?.info(
      {
        event: 'gauntlet', window, evalMs,
        evaluated: evaluated.map((e) => ({ uid: e.uid, score: e.score, indicator: e.indicator, clipped: e.clippedTensors })),
        penalties: penalties.map((p) => `${p.uid}:${p.kind}`),
      },
      'scored window',
    );
    return report;
  }

  private async evaluateAll(window: number, plan: WindowPlan, toEval: WindowPlan['valid']): Promise<Evaluation[]> {
    if (!toEval.length) return [];
    const { engine, runHash, spec, trainSet } = this.deps;
    const T = spec.seqLen;
    const sampleCount = trainSet.sampleCount(T);
    const random = evalBatch(trainSet, randomSampleIndices(runHash, window, sampleCount, this.config.randomSamples, this.nonce), T);
    const thresholds = medianNorms(plan.valid.map((v) => v.payload));
    const lr = spec.outer.lr * this.config.evalLrScale;
    const run = this.deps.exclusive ?? (<X>(fn: () => Promise<X>) => fn());
    return run(async () => {
      await copyAsync(engine.params, this.snapshot);
      const randomBefore = await meanLoss(engine, random);
      const out: Evaluation[] = [];
      for (const v of toEval) {
        const own = evalBatch(
          trainSet, ownSampleIndices(runHash, v.uid, window, spec.batch, spec.innerSteps, sampleCount, this.config.ownSamples, this.nonce), T,
        );
        out.push(await evaluatePayload({
          engine, theta: this.snapshot, thetaHash: plan.thetaHash, uid: v.uid, payload: v.payload, medianNorms: thresholds, lr, own, random, randomBefore,
        }));
      }
      return out;
    });
  }

  /**
   * Sets weights on chain (chain.setWeights: direct or commit-reveal, as the chain
   * runs) when N windows passed since the last time (or never); returns
   * the weights set, or null when it was not yet time or no miner has a positive score.
   */
  async maybeSetWeights<S>(window: number, chain: WeightSetter<S>, signer: S): Promise<UidWeight[] | null> {
    // Called every window, so that commits made under commit-reveal are revealed in time.
    await chain.revealPendingWeights?.(signer);
    if (this.lastWeightsWindow >= 0 && window - this.lastWeightsWindow < this.config.windowsPerWeights) return null;
    const w = this.weights();
    if (!w.length) return null;
    await chain.setWeights(signer, w.map((x) => x.uid), w.map((x) => x.weight));
    this.lastWeightsWindow = window;
    await this.save();
    this.deps.log?.info({ event: 'weights_set', window, weights: w }, 'set weights on chain');
    return w;
  }

  /**
   * Writes the state as it is now, off the event loop (an fsync held a validator's loop
   * for up to 450 ms on a busy disk). Saves land in call order: each waits for the one before.
   */
  save(): Promise<void> {
    const path = this.deps.statePath;
    if (!path) return Promise.resolve();
    const state = {
      format: GAUNTLET_STATE_FORMAT,
      version: GAUNTLET_STATE_VERSION,
      runHash: this.runHashHex,
      nonce: toHex(this.nonce),
      lastWindow: this.lastWindow,
      lastWeightsWindow: this.lastWeightsWindow,
      miners: this.miners(),
    } as const;
    const next = this.saving.catch(() => {}).then(() => saveGauntletStateAsync(path, state));
    this.saving = next;
    return next;
  }
}

/**
 * The score an honest payload of this window is expected to reach: the median of the
 * positive scores measured this window and the last scores of the trusted miners in
 * the manifest (a window with only one measured payload still has a reference when
 * trusted miners are chosen). 0 when nothing positive is known.
 */
export function referenceScore(probed: readonly Evaluation[], trustedLastScores: readonly number[]): number {
  const xs = [...probed.filter((e) => e.finite && e.score > 0).map((e) => e.score), ...trustedLastScores.filter((x) => x > 0)].sort((a, b) => a - b);
  if (xs.length === 0) return 0;
  const m = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}
