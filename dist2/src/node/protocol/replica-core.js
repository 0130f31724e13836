import { GENESIS_DIGEST } from '../manifest-chain.js';
/**
 * The gap walk rule. A manifest whose predecessor is unknown is walked back digest by
 * digest; the first gap may instead be closed by a checkpoint (a joiner, a node far
 * behind). A chain that starts over from genesis, or leaves ours after a manifest we
 * applied, is ignored: following it would contradict what every node applied.
 */
export function walkStep(p, s) {
    switch (p.kind) {
        case 'next':
            return { kind: 'apply' };
        case 'applied':
            return s.depth === 1 ? { kind: 'duplicate' } : { kind: 'ignore', reason: 'forks_after_applied' };
        case 'fork':
            return { kind: 'ignore', reason: 'fork' };
        case 'gap':
            if (p.missing === GENESIS_DIGEST)
                return { kind: 'ignore', reason: 'restarts_from_genesis' };
            if (!s.jumped && s.canJump)
                return { kind: 'jump' };
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
    inFlight = new Map();
    newestFailed = -1;
    begin(window) {
        this.inFlight.set(window, (this.inFlight.get(window) ?? 0) + 1);
    }
    /** The offer of `window` ended; `failed`: it could not be applied (behind). */
    end(window, failed) {
        if (failed)
            this.newestFailed = Math.max(this.newestFailed, window);
        const n = (this.inFlight.get(window) ?? 1) - 1;
        if (n > 0)
            this.inFlight.set(window, n);
        else
            this.inFlight.delete(window);
    }
    newest(headWindow) {
        let newest = Math.max(headWindow, this.newestFailed);
        for (const w of this.inFlight.keys())
            newest = Math.max(newest, w);
        return newest;
    }
}
/**
 * May a validator build the manifest of window w on its head? Only on θ_w (its head is
 * w−1 or later), or, after a null round, when it has heard of no manifest newer than
 * its head (else it would build on a stale θ and fork the chain).
 */
export function readyToSpeak(r, w) {
    if (!r.synced)
        return false;
    if (r.headWindow >= w - 1)
        return true;
    return w >= r.firstFullWindow && r.newestHeardWindow <= r.headWindow;
}
/**
 * The precedence rule, for a manifest that arrived (rank known from its signer) or was
 * fetched by digest during a gap walk (rank known from its validatorUid): when the
 * head is a fallback's manifest of window w and a lower-rank speaker's manifest of the
 * same w, built on the same θ_w, shows up, the replica steps back to θ_w and follows
 * it. Without the fetched case a node that missed the lead's manifest of w (a lost
 * message) and applied the fallback's stayed on the fallback's fork for good once the
 * lead's w+1 arrived: the walk met the lead's w as a fork and ignored it (simulator,
 * 16 nodes, seeds 4, 17, 18).
 */
export function supersedes(held, headDigest, cand) {
    if (!held || cand.rank === undefined)
        return false;
    if (cand.window !== held.window || cand.digest === held.digest)
        return false;
    if (headDigest !== held.digest || cand.prevDigest !== held.prev.digest)
        return false;
    return cand.rank < held.rank;
}
/**
 * Start-up sync: a node that (re)started asks a few peers for their heads, offers them,
 * and, when its own head is still off the chain that a majority of the asked peers
 * hold at a newer window (its last manifest before it died reached almost nobody and
 * the others moved on), jumps to that chain's checkpoint instead of following its
 * own: a lead restarting on a manifest nobody applied otherwise led a chain of one
 * (simulator, 16 nodes, seed 25). Returns the peer head to jump to, or null.
 */
export function startupJump(own, peers) {
    const votes = new Map();
    for (const p of peers) {
        if (p.window <= own.window || p.containsOwn)
            continue;
        const v = votes.get(p.digest) ?? { head: { digest: p.digest, window: p.window }, n: 0 };
        v.n++;
        votes.set(p.digest, v);
    }
    const best = [...votes.values()].sort((a, b) => b.n - a.n || b.head.window - a.head.window)[0];
    return best && best.n * 2 > peers.length ? best.head : null;
}
export function preferOnFork(ours, theirs) {
    if (ours.prevDigest !== theirs.prevDigest)
        return false;
    if (theirs.tip !== ours.tip)
        return theirs.tip > ours.tip;
    if (theirs.rank === undefined)
        return false;
    return ours.rank === undefined || theirs.rank < ours.rank;
}
/**
 * What the walk does when a manifest meets ours at the same window: `switch` when both
 * build on the same predecessor and theirs wins (preferOnFork); `deeper` when they
 * build on different predecessors and theirs could still win (its chain reaches at
 * least our head's window): the chains meet further back, walk on to find where;
 * `ignore` otherwise.
 */
export function forkStep(ours, theirs) {
    if (ours.prevDigest === theirs.prevDigest)
        return preferOnFork(ours, theirs) ? 'switch' : 'ignore';
    return theirs.tip >= ours.tip ? 'deeper' : 'ignore';
}
//# sourceMappingURL=replica-core.js.map