// The dev chain's state machine: blocks on a timer (or by hand), uids in registration
// order, stake from config, weights, hash commit-reveal and commitments stored. It is
// synchronous and trusts its caller; authentication happens in front of it (signatures
// in the RPC server, key possession in-process).
import { EventEmitter } from 'node:events';
import { ChainError } from './errors.js';
import { MAX_COMMITMENT_BYTES } from './types.js';
import { weightsCommitHash, U16_MAX } from './weights.js';
export class DevChainState extends EventEmitter {
    netuid;
    block = 0;
    commitReveal;
    weightsVersionKey;
    revealPeriodBlocks;
    revealWindowBlocks;
    maxValidators;
    neurons = [];
    byHotkey = new Map();
    commitments = new Map();
    commits = new Map();
    timer;
    constructor(opts) {
        super();
        this.netuid = opts.netuid ?? 1;
        this.commitReveal = opts.commitReveal ?? false;
        this.weightsVersionKey = opts.weightsVersionKey ?? 0n;
        this.revealPeriodBlocks = opts.revealPeriodBlocks ?? 2;
        this.revealWindowBlocks = opts.revealWindowBlocks ?? 10;
        this.maxValidators = opts.maxValidators ?? 64;
        for (const n of opts.neurons ?? [])
            this.register(n.hotkey, n.coldkey, n.stake);
        if (opts.blockTimeMs > 0) {
            // a running chain keeps its process alive until close()
            this.timer = setInterval(() => this.advance(1), opts.blockTimeMs);
        }
    }
    advance(n = 1) {
        for (let i = 0; i < n; i++) {
            this.block++;
            this.emit('block', this.block);
        }
        return this.block;
    }
    stop() {
        clearInterval(this.timer);
        this.timer = undefined;
    }
    /** registers a hotkey (idempotent); returns its uid */
    register(hotkey, coldkey = hotkey, stake = 0) {
        const known = this.byHotkey.get(hotkey);
        if (known)
            return known.uid;
        const n = { uid: this.neurons.length, hotkey, coldkey, stake, lastUpdate: 0, weights: new Map() };
        this.neurons.push(n);
        this.byHotkey.set(hotkey, n);
        return n.uid;
    }
    setStake(hotkey, stake) {
        this.need(hotkey).stake = stake;
    }
    uidOf(hotkey) {
        return this.byHotkey.get(hotkey)?.uid ?? null;
    }
    need(hotkey) {
        const n = this.byHotkey.get(hotkey);
        if (!n) {
            throw new ChainError('not_registered', `hotkey ${hotkey} is not registered on dev subnet ${this.netuid}; register it with the dev chain's register call (gradmesh testnet does this for its nodes)`);
        }
        return n;
    }
    permits() {
        const ranked = [...this.neurons].sort((a, b) => b.stake - a.stake || a.uid - b.uid);
        return new Set(ranked.slice(0, this.maxValidators).map((n) => n.uid));
    }
    /**
     * A small Yuma: each permitted validator's row is normalised and weighed by its share
     * of the stake of the validators that set weights. rank = Σ S_v·W_vu; consensus = the
     * stake-weighted median of W_vu (the largest c that validators holding half the stake
     * give at least); trust = what of the rank survives clipping each W_vu to consensus;
     * incentive = rank normalised over uids (unclipped, as before); dividends = the
     * validator's stake share; emission: 1 alpha per block, half to miners by incentive
     * and half to validators by dividends.
     */
    metagraph() {
        const permits = this.permits();
        const n = this.neurons.length;
        const voters = this.neurons.filter((v) => permits.has(v.uid) && v.weights.size > 0);
        const totalValStake = voters.reduce((a, v) => a + v.stake, 0);
        const rows = voters.map((v) => {
            const sum = [...v.weights.values()].reduce((a, b) => a + b, 0);
            const w = new Array(n).fill(0);
            for (const [uid, x] of v.weights)
                if (uid < n && sum > 0)
                    w[uid] = x / sum;
            return { s: totalValStake > 0 ? v.stake / totalValStake : 0, w };
        });
        const rank = new Array(n).fill(0);
        const consensus = new Array(n).fill(0);
        const clipped = new Array(n).fill(0);
        for (let u = 0; u < n; u++) {
            for (const r of rows)
                rank[u] += r.s * r.w[u];
            const byWeight = [...rows].sort((a, b) => b.w[u] - a.w[u]);
            let acc = 0;
            for (const r of byWeight) {
                acc += r.s;
                if (acc >= 0.5 - 1e-12) {
                    consensus[u] = r.w[u];
                    break;
                }
            }
            for (const r of rows)
                clipped[u] += r.s * Math.min(r.w[u], consensus[u]);
        }
        const totalRank = rank.reduce((a, b) => a + b, 0);
        return this.neurons.map((x) => {
            const incentive = totalRank > 0 ? rank[x.uid] / totalRank : 0;
            const dividends = totalValStake > 0 && x.weights.size > 0 && permits.has(x.uid) ? x.stake / totalValStake : 0;
            return {
                uid: x.uid,
                hotkey: x.hotkey,
                coldkey: x.coldkey,
                stake: x.stake,
                validatorPermit: permits.has(x.uid),
                incentive,
                dividends,
                lastUpdate: x.lastUpdate,
                rank: rank[x.uid],
                trust: rank[x.uid] > 0 ? clipped[x.uid] / rank[x.uid] : 0,
                consensus: consensus[x.uid],
                emission: 0.5 * incentive + 0.5 * dividends,
            };
        });
    }
    setCommitment(hotkey, data) {
        this.need(hotkey);
        if (Buffer.byteLength(data, 'utf8') > MAX_COMMITMENT_BYTES) {
            throw new ChainError('commitment_too_long', `commitment is ${Buffer.byteLength(data)} bytes; at most ${MAX_COMMITMENT_BYTES}`);
        }
        this.commitments.set(hotkey, data);
        return this.block;
    }
    readCommitments() {
        return new Map(this.commitments);
    }
    checkWeights(n, uids, values, versionKey) {
        if (versionKey < this.weightsVersionKey) {
            throw new ChainError('extrinsic_failed', `setWeights failed: IncorrectWeightVersionKey (chain wants ≥ ${this.weightsVersionKey}); upgrade gradmesh`);
        }
        if (uids.length !== values.length || uids.some((u) => !Number.isInteger(u) || u < 0 || u >= this.neurons.length) || values.some((v) => !Number.isInteger(v) || v < 0 || v > U16_MAX)) {
            throw new ChainError('bad_weights', 'setWeights failed: uids must be registered uids and values u16, one value per uid');
        }
        const selfOnly = uids.length === 1 && uids[0] === n.uid;
        if (!selfOnly && !this.permits().has(n.uid)) {
            throw new ChainError('extrinsic_failed', 'setWeights failed: NeuronNoValidatorPermit; add stake so the hotkey is among the top validators');
        }
    }
    applyWeights(n, uids, values) {
        n.weights = new Map(uids.map((u, i) => [u, values[i]]).filter(([, v]) => v > 0));
        n.lastUpdate = this.block;
        return this.block;
    }
    setWeights(hotkey, uids, values, versionKey) {
        const n = this.need(hotkey);
        if (this.commitReveal)
            throw new ChainError('extrinsic_failed', 'setWeights failed: CommitRevealEnabled; commit a hash, then reveal');
        this.checkWeights(n, uids, values, versionKey);
        return this.applyWeights(n, uids, values);
    }
    commitWeights(hotkey, hash) {
        this.need(hotkey);
        if (!this.commitReveal)
            throw new ChainError('extrinsic_failed', 'commitWeights failed: CommitRevealDisabled; set weights directly');
        const list = this.commits.get(hotkey) ?? [];
        const firstReveal = this.block + this.revealPeriodBlocks;
        list.push({ hash, commitBlock: this.block, firstReveal, lastReveal: firstReveal + this.revealWindowBlocks });
        this.commits.set(hotkey, list);
        return this.block;
    }
    weightCommits(hotkey) {
        return [...(this.commits.get(hotkey) ?? [])].filter((c) => c.lastReveal >= this.block);
    }
    revealWeights(hotkey, uids, values, salt, versionKey) {
        const n = this.need(hotkey);
        const hash = weightsCommitHash(hotkey, this.netuid, uids, values, salt, versionKey);
        const list = this.commits.get(hotkey) ?? [];
        const i = list.findIndex((c) => c.hash === hash);
        if (i < 0)
            throw new ChainError('extrinsic_failed', 'revealWeights failed: InvalidRevealCommitHashNotMatch; the revealed data does not match any commit');
        const c = list[i];
        if (this.block < c.firstReveal)
            throw new ChainError('extrinsic_failed', 'revealWeights failed: RevealTooEarly; wait for the reveal window');
        if (this.block > c.lastReveal)
            throw new ChainError('extrinsic_failed', 'revealWeights failed: ExpiredWeightCommit');
        this.checkWeights(n, uids, values, versionKey);
        list.splice(i, 1);
        return this.applyWeights(n, uids, values);
    }
    getWeights(uid) {
        return new Map(this.neurons[uid]?.weights ?? []);
    }
    allWeights() {
        return this.neurons.filter((x) => x.weights.size > 0).map((x) => [x.uid, [...x.weights]]);
    }
}
//# sourceMappingURL=dev-chain-state.js.map