// The node's copy of the shared model θ and the chain of manifests applied to it.
// Every honest node holds the same θ, bit for bit, after the same manifest: the
// replica applies a manifest by fetching the payloads it lists, aggregating them in
// uid order, and checking the result against the manifest's nextThetaHash.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { TensorSpec } from '../train/model-config.js';
import { decodePayload, aggregateAndStepAsync, thetaHash, PayloadError, type DecodedPayload } from '../train/compress/index.js';
import { copyAsync, sharedFloat32, thetaHashAsync } from '../train/compress/offload.js';
import { Manifest } from '../p2p/proto/messages.js';
import type { P2PNode } from '../p2p/index.js';
import { ManifestChain, GENESIS_DIGEST, type ManifestLink } from './manifest-chain.js';
import type { PeerDirectory } from './peer-directory.js';
import { Mutex } from './mutex.js';
import { toHex } from './run-spec.js';
import { HeardWindows, forkStep, supersedes, walkStep } from './protocol/replica-core.js';

export type ManifestMsg = Manifest;

export function manifestBytes(m: ManifestMsg): Uint8Array {
  return Manifest.encode(m);
}

export function manifestDigest(m: ManifestMsg): string {
  return createHash('sha256').update(manifestBytes(m)).digest('hex');
}

export function manifestLink(m: ManifestMsg, digest = manifestDigest(m)): ManifestLink {
  return { window: Number(m.window), digest, prevDigest: toHex(m.prevDigest) };
}

export class ReplicaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaError';
  }
}

export interface ReplicaOptions {
  layout: TensorSpec[];
  runHash: Uint8Array;
  outerLr: number;
  p2p: Pick<P2PNode, 'store' | 'fetchBlob'>;
  directory: Pick<PeerDirectory, 'uid'>;
  log: Logger;
  /**
   * θ at the head of the manifest chain; mutated in place as manifests apply (and
   * hashed in place on a libuv thread: offload.ts).
   */
  theta: Float32Array;
  /** thetaHash(theta), when the caller already has it (else computed here, once). */
  thetaHash?: string;
  head?: { digest: string; window: number };
  /**
   * Consulted when the chain has a gap: may replace θ and the head with a verified
   * checkpoint newer than the head (a joiner, or a node far behind). Returns the new
   * head, or null to walk the manifests back instead.
   */
  jumpToCheckpoint?: (head: { digest: string; window: number }) => Promise<{ digest: string; window: number } | null>;
  /** Called after each applied manifest (persist state, metrics). */
  onApplied?: (m: ManifestMsg, digest: string, hash: string) => Promise<void> | void;
  fetchTimeoutMs?: number;
  /**
   * The applied manifest of a window was replaced: by a higher-precedence one of the
   * same window (supersedes), or by another chain's (the fork choice). Ranks are
   * undefined when the validator is no speaker now.
   */
  onSuperseded?: (window: number, fromRank: number | undefined, toRank: number | undefined) => void;
  /**
   * A manifest's speaker rank from the validatorUid it names (the lead is 0; undefined:
   * not a speaker now). The fork choice compares the ranks of manifests fetched by
   * digest, whose signer is not known.
   */
  rankOf?: (validatorUid: number) => number | undefined;
}

/**
 * What is needed to take back the last manifest applied: θ before it and the head it
 * was built on. The lead's manifest of a window takes precedence over a fallback's
 * that was applied (supersedes), and the fork choice may step back to the common
 * predecessor of two chains (forkStep). One copy of θ, refreshed by every apply: a
 * step back further than one manifest needs a checkpoint.
 */
interface Undo {
  window: number;
  rank: number | undefined;
  digest: string;
  head: { digest: string; window: number };
  hash: string;
  theta: Float32Array;
}

export class Replica {
  private manifestChain: ManifestChain;
  readonly lock = new Mutex();
  private hash: string;
  private inSync = true;
  private pendingManifests = new Map<string, ManifestMsg>();
  private undo: Undo | null = null;
  /** The fork choice tried a checkpoint jump during the current walk (at most one per walk). */
  private walkJumped = false;
  /** Windows of offered manifests applied, in flight or failed (protocol/replica-core.ts). */
  private readonly heard = new HeardWindows();
  /** uids aggregated by the manifests of recent windows (a validator compares its own choice). */
  private readonly entriesByWindow = new Map<number, number[]>();
  /** The applied manifests of recent windows: the fork choice compares them with another chain's. */
  private readonly appliedByWindow = new Map<number, { digest: string; prevDigest: string; rank: number | undefined }>();

