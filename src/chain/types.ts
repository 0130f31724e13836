// The contract between the chain layer and the rest of gradmesh. Both backends
// (subtensor and the dev chain) implement `Chain` with the same semantics.
import type { KeyringPair } from '@polkadot/keyring/types';

export interface Neuron {
  uid: number;
  hotkey: string; // ss58
  coldkey: string; // ss58
  stake: number; // alpha staked on the hotkey in this subnet, whole units (1 = 1e9 rao)
  validatorPermit: boolean;
  incentive: number; // 0..1
  dividends?: number; // 0..1
  lastUpdate: number; // block of the neuron's last weights
  // What the chain pays (docs/operators.md "Is my miner paid?"). 0..1 unless said.
  rank?: number; // stake-weighted share of the validators' weights, before consensus clipping
  trust?: number; // share of the rank kept after clipping to consensus
  consensus?: number; // the stake-weighted median weight the validators give the uid
  emission?: number; // alpha earned in the chain's last epoch (subtensor: per tempo; dev chain: per block)
}

/** A signing hotkey (sr25519). Never log `pair`: it holds the secret. */
export interface Hotkey {
  readonly ss58: string;
  readonly pair: KeyringPair;
  /** where it was loaded from, for messages; absent for in-memory keys */
  readonly path?: string;
}

export interface SetWeightsResult {
  mode: 'direct' | 'commit-reveal';
  block: number;
}

export interface RevealResult {
  revealed: number; // commits revealed by this call
  waiting: number; // commits still waiting for their reveal window
  expired: number; // commits whose reveal window passed (dropped)
}

export interface Chain {
  readonly kind: 'subtensor' | 'dev';
  readonly netuid: number;
  currentBlock(): Promise<number>;
  /** calls cb with each new best block number; resolves to an unsubscribe function */
  subscribeBlocks(cb: (block: number) => void): Promise<() => void>;
  metagraph(): Promise<Neuron[]>;
  uidOf(hotkey: string): Promise<number | null>;
  /** the hotkey's uid; throws ChainError 'not_registered' saying how to register */
  ensureRegistered(hotkey: string): Promise<number>;
  /** binds the hotkey to data (we store "gm1:<peerId>"); at most 128 bytes */
  setCommitment(signer: Hotkey, data: string): Promise<void>;
  readCommitments(): Promise<Map<string, string>>;
  /**
   * Weights are floats, normalised to u16 here. On a subnet with commit-reveal this
   * commits a hash and persists the salt; call revealPendingWeights later.
   */
  setWeights(signer: Hotkey, uids: number[], weights: number[]): Promise<SetWeightsResult>;
  /** reveals every persisted commit whose reveal window is open now */
  revealPendingWeights(signer: Hotkey): Promise<RevealResult>;
  /** the weights row a validator uid has on chain, as u16 values */
  getWeights(uid: number): Promise<Map<number, number>>;
  /** every weights row on the subnet: validator uid → (uid → u16), rows without weights left out */
  allWeights(): Promise<Map<number, Map<number, number>>>;
  weightsVersionKey(): Promise<bigint>;
  commitRevealEnabled(): Promise<boolean>;
  close(): Promise<void>;
}

/** first bytes of a commitment that binds a hotkey to a libp2p PeerId */
export const PEER_COMMITMENT_PREFIX = 'gm1:';
export const MAX_COMMITMENT_BYTES = 128;
