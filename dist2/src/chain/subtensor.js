// The subtensor backend: the Chain interface over @polkadot/api.
import { ApiPromise } from '@polkadot/api';
import { encodeAddress } from '@polkadot/util-crypto';
import { u8aToString } from '@polkadot/util';
import { ChainError } from './errors.js';
import { CommitStore, defaultCommitDir } from './commit-store.js';
import { openProvider, resolveEndpoint } from './subtensor-connect.js';
import { SS58_FORMAT } from './wallet.js';
import { randomSalt, weightsCommitHash, weightsToU16 } from './weights.js';
import { MAX_COMMITMENT_BYTES } from './types.js';
export const RAO_PER_UNIT = 1e9;
// Hints for the module errors an operator is most likely to meet.
const ERROR_HINTS = {
    HotKeyNotRegisteredInSubNet: 'register the hotkey first: btcli subnets register --netuid N --wallet.name W --wallet.hotkey H',
    HotKeyAccountNotExists: 'register the hotkey first: btcli subnets register',
    SubNetworkDoesNotExist: 'check --netuid (btcli subnets list)',
    SubnetNotExists: 'check --netuid (btcli subnets list)',
    NeuronNoValidatorPermit: 'only validators with a permit may weight other uids; add stake and wait for the next epoch',
    SettingWeightsTooFast: 'the subnet rate-limits set_weights; wait weights_rate_limit blocks',
    CommitRevealEnabled: 'the subnet uses commit-reveal; gradmesh commits automatically when it reads commitRevealWeightsEnabled',
    RevealTooEarly: 'wait for the reveal window (revealPendingWeights retries later)',
    IncorrectCommitRevealVersion: 'the runtime expects timelocked (drand) commits, which gradmesh does not implement yet',
    IncorrectWeightVersionKey: 'the subnet raised weights_version_key; upgrade gradmesh',
    NotEnoughBalanceToStake: 'fund the coldkey (btcli wallet transfer) and retry',
    NotEnoughBalance: 'fund the account that signs (btcli wallet balance)',
    TooManyRegistrationsThisBlock: 'retry in the next block',
    TooManyRegistrationsThisInterval: 'registration is rate-limited; retry in a later interval',
    HotKeyAlreadyRegisteredInSubNet: 'the hotkey is already registered; nothing to do',
};
const nums = (c) => c.map((x) => x.toNumber());
export class SubtensorChain {
    api;
    netuid;
    opts;
    kind = 'subtensor';
    nonces = new Map();
    sendQueue = new Map();
    closed = false;
    constructor(api, netuid, opts) {
        this.api = api;
        this.netuid = netuid;
        this.opts = opts;
    }
    get sm() {
        return this.api.query.subtensorModule;
    }
    async currentBlock() {
        const h = await this.api.rpc.chain.getHeader();
        return h.number.toNumber();
    }
    async subscribeBlocks(cb) {
        let last = -1;
        const unsub = await this.api.rpc.chain.subscribeNewHeads((h) => {
            const n = h.number.toNumber();
            if (n > last) {
                last = n;
                cb(n);
            }
        });
        return () => unsub();
    }
    async metagraph() {
        const netuid = this.netuid;
        const [keys, incentive, dividends, permits, lastUpdate] = await Promise.all([
            this.sm.keys.entries(netuid),
            this.sm.incentive(netuid),
            this.sm.dividends(netuid),
            this.sm.validatorPermit(netuid),
            this.sm.lastUpdate(netuid),
        ]);
        const byUid = keys
            .map(([k, v]) => ({ uid: k.args[1].toNumber(), hotkey: encodeAddress(v.toU8a(), SS58_FORMAT) }))
            .sort((a, b) => a.uid - b.uid);
        const hotkeys = byUid.map((n) => n.hotkey);
        const [owners, alphas] = await Promise.all([
            this.sm.owner.multi(hotkeys),
            this.sm.totalHotkeyAlpha.multi(hotkeys.map((h) => [h, netuid])),
        ]);
        const inc = nums(incentive);
        const div = nums(dividends);
        const pay = await this.payVectors();
        const perm = permits.map((x) => x.isTrue);
        const lu = nums(lastUpdate);
        return byUid.map(({ uid, hotkey }, i) => ({
            uid,
            hotkey,
            coldkey: encodeAddress(owners[i].toU8a(), SS58_FORMAT),
            stake: Number(alphas[i].toBigInt()) / RAO_PER_UNIT,
            validatorPermit: perm[uid] ?? false,
            incentive: (inc[uid] ?? 0) / 65535,
            dividends: (div[uid] ?? 0) / 65535,
            lastUpdate: lu[uid] ?? 0,
            ...(pay.rank ? { rank: (pay.rank[uid] ?? 0) / 65535 } : {}),
            ...(pay.trust ? { trust: (pay.trust[uid] ?? 0) / 65535 } : {}),
            ...(pay.consensus ? { consensus: (pay.consensus[uid] ?? 0) / 65535 } : {}),
            ...(pay.emission ? { emission: (pay.emission[uid] ?? 0) / RAO_PER_UNIT } : {}),
        }));
    }
    /**
     * Rank, Trust, Consensus (u16 vectors) and Emission (rao per tempo) of the subnet. A
     * runtime that no longer has one of these maps (subtensor has been dropping Rank and
     * Trust) leaves it out rather than failing the metagraph.
     */
    async payVectors() {
        const sm = this.sm;
        const out = {};
        await Promise.all(['rank', 'trust', 'consensus', 'emission'].map(async (k) => {
            const q = sm[k];
            if (typeof q !== 'function')
                return;
            try {
                out[k] = nums(await q(this.netuid));
            }
            catch {
                // absent on this runtime: reported as unknown
            }
        }));
        return out;
    }
    async uidOf(hotkey) {
        const uid = (await this.sm.uids(this.netuid, hotkey));
        return uid.isSome ? uid.unwrap().toNumber() : null;
    }
    async ensureRegistered(hotkey) {
        const uid = await this.uidOf(hotkey);
        if (uid === null) {
            throw new ChainError('not_registered', `hotkey ${hotkey} is not registered on subnet ${this.netuid} (${this.opts.label}); register it with "btcli subnets register --netuid ${this.netuid} --wallet.name NAME --wallet.hotkey HOTKEY", then retry`);
        }
        return uid;
    }
    async setCommitment(signer, data) {
        const bytes = Buffer.from(data, 'utf8');
        if (bytes.length > MAX_COMMITMENT_BYTES) {
            throw new ChainError('commitment_too_long', `commitment is ${bytes.length} bytes; the chain stores at most ${MAX_COMMITMENT_BYTES} per field`);
        }
        const field = bytes.length === 0 ? { None: null } : { [`Raw${bytes.length}`]: bytes };
        await this.send(this.api.tx.commitments.setCommitment(this.netuid, { fields: [field] }), signer.pair);
    }
    async readCommitments() {
        const entries = await this.api.query.commitments.commitmentOf.entries(this.netuid);
        const out = new Map();
        for (const [k, v] of entries) {
            const account = encodeAddress(k.args[1].toU8a(), SS58_FORMAT);
            const reg = v;
            if (!reg.isSome)
                continue;
            const parts = reg.unwrap().info.fields.filter((f) => f.type.startsWith('Raw')).map((f) => u8aToString(f.value.toU8a(true)));
            out.set(account, parts.join(''));
        }
        return out;
    }
    async weightsVersionKey() {
        return (await this.sm.weightsVersionKey(this.netuid)).toBigInt();
    }
    async commitRevealEnabled() {
        return (await this.sm.commitRevealWeightsEnabled(this.netuid)).isTrue;
    }
    /** which weight-setting paths this runtime offers */
    features() {
        const tx = this.api.tx.subtensorModule;
        return {
            hashCommitReveal: typeof tx.commitWeights === 'function' && typeof tx.revealWeights === 'function',
            timelockedCommits: typeof tx.commitTimelockedWeights === 'function' || typeof tx.commitCrv3Weights === 'function',
        };
    }
    async setWeights(signer, uids, weights) {
        const { uids: u, values } = weightsToU16(uids, weights);
        await this.ensureRegistered(signer.ss58);
        const versionKey = await this.weightsVersionKey();
        if (!(await this.commitRevealEnabled())) {
            const block = await this.send(this.api.tx.subtensorModule.setWeights(this.netuid, u, values, versionKey), signer.pair);
            return { mode: 'direct', block };
        }
        const f = this.features();
        if (!f.hashCommitReveal) {
            throw new ChainError('unsupported', `subnet ${this.netuid} requires commit-reveal and this runtime only offers timelocked (drand) commits, which gradmesh does not implement yet; ask the subnet owner or use a hash commit-reveal subnet`);
        }
        const salt = randomSalt();
        const hash = weightsCommitHash(signer.ss58, this.netuid, u, values, salt, versionKey);
        const block = await this.send(this.api.tx.subtensorModule.commitWeights(this.netuid, hash), signer.pair);
        this.store(signer.ss58).add({ hash, uids: u, values, salt, versionKey: versionKey.toString(), commitBlock: block });
        return { mode: 'commit-reveal', block };
    }
    store(hotkey) {
        const scope = this.api.genesisHash.toHex().slice(2, 14);
        return new CommitStore(this.opts.commitDir, this.netuid, hotkey, `subtensor-${scope}`);
    }
    async onChainCommits(hotkey) {
        const v = await this.sm.weightCommits(this.netuid, hotkey);
        const json = v.toJSON();
        return (json ?? []).map(([hash, commitBlock, firstReveal, lastReveal]) => ({ hash, commitBlock, firstReveal, lastReveal }));
    }
    async revealPendingWeights(signer) {
        const store = this.store(signer.ss58);
        const pending = store.load();
        if (pending.length === 0)
            return { revealed: 0, waiting: 0, expired: 0 };
        const onChain = new Map((await this.onChainCommits(signer.ss58)).map((c) => [c.hash, c]));
        // an extrinsic sent now executes in the next block
        const next = (await this.currentBlock()) + 1;
        const keep = [];
        let revealed = 0;
        let expired = 0;
        for (const c of pending) {
            const entry = onChain.get(c.hash);
            if (!entry || next > entry.lastReveal) {
                expired++; // revealed elsewhere, or its window closed: the salt is useless now
                continue;
            }
            if (next < entry.firstReveal) {
                keep.push(c);
                continue;
            }
            try {
                await this.send(this.api.tx.subtensorModule.revealWeights(this.netuid, c.uids, c.values, c.salt, BigInt(c.versionKey)), signer.pair);
                revealed++;
            }
            catch (e) {
                if (e instanceof ChainError && /RevealTooEarly/.test(e.message))
                    keep.push(c);
                else
                    throw e;
            }
        }
        store.save(keep);
        return { revealed, waiting: keep.length, expired };
    }
    async getWeights(uid) {
        const row = (await this.sm.weights(this.netuid, uid));
        return new Map(row.map(([d, w]) => [d.toNumber(), w.toNumber()]));
    }
    async allWeights() {
        const entries = await this.sm.weights.entries(this.netuid);
        const out = new Map();
        for (const [k, v] of entries) {
            const row = v;
            if (row.length === 0)
                continue;
            out.set(k.args[1].toNumber(), new Map(row.map(([d, w]) => [d.toNumber(), w.toNumber()])));
        }
        return out;
    }
    /** burn-registers hotkey on this subnet, paid by the coldkey; returns the uid */
    async burnedRegister(coldkey, hotkey) {
        await this.send(this.api.tx.subtensorModule.burnedRegister(this.netuid, hotkey), coldkey);
        return this.ensureRegistered(hotkey);
    }
    /** stakes `tao` (whole units) from the coldkey onto the hotkey in this subnet */
    async addStake(coldkey, hotkey, tao) {
        const rao = BigInt(Math.round(tao * RAO_PER_UNIT));
        await this.send(this.api.tx.subtensorModule.addStake(hotkey, this.netuid, rao), coldkey);
    }
    /**
     * Signs with our own nonce (several extrinsics from one key may be in flight), waits
     * for inclusion, and turns a dispatch error into a ChainError that names the pallet
     * error and what to do. Resolves to the block number it was included in.
     */
    async send(tx, signer) {
        if (this.closed)
            throw new ChainError('closed', 'the chain connection is closed');
        // serialise per signer so nonces are handed out in submission order
        const prev = this.sendQueue.get(signer.address) ?? Promise.resolve();
        let release;
        const mine = new Promise((r) => (release = r));
        this.sendQueue.set(signer.address, prev.then(() => mine));
        await prev.catch(() => undefined);
        let included;
        try {
            const nonce = this.nonces.get(signer.address) ?? (await this.api.rpc.system.accountNextIndex(signer.address)).toNumber();
            const sub = this.submit(tx, signer, nonce);
            included = sub.included;
            this.nonces.set(signer.address, nonce + 1);
            // hold the signer's queue until the node has the extrinsic: the next one (nonce+1)
            // must not overtake it on the way (some pools drop a nonce that arrives early)
            await sub.submitted.catch(() => undefined);
        }
        finally {
            release();
        }
        try {
            return await included;
        }
        catch (e) {
            // a refused or dropped submission leaves the nonce unused: re-read it next time
            if (e instanceof ChainError && e.code === 'rpc')
                this.nonces.delete(signer.address);
            throw e;
        }
    }
    submit(tx, signer, nonce) {
        const what = `${tx.method.section}.${tx.method.method}`;
        const submitted = Promise.withResolvers();
        const included = new Promise((resolve, reject) => {
            let unsub;
            const timer = setTimeout(() => {
                unsub?.();
                reject(new ChainError('extrinsic_failed', `${what} was not included within ${this.opts.inclusionTimeoutMs / 1000} s; the chain may be stalled or the fee too low; retry`));
            }, this.opts.inclusionTimeoutMs);
            timer.unref();
            let done = false;
            const finish = (err, block) => {
                done = true;
                clearTimeout(timer);
                unsub?.();
                if (err)
                    reject(err);
                else
                    resolve(block);
            };
            tx.signAndSend(signer, { nonce }, (result) => {
                const s = result.status;
                if (s.isInvalid || s.isDropped || s.isUsurped) {
                    finish(new ChainError('rpc', `${what} was ${s.type.toLowerCase()} by the chain; retry`));
                    return;
                }
                if (!s.isInBlock && !s.isFinalized)
                    return;
                const blockHash = s.isInBlock ? s.asInBlock : s.asFinalized;
                if (result.dispatchError) {
                    finish(this.decodeError(what, result.dispatchError));
                    return;
                }
                this.api.rpc.chain.getHeader(blockHash).then((h) => finish(null, h.number.toNumber()), (e) => finish(new ChainError('rpc', `${what}: ${e.message}`)));
            }).then((u) => {
                unsub = u;
                if (done)
                    u(); // finished before the subscription handle arrived
                submitted.resolve();
            }, (e) => {
                submitted.resolve();
                clearTimeout(timer);
                reject(new ChainError('rpc', `${what} was refused: ${e.message}${/Priority is too low|stale|1010/.test(e.message) ? ' (nonce or fee problem; retry)' : ''}`, { cause: e }));
            });
        });
        return { submitted: submitted.promise, included };
    }
    decodeError(what, err) {
        if (err.isModule) {
            const meta = this.api.registry.findMetaError(err.asModule);
            const hint = ERROR_HINTS[meta.name];
            const docs = meta.docs.join(' ').trim();
            return new ChainError('extrinsic_failed', `${what} failed: ${meta.section}.${meta.name}${docs ? ` (${docs})` : ''}${hint ? `; ${hint}` : ''}`);
        }
        return new ChainError('extrinsic_failed', `${what} failed: ${err.type}${err.isToken ? `.${err.asToken.type}` : ''}`);
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        await this.api.disconnect();
    }
}
/** connects, checks that the subnet exists, and returns the Chain */
export async function connectSubtensor(opts) {
    const label = opts.provider ? 'in-process provider' : resolveEndpoint(opts);
    const provider = opts.provider ?? (await openProvider(label, opts));
    const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
    const chain = new SubtensorChain(api, opts.netuid, {
        commitDir: opts.commitDir ?? defaultCommitDir(),
        inclusionTimeoutMs: opts.inclusionTimeoutMs ?? 120_000,
        label,
    });
    if (!api.query.subtensorModule) {
        await chain.close();
        throw new ChainError('bad_endpoint', `${label} is not a subtensor node (no SubtensorModule pallet); point --subtensor.chain_endpoint at a Bittensor chain`);
    }
    if (!Number.isInteger(opts.netuid) || opts.netuid < 0 || opts.netuid > 65535 || !(await api.query.subtensorModule.networksAdded(opts.netuid)).isTrue) {
        await chain.close();
        throw new ChainError('subnet_not_found', `subnet ${opts.netuid} does not exist on ${label}; check --netuid (list subnets with "btcli subnets list")`);
    }
    return chain;
}
//# sourceMappingURL=subtensor.js.map