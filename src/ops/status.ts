// The status of one running node, as its local API serves it (GET /api/status) and
// as the dashboard, `gradmesh status` and the Prometheus exporter read it. The zod
// schema is the single definition: the server emits it, clients validate it (a
// status document comes over HTTP and is checked like any other input).
import { z } from 'zod';

const nonNegInt = z.number().int().min(0);
const finiteNum = z.number().finite();

export const LossPointSchema = z.object({ window: z.number().int(), loss: finiteNum });

export const PeerViewSchema = z.object({
  peerId: z.string().min(1),
  /** uid on chain when the PeerId is committed by a registered hotkey. */
  uid: z.number().int().min(0).optional(),
  /** The role the peer runs (context-status.ts peerRole): what its status gossip says, checked against permit and stake. */
  role: z.enum(['miner', 'validator', 'unregistered']),
  /** A role the peer claims that the chain does not back (it says validator, but has no permit or no stake). */
  claimedRole: z.string().max(32).optional(),
  /** gossipsub score as this node sees that peer, when the p2p layer reports it. */
  score: finiteNum.optional(),
  /** The θ the peer last said it holds (status gossip): θ_thetaWindow hashes to thetaHash. */
  thetaWindow: z.number().int().optional(),
  thetaHash: z.string().optional(),
});

export const ScoreEntrySchema = z.object({
  uid: nonNegInt,
  score: finiteNum,
  /** normalised weight this validator would set (or last set) for the uid. */
  weight: finiteNum.optional(),
});

/** What the chain pays this node's uid at one window (src/node/chain-history.ts). */
const share = z.number().finite().min(0).max(1.0001);
export const PayEntrySchema = z.object({
  window: z.number().int(),
  block: z.number().int(),
  timeMs: z.number(),
  uid: nonNegInt,
  rank: share.nullable(),
  trust: share.nullable(),
  consensus: share.nullable(),
  incentive: share,
  emission: z.number().finite().min(0).nullable(),
  dividends: share.nullable(),
  weightsFrom: z.array(z.object({ validatorUid: nonNegInt, stake: z.number().min(0), weight: share })),
});

/** A validator's set_weights attempts (src/node/weights-recorder.ts). */
export const WeightsAttemptSchema = z.object({
  window: z.number().int(),
  block: z.number().int(),
  timeMs: z.number(),
  ok: z.boolean(),
  tries: nonNegInt,
  weights: z.array(z.object({ uid: nonNegInt, weight: finiteNum })),
  mode: z.string().optional(),
  error: z.string().optional(),
});

export const PaySchema = z.object({
  /** oldest first, one entry per window the node read the chain in */
  history: z.array(PayEntrySchema),
  /** validators: what it set (or failed to set) on chain and when, oldest first */
  weightsSet: z.array(WeightsAttemptSchema).optional(),
});

/** Byte counters keyed by gossip topic name, plus "blob" for the blob protocol. */
const ByteTable = z.record(z.string(), z.number().min(0));

