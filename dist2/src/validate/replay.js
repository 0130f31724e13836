// Replay detection. A miner that sends, in window w, the values it already sent in an
// earlier window (the "stale" adversary: it trains once and re-heads the old payload
// with the new window) gives a gradient that may still lower the loss, so measuring
// does not catch it; but no honest miner ever sends the same values twice: each window
// trains on new samples, and the error-feedback buffer changes every window. So a
// payload whose fingerprint matches one of its own earlier payloads is a replay.
//
// The fingerprint hashes every chunk's quantisation scales (one small number per chunk:
// cheap even at 72B) and the first 64 Ki kept indices and codes. Honest payloads differ
// in all of them; a replay matches exactly.
import { createHash } from 'node:crypto';
const SAMPLE = 64 * 1024;
/** A hex digest of what a miner's payload carries, stable across re-encodings. */
export function payloadFingerprint(p) {
    const bytes = (a, n) => new Uint8Array(a.buffer, a.byteOffset, Math.min(a.byteLength, n));
    return createHash('sha256')
        .update(bytes(p.quant, p.quant.byteLength))
        .update(bytes(p.indices, SAMPLE * 2))
        .update(bytes(p.codes, SAMPLE))
        .digest('hex');
}
/** Per miner, the fingerprints of its payloads in the last `windows` windows. */
export class ReplayMemory {
    windows;
    seen = new Map();
    constructor(windows) {
        this.windows = windows;
    }
    /** The earlier window in which `uid` sent this fingerprint, or null. */
    earlierWindow(uid, window, fingerprint) {
        const hit = this.seen.get(uid)?.find((s) => s.window < window && s.fingerprint === fingerprint);
        return hit ? hit.window : null;
    }
    remember(uid, window, fingerprint) {
        if (this.windows === 0)
            return;
        const list = (this.seen.get(uid) ?? []).filter((s) => s.window > window - this.windows && s.window !== window);
        list.push({ window, fingerprint });
        this.seen.set(uid, list);
    }
}
//# sourceMappingURL=replay.js.map