// The dev chain as a Chain: in-process (DevChain) or over loopback RPC
// (startDevChainServer + connectDevChain) so that separate node processes share one
// chain. Both go through the same DevChainClient, so they behave identically.
import { signatureVerify } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { ChainError } from './errors.js';
import { DevChainState } from './dev-chain-state.js';
import { randomSalt, weightsCommitHash, weightsToU16 } from './weights.js';
/** calls that change state for a hotkey: they must be signed by that hotkey */
export const SIGNED_METHODS = new Set(['setCommitment', 'setWeights', 'commitWeights', 'revealWeights']);
export function signingMessage(netuid, method, params) {
    return `gradmesh-dev|${netuid}|${method}|${JSON.stringify(params)}`;
}
/** checks a signed call's signature; returns the authenticated hotkey */
export function verifyDevCall(netuid, method, params, hotkey, signature) {
    if (typeof hotkey !== 'string' || typeof signature !== 'string') {
        throw new ChainError('rpc', `${method} must be signed by a hotkey`);
    }
    let ok = false;
    try {
        ok = signatureVerify(signingMessage(netuid, method, params), signature, hotkey).isValid;
    }
    catch {
        ok = false;
    }
    if (!ok)
        throw new ChainError('rpc', `${method}: bad signature for hotkey ${hotkey}`);
    return hotkey;
}
const arr = (v, what) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number'))
        throw new ChainError('rpc', `${what} must be an array of numbers`);
    return v;
};
const str = (v, what) => {
    if (typeof v !== 'string')
        throw new ChainError('rpc', `${what} must be a string`);
    return v;
};
const big = (v, what) => {
    try {
        return BigInt(str(v, what));
    }
    catch {
        throw new ChainError('rpc', `${what} must be an integer string`);
    }
};
/**
 * Executes one dev-chain call against the state. `signer` is the authenticated hotkey
 * for SIGNED_METHODS. Params and results are JSON-safe (bigints as decimal strings).
 */
