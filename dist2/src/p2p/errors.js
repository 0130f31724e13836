// Typed errors of the p2p layer, so callers can tell a bad peer from a missing blob.
export class P2PError extends Error {
    code;
    constructor(message, code) {
        super(message);
        this.code = code;
        this.name = 'P2PError';
    }
}
/** Every source was tried and none gave bytes matching the digest. */
export class BlobUnavailableError extends P2PError {
    attempts;
    constructor(digest, attempts) {
        super(`blob ${digest.slice(0, 16)}… unavailable after ${attempts.length} attempt(s): ${attempts.join('; ')}`, 'BLOB_UNAVAILABLE');
        this.attempts = attempts;
        this.name = 'BlobUnavailableError';
    }
}
/** A remote peer answered the blob protocol with a refusal or broke its framing. */
export class BlobProtocolError extends P2PError {
    constructor(message, code = 'BLOB_PROTOCOL') {
        super(message, code);
        this.name = 'BlobProtocolError';
    }
}
export class InvalidArgumentError extends P2PError {
    constructor(message) {
        super(message, 'INVALID_ARGUMENT');
        this.name = 'InvalidArgumentError';
    }
}
//# sourceMappingURL=errors.js.map