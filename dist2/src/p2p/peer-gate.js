// Peer gating and the app-specific part of the gossipsub score.
// The chain layer feeds the set of PeerIds committed by registered hotkeys (and the
// validators among them) and a stake-based score. Until a set is given, everyone is
// admitted (a fresh node has not read the chain yet; a dev swarm may have no chain).
//
// Being unknown is not an offence. A node reads the commitments once per window (and
// when asked, see P2PNode.onUnknownPeer), so a peer that committed its PeerId after
// that read looks unregistered for a while although it is honest. Its messages are
// ignored (no gossipsub penalty), its blob requests refused, and the node asks for a
// re-read; nothing is held against it.
//
// Offences are for what an honest peer never does, e.g. serving bytes that do not
// match their digest. Each one lives `offenceTtlMs` (10 min by default); while any
// lives, the peer's app score is OFFENDER_SCORE per live offence (far below the
// graylist threshold: its gossip RPCs are ignored), its connections are refused
// (except bootstrap peers: the node reaches the network through them), its blob
// requests are refused and blob fetches try it last. When a peer becomes
// registered, offences that its unregistration caused are forgiven.
/** App score per live offence: one is far below the graylist threshold. */
export const OFFENDER_SCORE = -10_000;
/** How long an offence counts (default). */
export const OFFENCE_TTL_MS = 10 * 60_000;
/** Offences whose reason starts with this were caused by the peer being unregistered: registration forgives them. */
export const UNREGISTERED_REASON = 'unregistered';
/** Gossipsub score thresholds used by the host (see host.ts). */
export const SCORE_THRESHOLDS = { gossipThreshold: -100, publishThreshold: -500, graylistThreshold: -1000, acceptPXThreshold: 10, opportunisticGraftThreshold: 5 };
/** Most offences remembered per peer (the oldest goes first). */
const MAX_OFFENCES = 16;
export class PeerGate {
    registered = null;
    validators = new Set();
    appScores = new Map();
    offences = new Map();
    ttlMs;
    alwaysConnect;
    now;
    constructor(opts = {}) {
        this.ttlMs = opts.offenceTtlMs ?? OFFENCE_TTL_MS;
        this.alwaysConnect = new Set(opts.alwaysConnect ?? []);
        this.now = opts.now ?? Date.now;
    }
    setRegistered(peerIds, validators) {
        this.registered = new Set(peerIds);
        if (validators) {
            this.validators = new Set(validators);
            for (const v of validators)
                this.registered.add(v);
        }
        // Registration forgives what unregistration caused: the peer was only early.
        for (const [peer, list] of this.offences) {
            if (!this.registered.has(peer))
                continue;
            const kept = list.filter((o) => !o.reason.startsWith(UNREGISTERED_REASON));
            if (kept.length === 0)
                this.offences.delete(peer);
            else if (kept.length !== list.length)
                this.offences.set(peer, kept);
        }
    }
    setAppScores(scores) {
        this.appScores = new Map(scores);
    }
    /** True once a registered set has been given (before that everyone is admitted). */
    knowsRegistered() {
        return this.registered !== null;
    }
    /** True when the peer may publish announcements. */
    isRegistered(peerId) {
        return this.registered === null || this.registered.has(peerId);
    }
    /** True when the peer may publish manifests (validators; anyone registered until validators are known). */
    isValidator(peerId) {
        if (this.validators.size === 0)
            return this.isRegistered(peerId);
        return this.validators.has(peerId);
    }
    /**
     * May the signer publish on this topic? 'unknown' is never an offence: our set may
     * be older than its commitment. The caller ignores the message and asks for a
     * re-read. Any registered signer passes here, manifests included: which registered
     * peer may speak for a window is the node's speaker rule (its manifest guard), which
     * rejects and penalises the others.
     */
    senderVerdict(peerId, _topic) {
        return this.isRegistered(peerId) ? 'allowed' : 'unknown';
    }
    /** Is a blob request from this peer served? Offenders first (a bootstrap peer may be both connected and an offender). */
    requesterVerdict(peerId) {
        if (this.isPenalised(peerId))
            return 'offender';
        return this.isRegistered(peerId) ? 'serve' : 'unknown';
    }
    /**
     * Connection gater's rule: a peer with live offences is refused, unless it is a
     * bootstrap peer. Unknown and unregistered peers are let in: a fresh node's
     * commitment may not have been read yet, and the DHT needs connections.
     */
    refusesConnection(peerId) {
        return !this.alwaysConnect.has(peerId) && this.isPenalised(peerId);
    }
    validatorPeers() {
        return [...this.validators];
    }
    penalise(peerId, reason) {
        const list = this.live(peerId);
        list.push({ reason, atMs: this.now() });
        if (list.length > MAX_OFFENCES)
            list.shift();
        this.offences.set(peerId, list);
    }
    /** True while the peer has a live offence. */
    isPenalised(peerId) {
        return this.live(peerId).length > 0;
    }
    /** Live offences by peer. */
    penalties() {
        const out = new Map();
        for (const peer of [...this.offences.keys()]) {
            const list = this.live(peer);
            if (list.length > 0)
                out.set(peer, list.map((o) => ({ ...o })));
        }
        return out;
    }
    /** gossipsub appSpecificScore hook: OFFENDER_SCORE per live offence (stake does not shield), else the stake score */
    appScore = (peerId) => {
        const n = this.live(peerId).length;
        if (n > 0)
            return OFFENDER_SCORE * n;
        const s = this.appScores.get(peerId) ?? 0;
        return Number.isFinite(s) ? s : 0;
    };
    /** The peer's offences that have not expired; expired ones are dropped (so the map does not grow). */
    live(peerId) {
        const list = this.offences.get(peerId);
        if (!list)
            return [];
        const cutoff = this.now() - this.ttlMs;
        if (list.every((o) => o.atMs > cutoff))
            return list;
        const kept = list.filter((o) => o.atMs > cutoff);
        if (kept.length === 0)
            this.offences.delete(peerId);
        else
            this.offences.set(peerId, kept);
        return kept;
    }
}
//# sourceMappingURL=peer-gate.js.map