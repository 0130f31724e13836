// The chain of applied manifests. Each manifest names the digest of the one
// before it (zero for the first of a run), so a node that missed some — a
// restart, a lost gossip message — walks back from the newest one it hears,
// fetching each missing manifest by digest, and replays them in order. Windows
// with no manifest between two linked ones were null rounds (θ unchanged).
export const GENESIS_DIGEST = '0'.repeat(64);
export class ManifestChain {
    keepWindows;
    lastDigest;
    lastWindow;
    /** Digests applied, by window, kept for a bounded number of windows. */
    applied = new Map();
    constructor(last = { digest: GENESIS_DIGEST, window: -1 }, keepWindows = 256) {
        this.keepWindows = keepWindows;
        this.lastDigest = last.digest;
        this.lastWindow = last.window;
    }
    get head() {
        return { digest: this.lastDigest, window: this.lastWindow };
    }
    place(m) {
        if (m.window <= this.lastWindow) {
            const known = this.applied.get(m.window);
            if (known === m.digest || (m.window === this.lastWindow && m.digest === this.lastDigest))
                return { kind: 'applied' };
            if (known === undefined && m.window < this.lastWindow)
                return { kind: 'applied' };
            return { kind: 'fork', reason: `window ${m.window} already has manifest ${(known ?? this.lastDigest).slice(0, 12)}…` };
        }
        if (m.prevDigest === this.lastDigest)
            return { kind: 'next' };
        return { kind: 'gap', missing: m.prevDigest };
    }
    /**
     * Steps the head back to `to`, an earlier head of this chain (a fallback manifest
     * superseded by a higher-precedence one for the same window).
     */
    rewind(to) {
        if (to.window >= this.lastWindow)
            throw new Error(`cannot rewind from window ${this.lastWindow} to ${to.window}`);
        for (const w of [...this.applied.keys()])
            if (w > to.window)
                this.applied.delete(w);
        this.lastDigest = to.digest;
        this.lastWindow = to.window;
    }
    /** Records m as applied; the caller must have checked place(m).kind === 'next'. */
    advance(m) {
        if (m.prevDigest !== this.lastDigest || m.window <= this.lastWindow) {
            throw new Error(`manifest for window ${m.window} does not link onto window ${this.lastWindow}`);
        }
        this.applied.set(m.window, m.digest);
        this.lastDigest = m.digest;
        this.lastWindow = m.window;
        for (const w of this.applied.keys())
            if (w < m.window - this.keepWindows)
                this.applied.delete(w);
    }
}
//# sourceMappingURL=manifest-chain.js.map