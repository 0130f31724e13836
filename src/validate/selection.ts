// Which valid payloads a manifest lists, before Gauntlet scores exist: a seeded
// random order (so no miner is favoured by uid), cut to G, then sorted by uid.
import { createHash } from 'node:crypto';

export function seededOrder(runHash: Uint8Array, window: number, uids: number[]): number[] {
  const key = (uid: number): string => {
    const b = Buffer.alloc(12);
    b.writeBigUInt64LE(BigInt(window), 0);
    b.writeUInt32LE(uid, 8);
    return createHash('sha256').update('select').update(runHash).update(b).digest('hex');
  };
  return [...uids].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b));
}

export function selectForManifest(runHash: Uint8Array, window: number, uids: number[], maxPayloads: number): number[] {
  return seededOrder(runHash, window, uids).slice(0, maxPayloads).sort((a, b) => a - b);
}