  constructor(private readonly o: ReplicaOptions) {
    this.manifestChain = new ManifestChain(o.head);
    this.hash = o.thetaHash ?? thetaHash(o.theta);
  }

  get chain(): ManifestChain {
    return this.manifestChain;
  }

  get theta(): Float32Array {
    return this.o.theta;
  }

  get thetaHash(): string {
    return this.hash;
  }

  get synced(): boolean {
    return this.inSync;
  }

  /**
   * The newest window of a manifest offered to this replica that is applied, still
   * being applied, or failed to apply (this node is behind). A manifest that was
   * ignored (its chain forks from the applied one, or starts over from genesis) does
   * not count: it says nothing about this node's chain, and counting it kept validators
   * from ever speaking again (a lead's manifest built on a stale head, ignored by every
   * node, stalled the whole network in the chaos bench of 2026-12-04).
   */
  get newestHeardWindow(): number {
    return this.heard.newest(this.chain.head.window);
  }

  /** The uids the applied manifest of `window` aggregated (recent windows only). */
  appliedEntries(window: number): number[] | undefined {
    return this.entriesByWindow.get(window);
  }

  /** Recomputes the cached hash after θ was replaced wholesale (state load, checkpoint). */
  rehash(): string {
    this.hash = thetaHash(this.o.theta);
    return this.hash;
  }

  /** rehash() off the event loop (call it under the lock). */
  async rehashAsync(): Promise<string> {
    this.hash = await thetaHashAsync(this.o.theta);
    return this.hash;
  }

  /**
   * Takes a manifest heard on gossip (already admitted by the speaker rule), `rank` its
   * signer's speaker rank. Applies it, first fetching and applying any predecessors
   * this node missed. Returns true if the head moved.
   */
  async offer(m: ManifestMsg, fromPeer?: string, rank?: number): Promise<boolean> {
    // Heard now, though it may wait for the lock (a training miner holds it).
    const w = Number(m.window);
    this.heard.begin(w);
    let failed = false;
    try {
      return await this.lock.run(() => this.offerLocked(m, fromPeer, rank));
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      this.heard.end(w, failed);
    }
  }

  private async offerLocked(m: ManifestMsg, fromPeer?: string, rank?: number): Promise<boolean> {
    const digest = manifestDigest(m);
    const stack: Array<{ m: ManifestMsg; digest: string }> = [{ m, digest }];
    // The offered manifest's rank is its signer's; its predecessors' come by digest.
    const rankAt = (i: number): number | undefined => (i === 0 ? rank : this.o.rankOf?.(stack[i]!.m.validatorUid));
    let jumped = false;
    this.walkJumped = false;
    // Walk back until the oldest manifest on the stack links onto our head. The rules
    // (walkStep, supersedes, forkStep) are protocol/replica-core.ts's, which the
    // simulator runs too; here they meet θ, the network and the checkpoints.
    for (let guard = 0; guard < 4096; guard++) {
      const top = stack[stack.length - 1]!;
      const step = walkStep(this.chain.place(manifestLink(top.m, top.digest)), { depth: stack.length, jumped, canJump: !!this.o.jumpToCheckpoint });
      if (step.kind === 'ignore') {
        if (await this.maybeTakeBack(top.m, top.digest, rankAt(stack.length - 1))) continue;
        if (step.reason === 'fork' && stack.length < 64) {
          const f = await this.forkChoiceAt(top.m, rankAt(stack.length - 1), Number(m.window));
          if (f === 'switch') continue;
          if (f === 'jumped') {
            jumped = true;
            this.popPast(stack);
            continue;
          }
          if (f === 'deeper') {
            // The chains meet further back: fetch the other chain's predecessor.
            const prev = await this.fetchManifest(toHex(top.m.prevDigest), fromPeer).catch((e: unknown) => {
              this.o.log.warn({ window: Number(top.m.window), err: (e as Error).message }, 'fork choice: could not fetch the other chain\'s predecessor');
              return null;
            });
            if (prev) {
              stack.push({ m: prev, digest: toHex(top.m.prevDigest) });
              continue;
            }
          }
        }
        if (step.reason === 'forks_after_applied' && stack.length >= 2) {
          const f = await this.forkChoiceAfter(stack.map((x) => x.m), top.digest, rankAt(stack.length - 2));
          if (f === 'switch') {
            stack.pop();
            continue;
          }
          if (f === 'jumped') {
            jumped = true;
            this.popPast(stack);
            continue;
          }
        }
        const msg = {
          forks_after_applied: 'ignoring a manifest whose chain forks from the applied one',
          fork: 'ignoring a manifest that forks from the applied chain',
          restarts_from_genesis: 'ignoring a manifest whose chain starts over from genesis',
        }[step.reason];
        this.o.log.warn({ window: Number(m.window), digest, joins: Number(top.m.window), reason: step.reason }, msg);
        return false;
      }
      if (step.kind === 'duplicate') return false; // the offered manifest itself: a duplicate or an old one
      if (step.kind === 'apply') break;
      if (step.kind === 'jump') {
        jumped = true;
        if (await this.jump(this.manifestChain.head)) this.popPast(stack);
        continue;
      }
      const prev = await this.fetchManifest(step.digest, fromPeer);
      stack.push({ m: prev, digest: step.digest });
    }
    let moved = false;
    while (stack.length) {
      const r = rankAt(stack.length - 1);
      const { m: next, digest: d } = stack.pop()!;
      await this.apply(next, d, r);
      moved = true;
    }
    return moved;
  }

