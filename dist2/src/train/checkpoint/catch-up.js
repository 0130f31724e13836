import { decodeCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
/**
 * Fetches and verifies the newest usable checkpoint. A candidate fails when the fetch
 * fails, when the file does not verify (CheckpointError), or when it verifies but is
 * not what was announced (another window or thetaHash). When none is usable, throws a
 * CheckpointError (not_found) that lists each candidate's failure.
 */
export async function fetchVerifiedCheckpoint(candidates, expect, deps) {
    const rejected = [];
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
            if (!deps.store)
                throw new CheckpointError('invalid_input', 'a streamed checkpoint fetch needs a store');
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
        }
        catch (e) {
            if (streamedToStore)
                deps.store.remove(candidate.window);
            rejected.push({ candidate, error: e instanceof Error ? e : new Error(String(e)) });
        }
    }
    const why = rejected.map((r) => `window ${r.candidate.window}: ${r.error.message}`).join('; ');
    throw new CheckpointError('not_found', `no announced checkpoint could be fetched and verified (${why || 'no candidates'})`);
}
function checkAnnounced(checkpoint, candidate) {
    if (checkpoint.meta.window !== candidate.window || checkpoint.meta.thetaHash !== candidate.thetaHash) {
        throw new CheckpointError('metadata', `checkpoint is window ${checkpoint.meta.window} θ ${checkpoint.meta.thetaHash.slice(0, 12)}…, ` +
            `announced window ${candidate.window} θ ${candidate.thetaHash.slice(0, 12)}…`);
    }
}
//# sourceMappingURL=catch-up.js.map