// The chain layer's public API. Everything else in gradmesh imports from here.
export { ChainError, isChainError, type ChainErrorCode } from './errors.js';
export { PEER_COMMITMENT_PREFIX, MAX_COMMITMENT_BYTES } from './types.js';
export type { Chain, Neuron, Hotkey, SetWeightsResult, RevealResult } from './types.js';
export { WindowClock, type WindowClockOptions } from './window-clock.js';
export { weightsToU16, weightsCommitHash, randomSalt, U16_MAX } from './weights.js';
export {
  loadHotkey, loadColdkey, loadColdkeyPub, createDevWallet, hotkeyFromUri, walletPaths, defaultWalletPath,
  passwordFromEnv, SS58_FORMAT, type CreatedWallet, type WalletRef,
} from './wallet.js';
export { encryptKeyfileData, decryptKeyfileData, keyfileEncoding, btcliKdfParams, NACL_SALT, type KdfParams } from './keyfile-crypto.js';
export { connectSubtensor, SubtensorChain, RAO_PER_UNIT, type ConnectSubtensorOptions } from './subtensor.js';
export { resolveEndpoint, SUBTENSOR_NETWORKS, type SubtensorNetwork } from './subtensor-connect.js';
export { DevChain, DevChainClient } from './dev-chain.js';
export { DevChainState, type DevChainOptions } from './dev-chain-state.js';
export { startDevChainServer, connectDevChain, type DevChainConnectOptions } from './dev-chain-server.js';
export type { ReconnectLog } from './reconnect.js';
export { addWalletOptions, addSubtensorOptions, walletFromFlags, hotkeyFromFlags, chainFromFlags, type WalletFlags, type SubtensorFlags } from './cli-options.js';

import type { Chain } from './types.js';
/** the weights row of validator `uid` (u16 values by destination uid) */
export function getWeights(chain: Chain, uid: number): Promise<Map<number, number>> {
  return chain.getWeights(uid);
}
/** the PeerId a hotkey committed ("gm1:<peerId>"), or null */
export function peerIdFromCommitment(data: string | undefined): string | null {
  return data?.startsWith('gm1:') ? data.slice(4) : null;
}