  /** After a checkpoint jump: drop what the stack holds at or below the new head. */
  private popPast(stack: Array<{ m: ManifestMsg }>): void {
    const head = this.manifestChain.head;
    while (stack.length > 1 && Number(stack[stack.length - 1]!.m.window) <= head.window) stack.pop();
  }

  /**
   * Replaces θ and the head with a verified checkpoint newer than `after`, if one is
   * known. A checkpoint that cannot be fetched (its holder just died) is no reason to
   * give up: the caller walks the manifests back instead.
   */
  private async jump(after: { digest: string; window: number }): Promise<boolean> {
    if (!this.o.jumpToCheckpoint) return false;
    const head = await this.o.jumpToCheckpoint(after).catch((e: unknown) => {
      this.o.log.warn({ err: (e as Error).message }, 'no checkpoint to jump to: walking the manifests back');
      return null;
    });
    if (!head) return false;
    this.manifestChain = new ManifestChain(head);
    this.undo = null;
    this.appliedByWindow.clear();
    await this.rehashAsync();
    return true;
  }

  /**
   * The precedence rule (replica-core.ts supersedes): when the head is a fallback's
   * manifest of window w and a lower-rank speaker's manifest of w shows up (both built
   * on the same θ_w), θ goes back to θ_w so that the higher-precedence one applies
   * next. Said loudly: a node that trained on the fallback's θ meanwhile is out of sync
   * for that window.
   */
  private async maybeTakeBack(m: ManifestMsg, digest: string, rank: number | undefined): Promise<boolean> {
    const u = this.undo;
    if (!u || u.rank === undefined) return false;
    if (!supersedes({ window: u.window, rank: u.rank, digest: u.digest, prev: u.head }, this.chain.head.digest, { window: Number(m.window), digest, prevDigest: toHex(m.prevDigest), rank })) return false;
    this.o.log.error(
      { event: 'manifest_superseded', window: u.window, applied: u.digest, appliedRank: u.rank, by: digest, byRank: rank },
      'a higher-precedence manifest arrived for a window whose fallback manifest was applied: switching to it',
    );
    await this.stepBack(u.window, u.rank, rank);
    return true;
  }

  /** θ and the head back to before the head's manifest (the undo copy). */
  private async stepBack(window: number, fromRank: number | undefined, toRank: number | undefined): Promise<void> {
    const u = this.undo!;
    await copyAsync(this.o.theta, u.theta);
    this.manifestChain.rewind(u.head);
    this.hash = u.hash;
    this.undo = null;
    for (const w of [...this.appliedByWindow.keys()]) if (w > u.head.window) this.appliedByWindow.delete(w);
    this.o.onSuperseded?.(window, fromRank, toRank);
  }

  /**
   * The fork choice where the walk meets our chain at the same window (replica-core.ts
   * forkStep): `theirs` forks from the manifest we applied for its window. 'switch':
   * θ stepped back to the common predecessor (held when ours is the head's manifest);
   * 'jumped': to a checkpoint instead (ours is further back); 'deeper': the chains
   * meet further back; 'ignore'.
   */
  private async forkChoiceAt(theirs: ManifestMsg, theirRank: number | undefined, theirTip: number): Promise<'switch' | 'jumped' | 'deeper' | 'ignore'> {
    const w = Number(theirs.window);
    const ours = this.appliedByWindow.get(w);
    if (!ours) return 'ignore';
    const f = forkStep({ prevDigest: ours.prevDigest, rank: ours.rank, tip: this.chain.head.window }, { prevDigest: toHex(theirs.prevDigest), rank: theirRank, tip: theirTip });
    if (f !== 'switch') return f;
    return this.switchTo(ours.prevDigest, w, ours.rank, theirRank, theirTip);
  }

