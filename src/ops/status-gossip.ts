// θ agreement as one node sees it: every node gossips a small NodeStatus on the
// run's "status" topic (its uid, role, the θ it holds and its peer count), and
// keeps the latest one heard from each registered peer. A node can then tell, on its
// own, whether the peers holding the same θ_w as it hash it the same way.
//
// Field meaning on this topic: `window` is the w of θ_w that `thetaHash` names (the
// window after the last manifest applied), not the clock's current window, so that
// two nodes are compared only when they claim to hold the same model.
import type { Logger } from 'pino';
import type { NodeStatusSource } from './status-source.js';
import type { NodeStatus as StatusMsg, P2PNode } from '../p2p/index.js';

export interface HeardStatus {
  peerId: string;
  uid: number;
  role: string;
  thetaWindow: number;
  thetaHash: string;
  peerCount: number;
  heardAtMs: number;
}

export interface PeerThetaAgreement {
  /** The w of θ_w this node holds. */
  thetaWindow: number;
  /** Peers that reported the same θ_w: with the same hash, and with another one. */
  agreeing: number;
  differing: number;
  /** Peers that reported another θ window (behind or ahead). */
  elsewhere: number;
}

const MAX_PEERS = 4096;
/** Statuses older than this are not counted (a peer that went quiet). */
const STALE_MS = 10 * 60_000;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class PeerStatusBook {
  private readonly byPeer = new Map<string, HeardStatus>();

  /**
   * @param uidOf the uid that committed a PeerId on chain, or undefined: statuses from
   *   unregistered peers, or claiming another uid than their own, are ignored.
   */
  constructor(
    private readonly uidOf: (peerId: string) => number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a status message heard from `from` (already decoded and checked by the p2p layer). */
  record(msg: StatusMsg, from: string): boolean {
    const uid = this.uidOf(from);
    if (uid === undefined || uid !== msg.uid) return false;
    if (msg.thetaHash.byteLength !== 32) return false;
    if (!this.byPeer.has(from) && this.byPeer.size >= MAX_PEERS) return false;
    this.byPeer.set(from, {
      peerId: from, uid, role: msg.role, thetaWindow: Number(msg.window), thetaHash: hex(msg.thetaHash),
      peerCount: msg.peerCount, heardAtMs: this.now(),
    });
    return true;
  }

  /** Latest status of each peer, freshest first, without those gone quiet. */
  heard(): HeardStatus[] {
    const cutoff = this.now() - STALE_MS;
    for (const [p, s] of this.byPeer) if (s.heardAtMs < cutoff) this.byPeer.delete(p);
    return [...this.byPeer.values()].sort((a, b) => b.heardAtMs - a.heardAtMs);
  }

  get(peerId: string): HeardStatus | undefined {
    return this.byPeer.get(peerId);
  }

  agreement(own: { thetaWindow: number; thetaHash: string }): PeerThetaAgreement {
    let agreeing = 0;
    let differing = 0;
    let elsewhere = 0;
    for (const s of this.heard()) {
      if (s.thetaWindow !== own.thetaWindow) elsewhere++;
      else if (s.thetaHash === own.thetaHash) agreeing++;
      else differing++;
    }
    return { thetaWindow: own.thetaWindow, agreeing, differing, elsewhere };
  }
}

/** The status message a node gossips about itself. */
export function statusMessage(o: { runHash: Uint8Array; uid: number; role: string; thetaWindow: number; thetaHash: string; peerCount: number }): StatusMsg {
  return {
    version: 1,
    runHash: o.runHash,
    uid: o.uid,
    role: o.role,
    window: BigInt(Math.max(0, o.thetaWindow)),
    thetaHash: Buffer.from(o.thetaHash, 'hex'),
    peerCount: o.peerCount,
    sentAtMs: BigInt(Date.now()),
  };
}

/** Publishes a status; no subscribed peer yet (a lone node) is not an error. */
export async function publishStatus(p2p: Pick<P2PNode, 'publish'>, msg: StatusMsg, log?: Logger): Promise<number> {
  try {
    return await p2p.publish('status', msg);
  } catch (e) {
    log?.debug({ err: (e as Error).message }, 'status not published');
    return 0;
  }
}

export interface StatusGossip {
  book: PeerStatusBook;
  stop(): void;
}

/**
 * Listens to peers' statuses and publishes this node's at every window and after
 * every manifest it applies. Stops with the node (ctx.signal) or with stop().
 */
export function startStatusGossip(ctx: NodeStatusSource): StatusGossip {
  const book = new PeerStatusBook((peerId) => ctx.directory.peer(peerId)?.uid);
  let stopped = false;
  ctx.p2p.on('status', (msg, from) => {
    if (!stopped) book.record(msg, from);
  });
  const publish = (): Promise<number> =>
    publishStatus(ctx.p2p, statusMessage({
      runHash: ctx.runHash, uid: ctx.uid, role: ctx.role, thetaWindow: ctx.replica.chain.head.window + 1,
      thetaHash: ctx.replica.thetaHash, peerCount: ctx.p2p.connectedPeers().length,
    }), ctx.log);
  const done = (): boolean => stopped || ctx.signal.aborted;
  void (async () => {
    let w = ctx.driver.window;
    while (!done()) {
      await publish();
      w = await ctx.driver.waitFor(w + 1);
      if (w < 0) break;
    }
  })();
  void (async () => {
    while (!done()) {
      await ctx.manifestApplied();
      if (!done()) await publish();
    }
  })();
  return {
    book,
    stop: () => {
      stopped = true;
    },
  };
}
