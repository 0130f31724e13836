// The first half of joining a run: get the newest checkpoint that really is what was
// announced. Candidates (from checkpoint announcements) are tried newest first; each
// one's bytes come through the caller's fetch (the p2p blob fetcher, which checks the
// content digest and spreads ranges over several peers), then are fully verified. A
// checkpoint that fails verification (a lying announcer) is reported and the next
// candidate is tried. Replaying the manifests after it is the node's job.
//
// Two ways in: `fetch` returns the whole file (fine up to a few GiB: Node 20 caps one
// buffer at 4 GiB), or an async iterable of pieces in file order, which is streamed to
// the store and verified from disk (a 1b model's checkpoint is 4.8 GiB), optionally
// straight into the engine's parameter buffer.
import type { CheckpointStore } from './store.js';
import { decodeCheckpoint, type CheckpointExpect, type DecodedCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';

export interface CheckpointCandidate {
  window: number;
  /** Hex SHA-256 of the checkpoint file (its content address). */
  digest: string;
  size: number;
  /** The thetaHash the announcement states. */
  thetaHash: string;
  /** Peers that announced or are known to hold it. */
  providers: string[];
}

export interface CatchUpDeps {
  /**
   * Fetches the candidate: its bytes (digest-checked), or its pieces in file order
   * (the digest must then be checked by the stream, which should throw on mismatch).
   * May report progress in bytes.
   */
  fetch: (candidate: CheckpointCandidate, onBytes: (received: number, total: number) => void) =>
    Promise<Uint8Array | AsyncIterable<Uint8Array>>;
  /** The verified checkpoint is written here (atomically) so the node can serve it. Required for streamed fetches. */
  store?: CheckpointStore;
  /** Streamed fetches only: verify straight into this buffer (e.g. the engine's params); garbage if all candidates fail. */
  into?: Float32Array;
  onProgress?: (candidate: CheckpointCandidate, received: number, total: number) => void;
}

export interface CatchUpResult {
  candidate: CheckpointCandidate;
  checkpoint: DecodedCheckpoint;
  /** The bytes, when the fetch returned them whole. */
  bytes?: Uint8Array;
  /** Where the checkpoint is stored, when a store was given. */
  path?: string;
  /** Candidates that were tried first and failed, newest first, with why. */
  rejected: Array<{ candidate: CheckpointCandidate; error: Error }>;
}

/**
 * Fetches and verifies the newest usable checkpoint. A candidate fails when the fetch
 * fails, when the file does not verify (CheckpointError), or when it verifies but is
 * not what was announced (another window or thetaHash). When none is usable, throws a
 * CheckpointError (not_found) that lists each candidate's failure.
 */
export async function fetchVerifiedCheckpoint(
  candidates: CheckpointCandidate[], expect: CheckpointExpect, deps: CatchUpDeps,
): Promise<CatchUpResult> {
  const rejected: CatchUpResult['rejected'] = [];
  const ordered = [...candidates].sort((a, b) => b.window - a.window);
  for (const candidate of ordered) {
    let streamedToStore = false;
    try {
      const got = await deps.fetch(candidate, (received, total) => deps.onProgress?.(candidate, received, total));
      if (got instanceof Uint8Array) {
        const checkpoint = decodeCheckpoint(got, expect);
        checkAnnounced(checkpoint, candidate);
        const path = deps.store ? await deps.store.write(candidate.window, got) : undefined;
        return { candidate, checkpoint, bytes: got, path, rejected };
      }
      if (!deps.store) throw new CheckpointError('invalid_input', 'a streamed checkpoint fetch needs a store');
      if (deps.store.has(candidate.window)) {
        throw new CheckpointError('invalid_input', `the store already holds window ${candidate.window}: load it instead`);
      }
      streamedToStore = true;
      // Not pruned until verified: an unverified download must not push out a good checkpoint.
      const path = await deps.store.write(candidate.window, got, { prune: false });
      const checkpoint = deps.store.load(candidate.window, expect, deps.into);
      checkAnnounced(checkpoint, candidate);
      deps.store.prune();
      return { candidate, checkpoint, path, rejected };
    } catch (e) {
      if (streamedToStore) deps.store!.remove(candidate.window);
      rejected.push({ candidate, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  const why = rejected.map((r) => `window ${r.candidate.window}: ${r.error.message}`).join('; ');
  throw new CheckpointError('not_found', `no announced checkpoint could be fetched and verified (${why || 'no candidates'})`);
}

function checkAnnounced(checkpoint: DecodedCheckpoint, candidate: CheckpointCandidate): void {
  if (checkpoint.meta.window !== candidate.window || checkpoint.meta.thetaHash !== candidate.thetaHash) {
    throw new CheckpointError('metadata',
      `checkpoint is window ${checkpoint.meta.window} θ ${checkpoint.meta.thetaHash.slice(0, 12)}…, ` +
      `announced window ${candidate.window} θ ${candidate.thetaHash.slice(0, 12)}…`);
  }
}
