// The replica's decisions, free of I/O: what to do with a manifest given where it
// places on the applied chain, which windows count as "heard", and whether a validator
// may build a manifest on its head. replica.ts (the libp2p node) and src/sim (the
// deterministic simulator) both drive these functions, so the rules are tested once
// and simulated with the very code the node runs.
import type { Placement } from '../manifest-chain.js';
import { GENESIS_DIGEST } from '../manifest-chain.js';

/** One step of the gap walk: what the replica does with the manifest on top of its stack. */
export type WalkStep =
  /** the stack links onto the head: apply it, oldest first */
  | { kind: 'apply' }
  /** the offered manifest is already applied: nothing to do */
  | { kind: 'duplicate' }
  /** not ours to follow (the node is not blamed, nothing is applied) */
  | { kind: 'ignore'; reason: 'fork' | 'forks_after_applied' | 'restarts_from_genesis' }
  /** ask for a verified checkpoint newer than the head before walking back */
  | { kind: 'jump' }
  /** fetch the missing predecessor by digest and push it */
  | { kind: 'fetch'; digest: string };

export interface WalkState {
  /** Manifests on the stack (1: only the offered one). */
  depth: number;
  /** A checkpoint jump was already tried during this walk. */
  jumped: boolean;
  /** The node can jump to a checkpoint at all. */
  canJump: boolean;
}

/**
 * The gap walk rule. A manifest whose predecessor is unknown is walked back digest by
 * digest; the first gap may instead be closed by a checkpoint (a joiner, a node far
 * behind). A chain that starts over from genesis, or leaves ours after a manifest we
 * applied, is ignored: following it would contradict what every node applied.
 */
export function walkStep(p: Placement, s: WalkState): WalkStep {
  switch (p.kind) {
    case 'next':
      return { kind: 'apply' };
    case 'applied':
      return s.depth === 1 ? { kind: 'duplicate' } : { kind: 'ignore', reason: 'forks_after_applied' };
    case 'fork':
      return { kind: 'ignore', reason: 'fork' };
    case 'gap':
      if (p.missing === GENESIS_DIGEST) return { kind: 'ignore', reason: 'restarts_from_genesis' };
      if (!s.jumped && s.canJump) return { kind: 'jump' };
      return { kind: 'fetch', digest: p.missing };
  }
}

/**
 * The windows this replica has heard of (commit b19c8e0): applied (the head), still
 * being placed or applied (in flight), or failed to apply (a fetch failed: behind).
 * A manifest ignored as a fork or a restart from genesis is NOT heard: it says nothing
 * about this node's chain, and counting it stalled every validator for good.
 */
export class HeardWindows {
  private readonly inFlight = new Map<number, number>();
  private newestFailed = -1;

  begin(window: number): void {
    this.inFlight.set(window, (this.inFlight.get(window) ?? 0) + 1);
  }

  /** The offer of `window` ended; `failed`: it could not be applied (behind). */
  end(window: number, failed: boolean): void {
    if (failed) this.newestFailed = Math.max(this.newestFailed, window);
    const n = (this.inFlight.get(window) ?? 1) - 1;
    if (n > 0) this.inFlight.set(window, n);
    else this.inFlight.delete(window);
  }

  newest(headWindow: number): number {
    let newest = Math.max(headWindow, this.newestFailed);
    for (const w of this.inFlight.keys()) newest = Math.max(newest, w);
    return newest;
  }
}

export interface SpeakReadiness {
  synced: boolean;
  headWindow: number;
  newestHeardWindow: number;
  /** The first window this node saw from its start (it cannot judge earlier ones). */
  firstFullWindow: number;
}

/**
 * May a validator build the manifest of window w on its head? Only on θ_w (its head is
 * w−1 or later), or, after a null round, when it has heard of no manifest newer than
 * its head (else it would build on a stale θ and fork the chain).
 */
export function readyToSpeak(r: SpeakReadiness, w: number): boolean {
  if (!r.synced) return false;
  if (r.headWindow >= w - 1) return true;
  return w >= r.firstFullWindow && r.newestHeardWindow <= r.headWindow;
}
