// The chain layer's public API. Everything else in gradmesh imports from here.
export { ChainError, isChainError } from './errors.js';
export { PEER_COMMITMENT_PREFIX, MAX_COMMITMENT_BYTES } from './types.js';
export { WindowClock } from './window-clock.js';
export { weightsToU16, weightsCommitHash, randomSalt, U16_MAX } from './weights.js';
export { loadHotkey, loadColdkey, loadColdkeyPub, createDevWallet, hotkeyFromUri, walletPaths, defaultWalletPath, passwordFromEnv, SS58_FORMAT, } from './wallet.js';
export { encryptKeyfileData, decryptKeyfileData, keyfileEncoding, btcliKdfParams, NACL_SALT } from './keyfile-crypto.js';
export { connectSubtensor, SubtensorChain, RAO_PER_UNIT } from './subtensor.js';
export { resolveEndpoint, SUBTENSOR_NETWORKS } from './subtensor-connect.js';
export { DevChain, DevChainClient } from './dev-chain.js';
export { DevChainState } from './dev-chain-state.js';
export { startDevChainServer, connectDevChain } from './dev-chain-server.js';
export { addWalletOptions, addSubtensorOptions, walletFromFlags, hotkeyFromFlags, chainFromFlags } from './cli-options.js';
/** the weights row of validator `uid` (u16 values by destination uid) */
export function getWeights(chain, uid) {
    return chain.getWeights(uid);
}
/** the PeerId a hotkey committed ("gm1:<peerId>"), or null */
export function peerIdFromCommitment(data) {
    return data?.startsWith('gm1:') ? data.slice(4) : null;
}
//# sourceMappingURL=index.js.map