// The rules of the swarm, free of I/O: which piece to ask for next and from whom
// (fetcher), whether to serve a request (holder), and what a peer's misbehaviour costs.
// Time comes in as `now` (ms) and randomness as `random()`, so every rule is tested alone.
//
// Fetcher (PieceScheduler, one per blob being fetched):
// - rarest first: of the pieces not held and not requested, those with the fewest known
//   holders go first (ties in random order, so fetchers started together spread out);
// - holders other than the blob's origin (its announcer) are preferred as soon as any
//   holds the piece: the origin's uplink is the scarcest thing in the swarm; while every
//   other holder of a piece is at its bound, the piece waits rather than go to the origin;
// - at most `maxInFlightPerPeer` requests to one peer, counted over every blob (PeerLoad);
// - a request unanswered after `requestTimeoutMs` goes to another holder (the slow peer
//   is skipped for that piece for `retryAfterMs`); a piece failing its hash bans the
//   sender from this blob and the node penalises it; a NOT_HAVE for an announced piece
//   is a strike, and `maxStrikes` strikes ban the peer from this blob;
// - BUSY backs off from that peer for `busyBackoffMs`; ELSEWHERE skips that peer for that
//   piece until another holder shows up or `retryAfterMs` passes; a piece refused
//   ELSEWHERE with no other holder in sight is asked again with ONLY_SOURCE;
// - endgame: once every missing piece is requested and at most `endgameMax` are
//   missing, a piece in flight longer than `endgameAfterMs` is also asked of one more holder.
//
// Holder (ServePolicy, one per node): at most `maxQueuedPerPeer` of one peer's requests
// and `maxQueued` in all wait to be served (more: BUSY); the origin of a blob serves each
// piece once, then answers ELSEWHERE while another peer has announced it (or while its
// one copy is still in transit, for `regrantAfterMs`), unless the requester says it has
// no other source (super-seeding: the origin's uplink pushes every piece out once).
export const DEFAULT_SCHEDULER = {
    maxInFlightPerPeer: 2,
    requestTimeoutMs: 20_000,
    retryAfterMs: 2_000,
    busyBackoffMs: 300,
    maxStrikes: 3,
    endgameMax: 4,
    endgameAfterMs: 1_500,
};
/** Requests in flight to each peer, over every blob this node fetches. */
export class PeerLoad {
    n = new Map();
    get(peer) { return this.n.get(peer) ?? 0; }
    add(peer, d) {
        const v = this.get(peer) + d;
        if (v <= 0)
            this.n.delete(peer);
        else
            this.n.set(peer, v);
    }
}
export class PieceScheduler {
    count;
    origins;
    load;
    holders = new Map();
    have;
    missing;
    inflight = new Map();
    banned = new Set();
    strikes = new Map();
    /** (peer, piece) → skip until: refused ELSEWHERE (lifted when another holder shows up) */
    skip = new Map();
    /** (peer, piece) → skip until: timed out (not lifted early) */
    slow = new Map();
    /** piece → asked with ONLY_SOURCE next time */
    lonely = new Set();
    backoff = new Map();
    order;
    opts;
    constructor(count, origins, load, opts = {}, random = Math.random) {
        this.count = count;
        this.origins = origins;
        this.load = load;
        this.opts = { ...DEFAULT_SCHEDULER, ...opts };
        this.have = new Uint8Array(count);
        this.missing = count;
        // a random order breaks ties between equally rare pieces differently on each fetcher
        this.order = Array.from({ length: count }, (_, i) => i);
        for (let i = count - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
        }
    }
    done() { return this.missing === 0; }
    missingCount() { return this.missing; }
    holds(index) { return this.have[index] === 1; }
    isBanned(peer) { return this.banned.has(peer); }
    inFlightCount() { let n = 0; for (const l of this.inflight.values())
        n += l.length; return n; }
    /** peers known to hold at least one piece we lack (not banned) */
    sourceCount() {
        let n = 0;
        for (const [p, s] of this.holders)
            if (!this.banned.has(p) && [...s].some((i) => !this.have[i]))
                n++;
        return n;
    }
    /** A peer's HAVE: the full set of pieces it holds (replaces what it said before). */
    setHave(peer, pieces) {
        if (this.banned.has(peer))
            return;
        const s = new Set();
        for (const i of pieces)
            if (i >= 0 && i < this.count)
                s.add(i);
        const before = this.holders.get(peer);
        this.holders.set(peer, s);
        // a new holder of a piece lifts ELSEWHERE skips of that piece
        for (const i of s)
            if (!before?.has(i))
                this.newHolder(i, peer);
    }
    newHolder(index, peer) {
        this.lonely.delete(index);
        for (const key of [...this.skip.keys()])
            if (key.endsWith(`#${index}`) && !key.startsWith(`${peer}#`))
                this.skip.delete(key);
    }
    /** A peer left (or its session broke): its requests are free to go elsewhere. */
    dropPeer(peer) {
        this.holders.delete(peer);
        for (const [i, list] of this.inflight)
            this.removeInflight(i, list.filter((r) => r.peer === peer).map((r) => r.peer));
    }
    removeInflight(index, peers) {
        const list = this.inflight.get(index);
        if (!list)
            return;
        for (const p of peers) {
            const k = list.findIndex((r) => r.peer === p);
            if (k >= 0) {
                list.splice(k, 1);
                this.load.add(p, -1);
            }
        }
        if (list.length === 0)
            this.inflight.delete(index);
    }
    ban(peer) {
        this.banned.add(peer);
        this.dropPeer(peer);
    }
    /** Whether a piece from this peer is expected (asked of it, or not yet held at all). */
    wants(index) {
        return index >= 0 && index < this.count && !this.have[index];
    }
    /**
     * A piece arrived; `valid` says whether it matched its hash. Returns 'penalise' for a
     * wrong piece (the sender is banned from this blob), 'ignored' for one not needed.
     * Returns the peers whose duplicate requests for it should be cancelled in `cancel`.
     */
    onPiece(peer, index, valid) {
        const asked = this.inflight.get(index)?.some((r) => r.peer === peer) ?? false;
        if (!valid) {
            this.removeInflight(index, [peer]);
            this.ban(peer);
            return { verdict: 'penalise', cancel: [] };
        }
        if (!asked || this.have[index]) {
            this.removeInflight(index, [peer]);
            return { verdict: 'ignored', cancel: [] };
        }
        this.have[index] = 1;
        this.missing--;
        const others = (this.inflight.get(index) ?? []).map((r) => r.peer).filter((p) => p !== peer);
        this.removeInflight(index, [peer, ...others]);
        return { verdict: 'ok', cancel: others };
    }
    /** The holder refused a request. */
    onRefused(peer, index, reason, now) {
        const asked = this.inflight.get(index)?.some((r) => r.peer === peer) ?? false;
        this.removeInflight(index, [peer]);
        if (!asked)
            return;
        switch (reason) {
            case 'busy':
                this.backoff.set(peer, now + this.opts.busyBackoffMs);
                break;
            case 'elsewhere': {
                this.skip.set(`${peer}#${index}`, now + this.opts.retryAfterMs);
                // nobody else holds it: next time say so (the origin then serves it)
                const others = [...this.holders].some(([p, s]) => p !== peer && !this.banned.has(p) && s.has(index));
                if (!others)
                    this.lonely.add(index);
                break;
            }
            case 'not-have': {
                // it announced the piece and does not have it: a strike, and forget its claim
                this.holders.get(peer)?.delete(index);
                const n = (this.strikes.get(peer) ?? 0) + 1;
                this.strikes.set(peer, n);
                if (n >= this.opts.maxStrikes)
                    this.ban(peer);
                break;
            }
            case 'refused':
                this.ban(peer);
                break;
        }
    }
    /** Requests older than the timeout: freed, the slow peer skipped for that piece. */
    expire(now) {
        const expired = [];
        for (const [i, list] of [...this.inflight]) {
            for (const r of [...list]) {
                if (now - r.at < this.opts.requestTimeoutMs)
                    continue;
                expired.push({ peer: r.peer, index: i, onlySource: false });
                this.removeInflight(i, [r.peer]);
                this.slow.set(`${r.peer}#${i}`, now + this.opts.retryAfterMs);
            }
        }
        return expired;
    }
    /** New requests to send now (each one is counted in flight at once). */
    next(now) {
        const out = [];
        const usable = (p) => !this.banned.has(p) && this.load.get(p) < this.opts.maxInFlightPerPeer && (this.backoff.get(p) ?? 0) <= now;
        const skipped = (p, i) => (this.skip.get(`${p}#${i}`) ?? 0) > now || (this.slow.get(`${p}#${i}`) ?? 0) > now;
        const candidates = [];
        this.order.forEach((index, rank) => {
            if (this.have[index] || this.inflight.has(index))
                return;
            let rarity = 0;
            for (const [p, s] of this.holders)
                if (s.has(index) && !this.banned.has(p))
                    rarity++;
            if (rarity > 0)
                candidates.push({ index, rarity, rank });
        });
        candidates.sort((a, b) => a.rarity - b.rarity || a.rank - b.rank);
        for (const c of candidates) {
            const peer = this.pickHolder(c.index, usable, skipped, []);
            if (!peer)
                continue;
            this.assign(peer, c.index, now);
            out.push({ peer, index: c.index, onlySource: this.lonely.has(c.index) });
        }
        // endgame: the last few pieces, requested a while ago, go to one more holder as well
        if (candidates.length === 0 && this.missing > 0 && this.missing <= this.opts.endgameMax) {
            for (const [index, list] of this.inflight) {
                if (list.length !== 1 || now - list[0].at < this.opts.endgameAfterMs)
                    continue;
                const peer = this.pickHolder(index, usable, skipped, [list[0].peer]);
                if (!peer)
                    continue;
                this.assign(peer, index, now);
                out.push({ peer, index, onlySource: false });
            }
        }
        return out;
    }
    assign(peer, index, now) {
        const list = this.inflight.get(index) ?? [];
        list.push({ peer, at: now });
        this.inflight.set(index, list);
        this.load.add(peer, 1);
    }
    /**
     * The holder to ask: a non-origin holder when any holds the piece (the least loaded;
     * if all are at their bound the piece waits), else the origin.
     */
    pickHolder(index, usable, skipped, not) {
        let best;
        let bestLoad = Infinity;
        let othersExist = false;
        let origin;
        for (const [p, s] of this.holders) {
            if (!s.has(index) || this.banned.has(p) || not.includes(p) || skipped(p, index))
                continue;
            if (this.origins.has(p)) {
                if (usable(p))
                    origin = p;
                continue;
            }
            othersExist = true;
            if (!usable(p))
                continue;
            const l = this.load.get(p);
            if (l < bestLoad) {
                best = p;
                bestLoad = l;
            }
        }
        if (best)
            return best;
        return othersExist ? undefined : origin;
    }
}
export const DEFAULT_SERVE = { maxQueuedPerPeer: 4, maxQueued: 24, regrantAfterMs: 4_000 };
/** What the origin of a blob knows about each of its pieces. */
export class OriginPieces {
    count;
    sent;
    lastSent;
    /** peers that announced each piece (other than us) */
    elsewhere;
    constructor(count) {
        this.count = count;
        this.sent = new Uint32Array(count);
        this.lastSent = new Float64Array(count);
        this.elsewhere = Array.from({ length: count }, () => new Set());
    }
    noteHave(peer, pieces) {
        for (let i = 0; i < this.count; i++) {
            if (pieces(i))
                this.elsewhere[i].add(peer);
            else
                this.elsewhere[i].delete(peer);
        }
    }
    dropPeer(peer) {
        for (const s of this.elsewhere)
            s.delete(peer);
    }
    noteSent(index, now) {
        this.sent[index]++;
        this.lastSent[index] = now;
    }
    sentCount(index) { return this.sent[index] ?? 0; }
    /** the super-seeding rule: serve a piece once; then let the swarm serve it */
    decide(index, onlySource, now, regrantAfterMs) {
        if (this.sent[index] === 0 || onlySource)
            return 'serve';
        if (this.elsewhere[index].size > 0)
            return 'elsewhere';
        return now - this.lastSent[index] < regrantAfterMs ? 'elsewhere' : 'serve';
    }
}
/** The holder's queue bounds (a peer asking for everything gets BUSY, not the uplink). */
export class ServeQueue {
    opts;
    perPeer = new Map();
    total = 0;
    constructor(opts = DEFAULT_SERVE) {
        this.opts = opts;
    }
    admit(peer) {
        const n = this.perPeer.get(peer) ?? 0;
        if (n >= this.opts.maxQueuedPerPeer || this.total >= this.opts.maxQueued)
            return false;
        this.perPeer.set(peer, n + 1);
        this.total++;
        return true;
    }
    release(peer) {
        const n = this.perPeer.get(peer) ?? 0;
        if (n <= 0)
            return;
        if (n === 1)
            this.perPeer.delete(peer);
        else
            this.perPeer.set(peer, n - 1);
        this.total--;
    }
    queued(peer) { return peer ? this.perPeer.get(peer) ?? 0 : this.total; }
}
//# sourceMappingURL=swarm-policy.js.map