export const COMMITMENT_PREFIX = 'gm1:';
export function peerCommitment(peerId) {
    return `${COMMITMENT_PREFIX}${peerId}`;
}
export function parsePeerCommitment(data) {
    if (!data.startsWith(COMMITMENT_PREFIX))
        return null;
    const id = data.slice(COMMITMENT_PREFIX.length).trim();
    // base58btc PeerIds (12D3Koo…, Qm…) or CIDv1 base32 (bafz…): reject anything else early.
    return /^[1-9A-HJ-NP-Za-km-z]{40,80}$|^b[a-z2-7]{50,100}$/.test(id) ? id : null;
}
export class PeerDirectory {
    chain;
    byPeer = new Map();
    byUid = new Map();
    neurons = [];
    constructor(chain) {
        this.chain = chain;
    }
    async refresh() {
        const [neurons, commitments] = await Promise.all([this.chain.metagraph(), this.chain.readCommitments()]);
        const byPeer = new Map();
        const byUid = new Map();
        for (const n of neurons) {
            const c = commitments.get(n.hotkey);
            const peerId = c === undefined ? null : parsePeerCommitment(c);
            if (!peerId)
                continue;
            // One PeerId may be claimed by one hotkey only: a second claim is ignored.
            if (byPeer.has(peerId))
                continue;
            const info = { uid: n.uid, hotkey: n.hotkey, peerId, stake: n.stake, validatorPermit: n.validatorPermit };
            byPeer.set(peerId, info);
            byUid.set(n.uid, info);
        }
        this.neurons = neurons;
        this.byPeer = byPeer;
        this.byUid = byUid;
    }
    get metagraph() {
        return this.neurons;
    }
    peer(peerId) {
        return this.byPeer.get(peerId);
    }
    uid(uid) {
        return this.byUid.get(uid);
    }
    registeredPeerIds() {
        return new Set(this.byPeer.keys());
    }
    /** Validators with a committed PeerId, highest stake first (ties: lower uid first). */
    validators() {
        return [...this.byPeer.values()].filter((p) => p.validatorPermit).sort((a, b) => b.stake - a.stake || a.uid - b.uid);
    }
    stakeScores() {
        const m = new Map();
        for (const p of this.byPeer.values())
            m.set(p.peerId, p.stake);
        return m;
    }
}
//# sourceMappingURL=peer-directory.js.map