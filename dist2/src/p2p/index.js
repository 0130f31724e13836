// Public API of the p2p layer.
export { createP2PNode, digestToCid } from './node.js';
export { ContentStore, sha256Hex } from './content-store.js';
export { TOPICS, TOPIC_MAX_BYTES, MAX_INLINE_BYTES, MESSAGE_VERSION, topicName, encodeMessage, decodeAndCheck, GradAnnouncement, Manifest, ManifestEntry, CheckpointAnnouncement, NodeStatus, } from './messages.js';
export { BLOB_PROTOCOL } from './blob-protocol.js';
export { PeerGate, OFFENDER_SCORE, OFFENCE_TTL_MS } from './peer-gate.js';
export { rateLimited } from './rate-limit.js';
export { P2PError, BlobUnavailableError, BlobProtocolError, InvalidArgumentError } from './errors.js';
export { dhtProtocol } from './host.js';
export { DEFAULT_RELAY_SERVE } from './nat.js';
export { REACHABILITY_MODES } from './reachability.js';
//# sourceMappingURL=index.js.map