export function dispatchDevCall(state, method, params, signer) {
    const p = params;
    switch (method) {
        case 'currentBlock': return state.block;
        case 'netuidOf': return state.netuid;
        case 'metagraph': return state.metagraph();
        case 'uidOf': return state.uidOf(str(p[0], 'hotkey'));
        case 'register': return state.register(str(p[0], 'hotkey'), p[1] === undefined ? undefined : str(p[1], 'coldkey'), typeof p[2] === 'number' ? p[2] : 0);
        case 'readCommitments': return [...state.readCommitments()];
        case 'weightsVersionKey': return state.weightsVersionKey.toString();
        case 'commitRevealEnabled': return state.commitReveal;
        case 'weightCommits': return state.weightCommits(str(p[0], 'hotkey'));
        case 'getWeights': return [...state.getWeights(arr([p[0]], 'uid')[0])];
        case 'allWeights': return state.allWeights();
        case 'setCommitment': return state.setCommitment(signer, str(p[0], 'data'));
        case 'setWeights': return state.setWeights(signer, arr(p[0], 'uids'), arr(p[1], 'values'), big(p[2], 'versionKey'));
        case 'commitWeights': return state.commitWeights(signer, str(p[0], 'hash'));
        case 'revealWeights': return state.revealWeights(signer, arr(p[0], 'uids'), arr(p[1], 'values'), arr(p[2], 'salt'), big(p[3], 'versionKey'));
        default: throw new ChainError('rpc', `unknown dev chain method "${method}"`);
    }
}
/** the Chain interface over a dev-chain transport */
export class DevChainClient {
    netuid;
    transport;
    kind = 'dev';
    // salts of commits not yet revealed; the dev chain is ephemeral, so memory suffices
    pending = new Map();
    constructor(netuid, transport) {
        this.netuid = netuid;
        this.transport = transport;
    }
    async currentBlock() {
        return (await this.transport.call('currentBlock', []));
    }
    subscribeBlocks(cb) {
        return this.transport.subscribe(cb);
    }
    async metagraph() {
        return (await this.transport.call('metagraph', []));
    }
    async uidOf(hotkey) {
        return (await this.transport.call('uidOf', [hotkey]));
    }
    async ensureRegistered(hotkey) {
        const uid = await this.uidOf(hotkey);
        if (uid === null) {
            throw new ChainError('not_registered', `hotkey ${hotkey} is not registered on dev subnet ${this.netuid}; register it on the dev chain first (gradmesh testnet registers its nodes; DevChain.register or the "register" RPC call)`);
        }
        return uid;
    }
    /** dev-only convenience: registers a hotkey with a stake; returns the uid */
    async registerHotkey(hotkey, coldkey, stake) {
        return (await this.transport.call('register', [hotkey, coldkey, stake ?? 0]));
    }
    async setCommitment(signer, data) {
        await this.transport.call('setCommitment', [data], signer);
    }
    async readCommitments() {
        return new Map((await this.transport.call('readCommitments', [])));
    }
    async weightsVersionKey() {
        return BigInt((await this.transport.call('weightsVersionKey', [])));
    }
    async commitRevealEnabled() {
        return (await this.transport.call('commitRevealEnabled', []));
    }
    async setWeights(signer, uids, weights) {
        const { uids: u, values } = weightsToU16(uids, weights);
        await this.ensureRegistered(signer.ss58);
        const versionKey = await this.weightsVersionKey();
        if (!(await this.commitRevealEnabled())) {
            const block = (await this.transport.call('setWeights', [u, values, versionKey.toString()], signer));
            return { mode: 'direct', block };
        }
        const salt = randomSalt();
        const hash = weightsCommitHash(signer.ss58, this.netuid, u, values, salt, versionKey);
        const block = (await this.transport.call('commitWeights', [hash], signer));
        const list = this.pending.get(signer.ss58) ?? [];
        list.push({ hash, uids: u, values, salt, versionKey: versionKey.toString() });
        this.pending.set(signer.ss58, list);
        return { mode: 'commit-reveal', block };
    }
    async revealPendingWeights(signer) {
        const list = this.pending.get(signer.ss58) ?? [];
        if (list.length === 0)
            return { revealed: 0, waiting: 0, expired: 0 };
        const onChain = new Map((await this.transport.call('weightCommits', [signer.ss58])).map((c) => [c.hash, c]));
        const block = await this.currentBlock();
        const keep = [];
        let revealed = 0;
        let expired = 0;
        for (const c of list) {
            const e = onChain.get(c.hash);
            if (!e || block > e.lastReveal)
                expired++;
            else if (block < e.firstReveal)
                keep.push(c);
            else {
                await this.transport.call('revealWeights', [c.uids, c.values, c.salt, c.versionKey], signer);
                revealed++;
            }
        }
        this.pending.set(signer.ss58, keep);
        return { revealed, waiting: keep.length, expired };
    }
    async getWeights(uid) {
        return new Map((await this.transport.call('getWeights', [uid])));
    }
    async allWeights() {
        const rows = (await this.transport.call('allWeights', []));
        return new Map(rows.map(([v, row]) => [v, new Map(row)]));
    }
    close() {
        return this.transport.close();
    }
}
/** JSON round trip, so in-process calls see exactly what a remote caller would */
const viaJson = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
/** the in-process dev chain: state plus the Chain interface over it */
export class DevChain extends DevChainClient {
    state;
    constructor(state) {
        super(state.netuid, {
            call: async (method, params, signer) => {
                if (SIGNED_METHODS.has(method)) {
                    if (!signer)
                        throw new ChainError('rpc', `${method} must be signed`);
                    // same authentication as over RPC: the caller must hold the hotkey's secret
                    const msg = signingMessage(state.netuid, method, params);
                    verifyDevCall(state.netuid, method, params, signer.ss58, u8aToHex(signer.pair.sign(msg)));
                }
                return viaJson(dispatchDevCall(state, method, viaJson(params), signer?.ss58));
            },
            subscribe: async (cb) => {
                state.on('block', cb);
                return () => void state.off('block', cb);
            },
            close: async () => state.stop(),
        });
        this.state = state;
    }
    static create(opts) {
        return new DevChain(new DevChainState(opts));
    }
    /** registers a hotkey; uids follow registration order */
    register(hotkey, coldkey, stake) {
        return this.state.register(hotkey, coldkey, stake);
    }
    setStake(hotkey, stake) {
        this.state.setStake(hotkey, stake);
    }
    setCommitReveal(enabled) {
        this.state.commitReveal = enabled;
    }
    setWeightsVersionKey(key) {
        this.state.weightsVersionKey = key;
    }
    /** builds n blocks now (manual chains, tests); returns the new head */
    advance(n = 1) {
        return this.state.advance(n);
    }
}
//# sourceMappingURL=dev-chain.js.map