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
import { takesPrecedence } from './protocol/speakers.js';
import { HeardWindows, walkStep } from './protocol/replica-core.js';

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
  p2p: P2PNode;
  directory: PeerDirectory;
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
  /** A fallback's applied manifest was replaced by a higher-precedence one. */
  onSuperseded?: (window: number, fromRank: number, toRank: number) => void;
}

/**
 * What is needed to take back the last manifest applied when it came from a fallback
 * speaker (rank > 0): the lead's own manifest of that window, if it arrives, takes
 * precedence. Kept only after a fallback's manifest, so it costs nothing while the
 * lead speaks.
 */
interface Undo {
  window: number;
  rank: number;
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
  /** Windows of offered manifests applied, in flight or failed (protocol/replica-core.ts). */
  private readonly heard = new HeardWindows();
  /** uids aggregated by the manifests of recent windows (a validator compares its own choice). */
  private readonly entriesByWindow = new Map<number, number[]>();

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
    await this.maybeTakeBack(m, digest, rank);
    const stack: Array<{ m: ManifestMsg; digest: string }> = [{ m, digest }];
    let jumped = false;
    // Walk back until the oldest manifest on the stack links onto our head.
    for (let guard = 0; guard < 4096; guard++) {
      const top = stack[stack.length - 1]!;
      const step = walkStep(this.chain.place(manifestLink(top.m, top.digest)), { depth: stack.length, jumped, canJump: !!this.o.jumpToCheckpoint });
      if (step.kind === 'duplicate') return false; // the offered manifest itself: a duplicate or an old one
      if (step.kind === 'ignore') {
        const msg = {
          forks_after_applied: 'ignoring a manifest whose chain forks from the applied one',
          fork: 'ignoring a manifest that forks from the applied chain',
          restarts_from_genesis: 'ignoring a manifest whose chain starts over from genesis',
        }[step.reason];
        this.o.log.warn({ window: Number(m.window), digest, joins: Number(top.m.window), reason: step.reason }, msg);
        return false;
      }
      if (step.kind === 'apply') break;
      if (step.kind === 'jump') {
        jumped = true;
        // A checkpoint that cannot be fetched (its holder just died) is no reason to
        // give up: walk the manifests back instead.
        const head = await this.o.jumpToCheckpoint!(this.manifestChain.head).catch((e: unknown) => {
          this.o.log.warn({ err: (e as Error).message }, 'no checkpoint to jump to: walking the manifests back');
          return null;
        });
        if (head) {
          // θ was replaced by a verified checkpoint: drop what we walked past it.
          this.manifestChain = new ManifestChain(head);
          this.undo = null;
          await this.rehashAsync();
          while (stack.length > 1 && Number(stack[stack.length - 1]!.m.window) <= head.window) stack.pop();
        }
        continue;
      }
      const prev = await this.fetchManifest(step.digest, fromPeer);
      stack.push({ m: prev, digest: step.digest });
    }
    let moved = false;
    while (stack.length) {
      const { m: next, digest: d } = stack.pop()!;
      // Only the offered manifest's speaker is known; its predecessors came by digest.
      await this.apply(next, d, stack.length === 0 ? rank : undefined);
      moved = true;
    }
    return moved;
  }

  /**
   * The precedence rule: when the head is a fallback's manifest of window w and a
   * lower-rank speaker's manifest of w arrives (both built on the same θ_w), θ goes
   * back to θ_w so that the higher-precedence one applies next. Said loudly: a node
   * that trained on the fallback's θ meanwhile is out of sync for that window.
   */
  private async maybeTakeBack(m: ManifestMsg, digest: string, rank: number | undefined): Promise<void> {
    const u = this.undo;
    if (!u || rank === undefined || Number(m.window) !== u.window || digest === u.digest) return;
    if (this.chain.head.digest !== u.digest || toHex(m.prevDigest) !== u.head.digest) return;
    if (!takesPrecedence(rank, u.rank)) return;
    this.o.log.error(
      { event: 'manifest_superseded', window: u.window, applied: u.digest, appliedRank: u.rank, by: digest, byRank: rank },
      'a higher-precedence manifest arrived for a window whose fallback manifest was applied: switching to it',
    );
    await copyAsync(this.o.theta, u.theta);
    this.manifestChain.rewind(u.head);
    this.hash = u.hash;
    this.undo = null;
    this.o.onSuperseded?.(u.window, u.rank, rank);
  }

  /** Before a fallback's manifest changes θ: keep θ_w to take it back (see maybeTakeBack). */
  private async keepUndo(m: ManifestMsg, digest: string, rank: number | undefined): Promise<void> {
    if (rank === undefined || rank <= 0) {
      this.undo = null;
      return;
    }
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
    await this.o.p2p.store.put(manifestBytes(m), { window, kind: 'manifest' });
    this.o.log.info({ event: 'manifest_applied', window, digest, validatorUid: m.validatorUid, payloads: payloadCount, thetaHash: this.hash, inSync: ok }, 'applied manifest');
    await this.o.onApplied?.(m, digest, this.hash);
  }
}
