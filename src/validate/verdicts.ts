// What a validator concluded about the payloads announced for one window, before
// choosing which go into the manifest: the validator loop (node) produces it, the
// Gauntlet (validate) scores and chooses from it.
import type { DecodedPayload } from '../train/compress/index.js';

export interface CheckedPayload {
  uid: number;
  digest: string;
  bytes: Uint8Array;
  /** Decoded once, against every expectation of the window (checkAnnouncements). */
  payload?: DecodedPayload;
}

export interface WindowVerdicts {
  accepted: CheckedPayload[];
  rejected: Array<{ uid: number; reason: string }>;
}
