// What the p2p node reports about itself (stats(), connectedPeers(), gossipScore()),
// turned into the figures the status API shows: bytes by topic and for blobs,
// failed fetches, rejected messages by reason, and each connected peer's score.
import type { P2PNode } from '../p2p/index.js';

export interface P2PFigures {
  /** PeerIds of the peers this node is connected to, sorted. */
  connected: string[];
  /** Gossipsub score (with the app-specific part) of each connected peer. */
  scores: Map<string, number>;
  /** Bytes received and sent, keyed by gossip topic ("grad", "manifest", …) or "blob". */
  bytesIn: Record<string, number>;
  bytesOut: Record<string, number>;
  fetchFailures: number;
  /** DHT random walks started (peer discovery; each costs every peer it reaches some CPU). */
  dhtWalks: number;
  /** Gossip messages refused by validation, by reason. */
  rejections: Record<string, number>;
}

/** The parts of a P2PNode the operations layer reads. */
export type P2PIntrospection = Pick<P2PNode, 'stats' | 'connectedPeers' | 'gossipScore'>;

export const EMPTY_P2P_FIGURES: Readonly<P2PFigures> = Object.freeze({
  connected: [], scores: new Map(), bytesIn: {}, bytesOut: {}, fetchFailures: 0, dhtWalks: 0, rejections: {},
});

function finiteNonNeg(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Reads the p2p node. A node that is stopping (or a call that throws) reads as
 * empty figures: the status API must keep answering whatever the network does.
 */
export function readP2PFigures(p2p: P2PIntrospection): P2PFigures {
  let connected: string[] = [];
  const scores = new Map<string, number>();
  try {
    connected = [...new Set(p2p.connectedPeers())].sort();
    for (const peer of connected) {
      const s = p2p.gossipScore(peer);
      if (Number.isFinite(s)) scores.set(peer, s);
    }
  } catch {
    connected = [];
    scores.clear();
  }
  let stats: ReturnType<P2PIntrospection['stats']>;
  try {
    stats = p2p.stats();
  } catch {
    return { ...EMPTY_P2P_FIGURES, connected, scores };
  }
  const bytesIn: Record<string, number> = {};
  const bytesOut: Record<string, number> = {};
  for (const [topic, t] of Object.entries(stats.perTopic)) {
    bytesIn[topic] = finiteNonNeg(t.bytesIn);
    bytesOut[topic] = finiteNonNeg(t.bytesOut);
  }
  bytesIn.blob = finiteNonNeg(stats.blobBytesIn);
  bytesOut.blob = finiteNonNeg(stats.blobBytesOut);
  const rejections: Record<string, number> = {};
  for (const [reason, n] of Object.entries(stats.rejections)) rejections[reason] = finiteNonNeg(n);
  return { connected, scores, bytesIn, bytesOut, fetchFailures: finiteNonNeg(stats.fetchFailures), dhtWalks: finiteNonNeg(stats.dhtWalks), rejections };
}
