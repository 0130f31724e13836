// The first half of joining a run: get the newest checkpoint that really is what was
// announced. Candidates (from checkpoint announcements) are tried newest first; each
// one's bytes come through the caller's fetch (the p2p blob fetcher, which checks the
// content digest and spreads ranges over several peers), then are fully verified. A
// checkpoint that fails verification (a lying announcer) is reported and the next
// candidate is tried. Replaying the manifests after it is the node's job.
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
  /** Fetches the candidate's bytes (digest-checked); may report progress in bytes. */
  fetch: (candidate: CheckpointCandidate, onBytes: (received: number, total: number) => void) => Promise<Uint8Array>;
  /** When given, the verified checkpoint is written here (atomically) so the node can serve it. */
  store?: CheckpointStore;
  onProgress?: (candidate: CheckpointCandidate, received: number, total: number) => void;
}

export interface CatchUpResult {
  candidate: CheckpointCandidate;
  checkpoint: DecodedCheckpoint;
  bytes: Uint8Array;
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
    try {
      const bytes = await deps.fetch(candidate, (received, total) => deps.onProgress?.(candidate, received, total));
      const checkpoint = decodeCheckpoint(bytes, expect);
      if (checkpoint.meta.window !== candidate.window || checkpoint.meta.thetaHash !== candidate.thetaHash) {
        throw new CheckpointError('metadata',
          `checkpoint is window ${checkpoint.meta.window} θ ${checkpoint.meta.thetaHash.slice(0, 12)}…, ` +
          `announced window ${candidate.window} θ ${candidate.thetaHash.slice(0, 12)}…`);
      }
      if (deps.store) await deps.store.write(candidate.window, bytes);
      return { candidate, checkpoint, bytes, rejected };
    } catch (e) {
      rejected.push({ candidate, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  const why = rejected.map((r) => `window ${r.candidate.window}: ${r.error.message}`).join('; ');
  throw new CheckpointError('not_found', `no announced checkpoint could be fetched and verified (${why || 'no candidates'})`);
}
