// Gossip topics of a run, their protobuf codecs, size caps and the structural
// checks every message must pass before it is delivered or forwarded.
import { createHash } from 'node:crypto';
import { CheckpointAnnouncement, GradAnnouncement, Manifest, NodeStatus } from './proto/messages.js';

export { CheckpointAnnouncement, GradAnnouncement, Manifest, ManifestEntry, NodeStatus } from './proto/messages.js';

export const MESSAGE_VERSION = 1;
export type Topic = 'grad' | 'manifest' | 'checkpoint' | 'status';
export const TOPICS: readonly Topic[] = ['grad', 'manifest', 'checkpoint', 'status'];
export type TopicMessage = GradAnnouncement | Manifest | CheckpointAnnouncement | NodeStatus;
export interface TopicMessages {
  grad: GradAnnouncement;
  manifest: Manifest;
  checkpoint: CheckpointAnnouncement;
  status: NodeStatus;
}

/** Largest encoded message accepted per topic (bytes). Inline gradients ride in 'grad'. */
export const TOPIC_MAX_BYTES: Record<Topic, number> = {
  grad: 256 * 1024,
  manifest: 64 * 1024,
  checkpoint: 1024,
  status: 1024,
};
/** Largest payload allowed inline in a GradAnnouncement. */
export const MAX_INLINE_BYTES = 192 * 1024;
export const MAX_MANIFEST_ENTRIES = 1024;
const MAX_ROLE_CHARS = 32;

export function topicName(runHash: string, topic: Topic): string {
  return `/gradmesh/run/${runHash}/${topic}/1`;
}

export function encodeMessage(topic: Topic, msg: TopicMessage): Uint8Array {
  switch (topic) {
    case 'grad': return GradAnnouncement.encode(msg as GradAnnouncement);
    case 'manifest': return Manifest.encode(msg as Manifest);
    case 'checkpoint': return CheckpointAnnouncement.encode(msg as CheckpointAnnouncement);
    case 'status': return NodeStatus.encode(msg as NodeStatus);
  }
}

/** Why a message was refused; `ignore` = not the sender's fault (newer version). */
export interface Rejection {
  action: 'reject' | 'ignore';
  reason: string;
}
export type Checked<T> = { ok: true; msg: T } | { ok: false; rejection: Rejection };

const reject = (reason: string): { ok: false; rejection: Rejection } => ({ ok: false, rejection: { action: 'reject', reason } });

function is32(b: Uint8Array | undefined): boolean {
  return b != null && b.byteLength === 32;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * Decodes and checks one gossip payload: size cap, protobuf framing, version,
 * runHash, field lengths and per-topic invariants. Never throws.
 */
export function decodeAndCheck<T extends Topic>(
  topic: T,
  data: Uint8Array,
  ctx: { runHash: Uint8Array; maxBlobBytes: number },
): Checked<TopicMessages[T]> {
  if (data.byteLength > TOPIC_MAX_BYTES[topic]) return reject(`oversized: ${data.byteLength} > ${TOPIC_MAX_BYTES[topic]} bytes`);
  let msg: TopicMessage;
  try {
    switch (topic) {
      case 'grad': msg = GradAnnouncement.decode(data); break;
      case 'manifest': msg = Manifest.decode(data, { limits: { entries: MAX_MANIFEST_ENTRIES } }); break;
      case 'checkpoint': msg = CheckpointAnnouncement.decode(data); break;
      case 'status': msg = NodeStatus.decode(data); break;
      default: return reject(`unknown topic ${String(topic)}`);
    }
  } catch (err) {
    return reject(`malformed: ${(err as Error).message}`);
  }
  if (msg.version === 0) return reject('missing version');
  if (msg.version > MESSAGE_VERSION) return { ok: false, rejection: { action: 'ignore', reason: `newer version ${msg.version}` } };
  if (!is32(msg.runHash)) return reject('runHash must be 32 bytes');
  if (!sameBytes(msg.runHash, ctx.runHash)) return reject('other run');
  const maxBlob = BigInt(ctx.maxBlobBytes);
  switch (topic) {
    case 'grad': {
      const m = msg as GradAnnouncement;
      if (!is32(m.digest) || !is32(m.baseThetaHash)) return reject('digest and baseThetaHash must be 32 bytes');
      if (m.size === 0n || m.size > maxBlob) return reject(`bad size ${m.size}`);
      if (m.pieceListHash != null && !is32(m.pieceListHash)) return reject('pieceListHash must be 32 bytes');
      if (m.inline != null) {
        if (m.inline.byteLength > MAX_INLINE_BYTES) return reject('inline payload too large');
        if (BigInt(m.inline.byteLength) !== m.size) return reject('inline length differs from size');
        if (!sameBytes(createHash('sha256').update(m.inline).digest(), m.digest)) return reject('inline payload does not match digest');
      }
      break;
    }
    case 'manifest': {
      const m = msg as Manifest;
      if (!is32(m.nextThetaHash)) return reject('nextThetaHash must be 32 bytes');
      if (m.prevDigest.byteLength !== 0 && !is32(m.prevDigest)) return reject('prevDigest must be empty or 32 bytes');
      const uids = new Set<number>();
      for (const e of m.entries) {
        if (!is32(e.digest)) return reject('manifest entry digest must be 32 bytes');
        if (uids.has(e.uid)) return reject(`uid ${e.uid} listed twice`);
        uids.add(e.uid);
      }
      break;
    }
    case 'checkpoint': {
      const m = msg as CheckpointAnnouncement;
      if (!is32(m.digest) || !is32(m.thetaHash)) return reject('digest and thetaHash must be 32 bytes');
      if (m.size === 0n) return reject('empty checkpoint');
      break;
    }
    case 'status': {
      const m = msg as NodeStatus;
      if (m.role.length > MAX_ROLE_CHARS) return reject('role too long');
      if (m.thetaHash.byteLength !== 0 && !is32(m.thetaHash)) return reject('thetaHash must be empty or 32 bytes');
      break;
    }
  }
  return { ok: true, msg: msg as TopicMessages[T] };
}
