// What the operations layer reads of a running node: a narrow, read-only view that the
// node's context satisfies as it is (node/context.ts's NodeContext), so ops depends on
// these few fields and not on the node layer above it.
import type { Logger } from 'pino';
import type { P2PNode } from '../p2p/index.js';
import type { LossPoint, NodeStatus } from './status.js';

/** What ops reads of one registered peer (the node's peer directory entry). */
export interface PeerFacts {
  uid: number;
  stake: number;
  validatorPermit: boolean;
}

/** The figures a node keeps about itself (node/node-metrics.ts's NodeMetrics). */
export interface StatusFigures {
  readonly trainLoss: readonly LossPoint[];
  readonly evalLoss: readonly LossPoint[];
  readonly tokensPerSecond: number;
  readonly bytesAnnounced: number;
  readonly announcements: number;
  readonly manifestsApplied: number;
  /** Manifests refused by the speaker rule, by reason. */
  readonly manifestRejections: Readonly<Record<string, number>>;
  readonly manifestsSuperseded: number;
  readonly agreement: {
    readonly compared: number;
    readonly disagreed: number;
    readonly last?: NonNullable<NodeStatus['manifestRule']>['last'] | undefined;
  };
  eventLoop(): NodeStatus['eventLoop'] | undefined;
  readonly lastVerdicts?: NodeStatus['windowVerdicts'] | undefined;
  readonly late: NonNullable<NodeStatus['late']>;
  /** The ranks (GPUs, or CPU ranks) the node trains on; empty on one. Tokens/s is the node's. */
  readonly ranks: readonly Omit<NonNullable<NodeStatus['ranks']>[number], 'tokensPerSecond'>[];
}

/** What the status API, the status gossip and the ops server read of a running node. */
export interface NodeStatusSource {
  readonly role: NodeStatus['role'];
  readonly uid: number;
  readonly hotkey: { readonly ss58: string };
  readonly spec: { readonly run: string };
  readonly runHash: Uint8Array;
  readonly runHashHex: string;
  readonly innerStep: number;
  readonly p2p: Pick<P2PNode, 'peerId' | 'stats' | 'connectedPeers' | 'gossipScore' | 'on' | 'publish'>;
  readonly directory: {
    peer(peerId: string): PeerFacts | undefined;
    uid(uid: number): PeerFacts | undefined;
  };
  readonly driver: {
    readonly window: number;
    readonly block: number;
    readonly blocksPerWindow: number;
    /** Resolves with the window once it starts (negative when the driver stopped). */
    waitFor(window: number): Promise<number>;
  };
  readonly replica: {
    readonly thetaHash: string;
    readonly synced: boolean;
    readonly chain: { readonly head: { readonly window: number } };
  };
  readonly metrics: StatusFigures;
  readonly log: Logger;
  /** Aborted when the node stops. */
  readonly signal: AbortSignal;
  /** Resolves after the next manifest is applied. */
  manifestApplied(): Promise<void>;
}