  /**
   * The walk met a predecessor P that we applied but that is not our head: the chains
   * meet at P. Ours goes on with the manifest we applied after P, theirs with the one
   * above P on the stack; both build on P, so the fork choice decides.
   */
  private async forkChoiceAfter(stack: ManifestMsg[], pDigest: string, theirRank: number | undefined): Promise<'switch' | 'jumped' | 'ignore'> {
    const p = stack[stack.length - 1]!;
    const theirs = stack[stack.length - 2]!;
    const pw = Number(p.window);
    let ours: { digest: string; prevDigest: string; rank: number | undefined } | undefined;
    let oursWindow = -1;
    for (let w = pw + 1; w <= this.chain.head.window && !ours; w++) {
      ours = this.appliedByWindow.get(w);
      oursWindow = w;
    }
    if (!ours || ours.prevDigest !== pDigest) return 'ignore';
    const tip = Number(stack[0]!.window);
    if (forkStep({ prevDigest: ours.prevDigest, rank: ours.rank, tip: this.chain.head.window }, { prevDigest: toHex(theirs.prevDigest), rank: theirRank, tip }) !== 'switch') return 'ignore';
    const f = await this.switchTo(pDigest, oursWindow, ours.rank, theirRank, tip);
    return f === 'switch' || f === 'jumped' ? f : 'ignore';
  }

  /** Steps back to θ after `prevDigest` (held: the undo copy) or jumps to a checkpoint past it. */
  private async switchTo(prevDigest: string, window: number, fromRank: number | undefined, toRank: number | undefined, tip: number): Promise<'switch' | 'jumped' | 'ignore'> {
    const fields = { event: 'fork_choice', window, fromRank, toRank, theirTip: tip, head: this.chain.head.window };
    if (this.undo && this.undo.head.digest === prevDigest && this.undo.digest === this.chain.head.digest) {
      this.o.log.error(fields, 'another chain wins the fork choice where it meets ours: stepping back to switch to it');
      await this.stepBack(window, fromRank, toRank);
      return 'switch';
    }
    // θ of the common predecessor is not held (it lies more than one manifest back): a
    // checkpoint newer than our head, once per walk (the winning chain is the newer one).
    const tryJump = !this.walkJumped;
    this.walkJumped = true;
    if (tryJump && (await this.jump(this.chain.head))) {
      this.o.log.error({ ...fields, checkpoint: this.chain.head.window }, 'another chain wins the fork choice: jumped to a checkpoint to switch to it');
      this.o.onSuperseded?.(window, fromRank, toRank);
      return 'jumped';
    }
    this.o.log.warn(fields, 'another chain wins the fork choice, but θ where they meet is not held and no checkpoint is known: staying');
    return 'ignore';
  }

  /** Before a manifest changes θ: keep θ_w to take it back (see Undo). */
  private async keepUndo(m: ManifestMsg, digest: string, rank: number | undefined): Promise<void> {
    const theta = this.undo?.theta.length === this.o.theta.length ? this.undo.theta : sharedFloat32(this.o.theta.length);
    this.undo = null;
    await copyAsync(theta, this.o.theta);
    this.undo = { window: Number(m.window), rank, digest, head: { ...this.chain.head }, hash: this.hash, theta };
  }

  private async fetchManifest(digest: string, fromPeer?: string): Promise<ManifestMsg> {
    const cached = this.pendingManifests.get(digest);
    if (cached) return cached;
    const local = await this.o.p2p.store.get(digest);
    const bytes = local ?? (await this.o.p2p.fetchBlob(digest, { from: fromPeer ? [fromPeer] : [], timeoutMs: this.o.fetchTimeoutMs ?? 20_000 }));
    let m: ManifestMsg;
    try {
      m = Manifest.decode(bytes);
    } catch (e) {
      throw new ReplicaError(`manifest ${digest.slice(0, 12)}… does not decode: ${(e as Error).message}`);
    }
    if (toHex(m.runHash) !== toHex(this.o.runHash)) throw new ReplicaError(`manifest ${digest.slice(0, 12)}… is of another run`);
    this.o.log.info({ window: Number(m.window), digest }, 'fetched a missed manifest');
    return m;
  }