export const NodeStatusSchema = z.object({
  version: z.literal(1),
  role: z.enum(['miner', 'validator']),
  uid: nonNegInt,
  hotkey: z.string().optional(),
  peerId: z.string().min(1),
  run: z.string(),
  runHash: z.string(),
  /** Wall-clock time the status was taken (ms since epoch) and process uptime. */
  timeMs: z.number(),
  uptimeS: z.number().min(0),
  window: z.number().int(),
  block: z.number().int(),
  blocksPerWindow: z.number().int().positive(),
  thetaHash: z.string(),
  inSync: z.boolean(),
  /** Window of the last manifest applied (θ is θ_{headWindow+1}); −1 before the first. */
  headWindow: z.number().int(),
  manifestsApplied: nonNegInt,
  /** Closed windows (up to window−2) for which no manifest was applied yet. */
  manifestsMissed: nonNegInt,
  /**
   * The speaker rule at work: manifests refused (by reason), applied fallback manifests
   * superseded by the lead's, and (validators) the applied manifests compared with
   * this validator's own choice.
   */
  manifestRule: z
    .object({
      rejected: z.record(z.string(), nonNegInt),
      superseded: nonNegInt,
      compared: nonNegInt,
      disagreed: nonNegInt,
      last: z.object({ window: z.number().int(), agree: z.boolean(), leadOnly: z.array(nonNegInt), ownOnly: z.array(nonNegInt) }).optional(),
    })
    .optional(),
  innerSteps: nonNegInt,
  tokensPerSecond: z.number().min(0),
  /**
   * What the node trains on, one entry per data-parallel rank (a GPU, or a CPU rank):
   * the memory its engine holds, its AdamW moments (a shard of them when the ranks
   * shard the optimiser states), and its share of the last window's tokens/s (the
   * ranks step in lockstep, each on its slice of the batch).
   */
  ranks: z.array(z.object({
    rank: nonNegInt,
    /** cpu, or cuda:N */
    device: z.string().min(1),
    memoryBytes: z.number().min(0),
    optimizerStateBytes: z.number().min(0),
    tokensPerSecond: z.number().min(0),
  })).optional(),
  trainLoss: z.array(LossPointSchema),
  evalLoss: z.array(LossPointSchema),
  peers: z.array(PeerViewSchema),
  bytes: z.object({
    /** What this node announced (its own compressed payloads). */
    announced: z.number().min(0),
    announcements: nonNegInt,
    in: ByteTable,
    out: ByteTable,
  }),
  fetchFailures: nonNegInt,
  /** DHT random walks this node started (peer discovery). */
  dhtWalks: nonNegInt,
  /** Gossip messages this node refused (invalid, unregistered sender, other run…), by reason. */
  rejections: z.record(z.string(), nonNegInt),
  chain: z.object({
    stake: z.number().min(0),
    /** Block at which this node last set weights on chain, if it ever did. */
    weightsSetAtBlock: z.number().int().optional(),
  }),
  scores: z.array(ScoreEntrySchema).optional(),
  /** Is this node paid: the chain's rank, trust, consensus, incentive, emission and weights for its uid, with history. */
  pay: PaySchema.optional(),
  /**
   * How late this node's event loop ran (perf_hooks.monitorEventLoopDelay), over the
   * last completed window (intervalS long), and the largest delay since it started.
   */
  eventLoop: z.object({
    maxMs: z.number().min(0),
    p99Ms: z.number().min(0),
    meanMs: z.number().min(0),
    intervalS: z.number().min(0),
    maxSinceStartMs: z.number().min(0),
  }).optional(),
  /**
   * Validators: what became of the last window this node closed: payloads
   * aggregated, announcements heard, and why not more (late, out_of_sync, rejected,
   * not_chosen; only reasons that occurred).
   */
  windowVerdicts: z.object({
    window: z.number().int(),
    aggregated: nonNegInt,
    heard: nonNegInt,
    byReason: z.record(z.string(), nonNegInt),
  }).optional(),
  /** Miners: windows whose payload was ready after the deadline, windows skipped by an overrunning window, the last such window. */
  late: z.object({ windows: nonNegInt, skipped: nonNegInt, lastWindow: z.number().int() }).optional(),
  /** Peers' θ (from status gossip) against this node's θ_{headWindow+1}. */
  peerTheta: z.object({
    thetaWindow: z.number().int(),
    agreeing: nonNegInt,
    differing: nonNegInt,
    elsewhere: nonNegInt,
  }).optional(),
});

export type LossPoint = z.infer<typeof LossPointSchema>;
export type PeerView = z.infer<typeof PeerViewSchema>;
export type ScoreEntry = z.infer<typeof ScoreEntrySchema>;
export type PayStatus = z.infer<typeof PaySchema>;
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

/** Anything that can produce the current status; the HTTP server depends on nothing else. */
export type StatusProvider = () => NodeStatus | Promise<NodeStatus>;

/** One node as the dashboard sees it: where its API is and what it last said. */
export interface NodeEntry {
  name: string;
  url: string;
  status?: NodeStatus;
  error?: string;
}

export class StatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusError';
  }
}

/** Validates a status document received over HTTP; the error names each bad field. */
export function parseNodeStatus(raw: unknown, source = 'status'): NodeStatus {
  const r = NodeStatusSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StatusError(`${source}: not a gradmesh node status\n${lines.join('\n')}`);
  }
  return r.data;
}

/**
 * θ agreement among nodes that have applied the same latest manifest: they must hold
 * the same θ bit for bit. Nodes still behind that manifest are counted apart (a
 * node that applies a manifest a moment later is not a disagreement).
 */
export function thetaAgreement(statuses: NodeStatus[]): {
  headWindow: number;
  consensus?: string;
  agreeing: number;
  compared: number;
  behind: number;
  groups: Map<string, number>;
} {
  const headWindow = statuses.reduce((m, s) => Math.max(m, s.headWindow), -1);
  const atHead = statuses.filter((s) => s.headWindow === headWindow);
  const groups = new Map<string, number>();
  for (const s of atHead) groups.set(s.thetaHash, (groups.get(s.thetaHash) ?? 0) + 1);
  let consensus: string | undefined;
  let agreeing = 0;
  for (const [h, n] of groups) {
    if (n > agreeing) {
      consensus = h;
      agreeing = n;
    }
  }
  return {
    headWindow, ...(consensus !== undefined ? { consensus } : {}), agreeing, compared: atHead.length,
    behind: statuses.length - atHead.length, groups,
  };
}
