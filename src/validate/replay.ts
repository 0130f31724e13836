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
import type { CompressedModel } from '../train/compress/index.js';

const SAMPLE = 64 * 1024;

/** A hex digest of what a miner's payload carries, stable across re-encodings. */
export function payloadFingerprint(p: CompressedModel): string {
  const bytes = (a: ArrayBufferView, n: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, Math.min(a.byteLength, n));
  return createHash('sha256')
    .update(bytes(p.quant, p.quant.byteLength))
    .update(bytes(p.indices, SAMPLE * 2))
    .update(bytes(p.codes, SAMPLE))
    .digest('hex');
}

/** Per miner, the fingerprints of its payloads in the last `windows` windows. */
export class ReplayMemory {
  private readonly seen = new Map<number, Array<{ window: number; fingerprint: string }>>();

  constructor(private readonly windows: number) {}

  /** The earlier window in which `uid` sent this fingerprint, or null. */
  earlierWindow(uid: number, window: number, fingerprint: string): number | null {
    const hit = this.seen.get(uid)?.find((s) => s.window < window && s.fingerprint === fingerprint);
    return hit ? hit.window : null;
  }

  remember(uid: number, window: number, fingerprint: string): void {
    if (this.windows === 0) return;
    const list = (this.seen.get(uid) ?? []).filter((s) => s.window > window - this.windows && s.window !== window);
    list.push({ window, fingerprint });
    this.seen.set(uid, list);
  }
}
