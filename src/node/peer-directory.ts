// Who is who: joins the chain's metagraph with the PeerId commitments, so that
// gossip from a PeerId can be attributed to a uid (and its stake), and so that
// the p2p layer can gate unregistered senders. Refreshed once per window.
import type { Chain, Neuron } from '../chain/index.js';

export const COMMITMENT_PREFIX = 'gm1:';

export function peerCommitment(peerId: string): string {
  return `${COMMITMENT_PREFIX}${peerId}`;
}

export function parsePeerCommitment(data: string): string | null {
  if (!data.startsWith(COMMITMENT_PREFIX)) return null;
  const id = data.slice(COMMITMENT_PREFIX.length).trim();
  // base58btc PeerIds (12D3Koo…, Qm…) or CIDv1 base32 (bafz…): reject anything else early.
  return /^[1-9A-HJ-NP-Za-km-z]{40,80}$|^b[a-z2-7]{50,100}$/.test(id) ? id : null;
}

export interface PeerInfo {
  uid: number;
  hotkey: string;
  peerId: string;
  stake: number;
  validatorPermit: boolean;
}

export class PeerDirectory {
  private byPeer = new Map<string, PeerInfo>();
  private byUid = new Map<number, PeerInfo>();
  private neurons: Neuron[] = [];

  constructor(private readonly chain: Chain) {}

  async refresh(): Promise<void> {
    const [neurons, commitments] = await Promise.all([this.chain.metagraph(), this.chain.readCommitments()]);
    const byPeer = new Map<string, PeerInfo>();
    const byUid = new Map<number, PeerInfo>();
    for (const n of neurons) {
      const c = commitments.get(n.hotkey);
      const peerId = c === undefined ? null : parsePeerCommitment(c);
      if (!peerId) continue;
      // One PeerId may be claimed by one hotkey only: a second claim is ignored.
      if (byPeer.has(peerId)) continue;
      const info: PeerInfo = { uid: n.uid, hotkey: n.hotkey, peerId, stake: n.stake, validatorPermit: n.validatorPermit };
      byPeer.set(peerId, info);
      byUid.set(n.uid, info);
    }
    this.neurons = neurons;
    this.byPeer = byPeer;
    this.byUid = byUid;
  }

  get metagraph(): Neuron[] {
    return this.neurons;
  }

  peer(peerId: string): PeerInfo | undefined {
    return this.byPeer.get(peerId);
  }

  uid(uid: number): PeerInfo | undefined {
    return this.byUid.get(uid);
  }

  registeredPeerIds(): Set<string> {
    return new Set(this.byPeer.keys());
  }

  /** Validators with a committed PeerId, highest stake first (ties: lower uid first). */
  validators(): PeerInfo[] {
    return [...this.byPeer.values()].filter((p) => p.validatorPermit).sort((a, b) => b.stake - a.stake || a.uid - b.uid);
  }

  stakeScores(): Map<string, number> {
    const m = new Map<string, number>();
    for (const p of this.byPeer.values()) m.set(p.peerId, p.stake);
    return m;
  }
}
