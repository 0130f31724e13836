// Weight normalisation and the commit-reveal hash. Both must agree bit for bit with
// subtensor, and between our two backends, so they live in one place.
import { TypeRegistry } from '@polkadot/types';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { ChainError } from './errors.js';
export const U16_MAX = 65535;
/**
 * Floats → u16 the way the Bittensor SDK does it: drop non-positive entries, scale so
 * the largest weight becomes 65535, round to nearest. Subtensor normalises rows itself,
 * so only ratios matter; max-upscaling keeps the most precision.
 */
export function weightsToU16(uids, weights) {
    if (uids.length !== weights.length) {
        throw new ChainError('bad_weights', `setWeights got ${uids.length} uids but ${weights.length} weights; pass one weight per uid`);
    }
    const seen = new Set();
    for (const [i, uid] of uids.entries()) {
        if (!Number.isInteger(uid) || uid < 0 || uid > U16_MAX)
            throw new ChainError('bad_weights', `uid ${uid} is not a u16 integer`);
        if (seen.has(uid))
            throw new ChainError('bad_weights', `uid ${uid} appears twice in setWeights; merge its weights first`);
        seen.add(uid);
        const w = weights[i];
        if (!Number.isFinite(w))
            throw new ChainError('bad_weights', `weight for uid ${uid} is ${w}; weights must be finite numbers`);
    }
    const max = Math.max(0, ...weights);
    if (max <= 0)
        throw new ChainError('bad_weights', 'all weights are zero or negative; give at least one uid a positive weight');
    const outU = [];
    const outV = [];
    for (const [i, uid] of uids.entries()) {
        const v = Math.round((Math.max(0, weights[i]) / max) * U16_MAX);
        if (v > 0) {
            outU.push(uid);
            outV.push(v);
        }
    }
    return { uids: outU, values: outV };
}
let registry;
/**
 * Subtensor's commit hash: BlakeTwo256 over SCALE(account, netuid, uids, values, salt,
 * versionKey) with types (AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64).
 */
export function weightsCommitHash(ss58, netuid, uids, values, salt, versionKey) {
    registry ??= new TypeRegistry();
    const payload = registry.createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [
        decodeAddress(ss58), netuid, uids, values, salt, versionKey,
    ]);
    const h = blake2AsU8a(payload.toU8a(), 256);
    return `0x${Buffer.from(h).toString('hex')}`;
}
/** a fresh random salt, 8 u16 like the Bittensor SDK */
export function randomSalt() {
    const b = new Uint16Array(8);
    crypto.getRandomValues(b);
    return [...b];
}
//# sourceMappingURL=weights.js.map