// Adapter from a running node (its NodeStatusSource view) to the status document. It only reads:
// the figures NodeMetrics keeps, the replica's θ hash, the window driver's clock,
// the peer directory (who is who on chain) and what the p2p node reports.
import { readP2PFigures } from './p2p-stats.js';
import type { NodeStatus, PayStatus, PeerView, ScoreEntry, StatusProvider } from './status.js';
import type { PeerStatusBook } from './status-gossip.js';
import type { NodeStatusSource, PeerFacts } from './status-source.js';

/** Figures that live outside the node's context (the validator's scores, weights on chain). */
export interface StatusExtras {
  scores?: () => ScoreEntry[] | undefined;
  weightsSetAtBlock?: () => number | undefined;
  /** What the chain pays this uid, with history, and (validators) the weights it set. */
  pay?: () => PayStatus | undefined;
  /** Peers' statuses heard on gossip (startStatusGossip): adds θ agreement with peers. */
  peerStatus?: PeerStatusBook;
}

/** How many points of each loss series the status carries (the dashboard plots them). */
const MAX_POINTS = 512;

/**
 * The role a peer runs, as far as this node can tell. The validator permit alone
 * cannot say: on a subnet with fewer uids than permits (every testnet, any young
 * subnet) every uid holds one, miners included. What a peer says it runs in its signed
 * status gossip decides, checked against the chain: a claim to validate needs a permit
 * and stake (a validator without stake sets no weights that count and may not speak
 * for a window), so a peer that claims it without them shows as a miner, with the
 * claim kept. A peer not heard yet is a validator if it holds a permit and stake.
 */
export function peerRole(
  info: Pick<PeerFacts, 'validatorPermit' | 'stake'> | undefined,
  heardRole: string | undefined,
): { role: PeerView['role']; claimedRole?: string } {
  if (!info) return { role: 'unregistered' };
  const backed = info.validatorPermit && info.stake > 0;
  if (heardRole === 'validator') return backed ? { role: 'validator' } : { role: 'miner', claimedRole: 'validator' };
  if (heardRole === 'miner') return { role: 'miner' };
  return { role: backed ? 'validator' : 'miner' };
}

export function statusFromContext(ctx: NodeStatusSource, extras: StatusExtras = {}): NodeStatus {
  const p2p = readP2PFigures(ctx.p2p);
  const peers: PeerView[] = p2p.connected.map((peerId) => {
    const info = ctx.directory.peer(peerId);
    const score = p2p.scores.get(peerId);
    const heard = extras.peerStatus?.get(peerId);
    return {
      peerId,
      ...(info ? { uid: info.uid } : {}),
      ...peerRole(info, heard?.role),
      ...(score !== undefined ? { score } : {}),
      ...(heard ? { thetaWindow: heard.thetaWindow, thetaHash: heard.thetaHash } : {}),
    };
  });
  const m = ctx.metrics;
  const window = ctx.driver.window;
  const headWindow = ctx.replica.chain.head.window;
  const scores = extras.scores?.();
  const weightsSetAtBlock = extras.weightsSetAtBlock?.();
  const eventLoop = m.eventLoop();
  const pay = extras.pay?.();
  return {
    version: 1,
    role: ctx.role,
    uid: ctx.uid,
    hotkey: ctx.hotkey.ss58,
    peerId: ctx.p2p.peerId,
    run: ctx.spec.run,
    runHash: ctx.runHashHex,
    timeMs: Date.now(),
    uptimeS: process.uptime(),
    window,
    block: ctx.driver.block,
    blocksPerWindow: ctx.driver.blocksPerWindow,
    thetaHash: ctx.replica.thetaHash,
    inSync: ctx.replica.synced,
    headWindow,
    manifestsApplied: m.manifestsApplied,
    // Window w closes during w+1, so in window c the last manifest due is that of c−2.
    manifestsMissed: Math.max(0, window - 2 - headWindow),
    manifestRule: {
      rejected: { ...m.manifestRejections }, superseded: m.manifestsSuperseded,
      compared: m.agreement.compared, disagreed: m.agreement.disagreed,
      ...(m.agreement.last ? { last: m.agreement.last } : {}),
    },
    innerSteps: ctx.innerStep,
    tokensPerSecond: Number.isFinite(m.tokensPerSecond) ? m.tokensPerSecond : 0,
    // Each rank trains its 1/ranks slice of every step, in lockstep with the others.
    ...(m.ranks.length ? { ranks: m.ranks.map((r) => ({ ...r, tokensPerSecond: Number.isFinite(m.tokensPerSecond) ? m.tokensPerSecond / m.ranks.length : 0 })) } : {}),
    trainLoss: m.trainLoss.slice(-MAX_POINTS).filter((p) => Number.isFinite(p.loss)),
    evalLoss: m.evalLoss.slice(-MAX_POINTS).filter((p) => Number.isFinite(p.loss)),
    peers,
    bytes: { announced: m.bytesAnnounced, announcements: m.announcements, in: p2p.bytesIn, out: p2p.bytesOut },
    fetchFailures: p2p.fetchFailures,
    dhtWalks: p2p.dhtWalks,
    rejections: p2p.rejections,
    chain: {
      stake: ctx.directory.uid(ctx.uid)?.stake ?? 0,
      ...(weightsSetAtBlock !== undefined ? { weightsSetAtBlock } : {}),
    },
    ...(scores ? { scores } : {}),
    ...(pay ? { pay } : {}),
    ...(eventLoop ? { eventLoop } : {}),
    ...(m.lastVerdicts ? { windowVerdicts: m.lastVerdicts } : {}),
    ...(ctx.role === 'miner' ? { late: { ...m.late } } : {}),
    ...(extras.peerStatus ? { peerTheta: extras.peerStatus.agreement({ thetaWindow: headWindow + 1, thetaHash: ctx.replica.thetaHash }) } : {}),
  };
}

/** A StatusProvider bound to one running node. */
export function contextStatusProvider(ctx: NodeStatusSource, extras: StatusExtras = {}): StatusProvider {
  return () => statusFromContext(ctx, extras);
}