  /**
   * The payload bytes a manifest lists: fetchBlob serves them from the local store,
   * or fetches, verifies and stores them (kept for `window`'s retention).
   */
  async payloadBytes(uid: number, digestHex: string, window: number): Promise<Uint8Array> {
    const peer = this.o.directory.uid(uid)?.peerId;
    return this.o.p2p.fetchBlob(digestHex, { from: peer ? [peer] : [], timeoutMs: this.o.fetchTimeoutMs ?? 20_000, window, kind: 'payload' });
  }

  /**
   * Applies a manifest this node built itself, whose θ_{w+1} it already computed
   * (the lead validator): no second fetch, decode and aggregation. The result must
   * hash to the manifest's nextThetaHash and the manifest must link onto the head.
   */
  async applyComputed(m: ManifestMsg, next: Float32Array, rank = 0): Promise<void> {
    await this.lock.run(async () => {
      const digest = manifestDigest(m);
      const p = this.chain.place(manifestLink(m, digest));
      if (p.kind !== 'next') throw new ReplicaError(`own manifest of window ${Number(m.window)} does not link onto the head (${p.kind})`);
      const hash = await thetaHashAsync(next);
      if (hash !== toHex(m.nextThetaHash)) throw new ReplicaError(`own manifest of window ${Number(m.window)}: θ hashes to ${hash.slice(0, 12)}…, not its nextThetaHash`);
      await this.keepUndo(m, digest, rank);
      await copyAsync(this.o.theta, next);
      await this.finish(m, digest, m.entries.length, hash);
    });
  }

  private async apply(m: ManifestMsg, digest: string, rank?: number): Promise<void> {
    const window = Number(m.window);
    const payloads: { uid: number; payload: DecodedPayload }[] = [];
    for (const e of m.entries) {
      const d = toHex(e.digest);
      const bytes = await this.payloadBytes(e.uid, d, window);
      try {
        const payload = decodePayload(bytes, this.o.layout, { runHash: this.o.runHash, window, uid: e.uid });
        payloads.push({ uid: e.uid, payload });
      } catch (err) {
        if (err instanceof PayloadError) {
          throw new ReplicaError(`manifest ${digest.slice(0, 12)}… lists an invalid payload of uid ${e.uid}: ${err.message}`);
        }
        throw err;
      }
    }
    await this.keepUndo(m, digest, rank);
    // On libuv's threads (aggregate, hash): the event loop stays free. θ
    // and the payloads are not written by any JS code meanwhile: this runs under the
    // lock, and every writer of θ (training, the validator's scratch copy, state
    // saves, evaluation) holds it too.
    if (payloads.length > 0) await aggregateAndStepAsync(this.o.theta, this.o.layout, payloads, this.o.outerLr);
    await this.finish(m, digest, payloads.length, await thetaHashAsync(this.o.theta));
  }

  /** Records θ's new hash, checks it against the manifest, advances the chain, persists. */
  private async finish(m: ManifestMsg, digest: string, payloadCount: number, hash: string): Promise<void> {
    const window = Number(m.window);
    this.hash = hash;
    const expected = toHex(m.nextThetaHash);
    const ok = expected === this.hash;
    if (!ok) {
      this.inSync = false;
      this.o.log.error({ window, expected, got: this.hash }, 'thetaHash mismatch after applying a manifest: this node is out of sync');
    } else {
      this.inSync = true;
    }
    this.chain.advance(manifestLink(m, digest));
    this.entriesByWindow.set(window, m.entries.map((e) => e.uid));
    for (const w of this.entriesByWindow.keys()) if (w < window - 16) this.entriesByWindow.delete(w);
    this.appliedByWindow.set(window, { digest, prevDigest: toHex(m.prevDigest), rank: this.o.rankOf?.(m.validatorUid) });
    for (const w of this.appliedByWindow.keys()) if (w < window - 32) this.appliedByWindow.delete(w);
    await this.o.p2p.store.put(manifestBytes(m), { window, kind: 'manifest' });
    this.o.log.info({ event: 'manifest_applied', window, digest, validatorUid: m.validatorUid, payloads: payloadCount, thetaHash: this.hash, inSync: ok }, 'applied manifest');
    await this.o.onApplied?.(m, digest, this.hash);
  }
}
