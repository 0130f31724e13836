// Normalises what the p2p layer reports about itself into the figures the status
// API shows. The p2p node's `stats()` and `connectedPeers()` are read structurally
// and defensively: a missing method or field reads as "nothing to report", so the
// operations layer never breaks (or crashes the node) when the p2p API grows.

export interface P2PFigures {
  /** PeerIds of the peers this node is connected to. */
  connected: string[];
  /** Gossipsub score per PeerId, when the p2p layer exposes it. */
  scores: Map<string, number>;
  /** Bytes received and sent, keyed by gossip topic name or "blob". */
  bytesIn: Record<string, number>;
  bytesOut: Record<string, number>;
  fetchFailures: number;
}

/** The parts of a P2PNode the operations layer reads; all optional on purpose. */
export interface P2PIntrospection {
  stats?: () => unknown;
  connectedPeers?: () => unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** A Map or a plain object of name → number (non-numbers dropped). */
function numberTable(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const entries: Iterable<[unknown, unknown]> = v instanceof Map ? v.entries() : isRecord(v) ? Object.entries(v) : [];
  for (const [k, x] of entries) {
    const n = finite(x);
    if (n !== undefined && n >= 0) out[String(k)] = n;
  }
  return out;
}

/** A Map, a plain object, or an array of { peerId, score } → PeerId → score. */
function scoreTable(v: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (Array.isArray(v)) {
    for (const e of v) {
      if (isRecord(e) && typeof e.peerId === 'string') {
        const n = finite(e.score);
        if (n !== undefined) out.set(e.peerId, n);
      }
    }
    return out;
  }
  const entries: Iterable<[unknown, unknown]> = v instanceof Map ? v.entries() : isRecord(v) ? Object.entries(v) : [];
  for (const [k, x] of entries) {
    const n = finite(x);
    if (n !== undefined) out.set(String(k), n);
  }
  return out;
}

function peerIdOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isRecord(v)) {
    if (typeof v.peerId === 'string') return v.peerId;
    // A libp2p PeerId object stringifies to its base58 form.
    if (v.peerId !== undefined && v.peerId !== null) return String(v.peerId);
    if (typeof v.toString === 'function' && v.toString !== Object.prototype.toString) return String(v);
  }
  return undefined;
}

function merge(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/**
 * Reads the p2p node. Understood shapes of `stats()` (each field optional):
 *   bytesIn / bytesOut: { [topic]: bytes }           (Map or object)
 *   topics: { [topic]: { bytesIn, bytesOut } }         (Map or object)
 *   blob | blobs: { bytesIn, bytesOut, fetchFailures }
 *   fetchFailures: number
 *   scores | peerScores: { [peerId]: score } or [{ peerId, score }]
 */
export function readP2PFigures(p2p: P2PIntrospection): P2PFigures {
  let raw: unknown;
  let peersRaw: unknown;
  try {
    raw = typeof p2p.stats === 'function' ? p2p.stats() : undefined;
  } catch {
    raw = undefined;
  }
  try {
    peersRaw = typeof p2p.connectedPeers === 'function' ? p2p.connectedPeers() : undefined;
  } catch {
    peersRaw = undefined;
  }
  const s = isRecord(raw) ? raw : {};
  const bytesIn = numberTable(s.bytesIn);
  const bytesOut = numberTable(s.bytesOut);
  const topics: Iterable<[unknown, unknown]> = s.topics instanceof Map ? s.topics.entries() : isRecord(s.topics) ? Object.entries(s.topics) : [];
  for (const [name, t] of topics) {
    if (!isRecord(t)) continue;
    merge(bytesIn, numberTable({ [String(name)]: t.bytesIn }));
    merge(bytesOut, numberTable({ [String(name)]: t.bytesOut }));
  }
  let fetchFailures = finite(s.fetchFailures) ?? 0;
  const blob = isRecord(s.blob) ? s.blob : isRecord(s.blobs) ? s.blobs : undefined;
  if (blob) {
    merge(bytesIn, numberTable({ blob: blob.bytesIn }));
    merge(bytesOut, numberTable({ blob: blob.bytesOut }));
    fetchFailures += finite(blob.fetchFailures) ?? 0;
  }
  const scores = scoreTable(s.scores ?? s.peerScores);
  const connected: string[] = [];
  if (Array.isArray(peersRaw)) {
    for (const p of peersRaw) {
      const id = peerIdOf(p);
      if (id) connected.push(id);
    }
  } else if (peersRaw === undefined && finite(s.peers) === undefined) {
    // No connectedPeers(): fall back to the peers the scores name.
    connected.push(...scores.keys());
  }
  return { connected: [...new Set(connected)].sort(), scores, bytesIn, bytesOut, fetchFailures: Math.max(0, Math.floor(fetchFailures)) };
}
