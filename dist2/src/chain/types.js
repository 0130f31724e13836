/** first bytes of a commitment that binds a hotkey to a libp2p PeerId */
export const PEER_COMMITMENT_PREFIX = 'gm1:';
export const MAX_COMMITMENT_BYTES = 128;
//# sourceMappingURL=types.js.map